"""Who the rule judges: the children among the reference faces as a group of their own, and
one face alone (for the confidence and the per-face detail).

The rule itself (``rules.decide``) reads medians over the faces it is given. Over all the
reference faces the adults outvote the children: a "no-makeup makeup" stack judged
altering face by face on every child's face (3 of 3 quick, 5 of 5 full) and on few adults
was playful by the median. ``with_children`` adds the children's own verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set

import numpy as np

from effects.classification import Category, Change
from effects.classify.geometry import GEOMETRY_METRICS
from effects.classify.rules import (
    MIN_CHILDREN,
    MIN_FLOW_SHARE,
    Decision,
    Finding,
    Table,
    decide,
    face_covered,
    flow_only,
    painted,
)


def with_children(everyone: Decision, children: Decision | None, n_children: int, t: Table) -> Decision:
    """``everyone``'s findings plus the altering findings of the children judged as a group of
    their own (a median over all faces would let adults outvote them). A child finding is
    not added when everyone's decision already holds that change as altering, or found the
    same measure obviously artificial (a cartoon warp, face paint) on everyone, nor a colour
    or detail finding when everyone's faces are painted or under new content."""
    if children is None or n_children < MIN_CHILDREN:
        return everyone
    exaggerated = any(f.reason.change is Change.EXAGGERATED_DISTORTION for f in everyone.findings)
    altering = {f.reason.change for f in everyone.findings if f.reason.altering}
    artificial = {f.metric for f in everyone.findings if not f.reason.altering}
    # Paint or new content over the face on everyone: the children's colour and detail readings
    # are of the paint or the particles (their faces are small and mostly black and white).
    covered = painted(t) or face_covered(t)
    added = []
    for f in children.findings:
        if not f.reason.altering or f.reason.change in altering or f.metric in artificial:
            continue
        if covered and f.metric.split(".")[0] in ("tone", "local", "texture"):
            continue
        if exaggerated and f.metric.split(".")[0] in ("geometry", "local"):
            continue  # a cartoon warp on everyone: children's smaller readings of it, and the colours
            # around it (which the flow pairs too loosely), are the same cartoon
        note = (f"measured on the {n_children} children's faces as a group of their own "
                "(an effect that alters children's faces is altering)")
        added.append(Finding(f.reason, f.metric, f"{f.note}; {note}" if f.note else note))
    return Decision(everyone.findings + tuple(added))


def unreliable_metrics(t: Table, decision: Decision) -> set[str]:
    """Geometry metrics the set-level rule could not rely on (the flow lost them on more than
    a quarter of the faces), except one an exaggeration finding rests on. Judging a single
    face, these are left out too, so a restyled picture does not vote "altering" face by face."""
    kept = {f.metric for f in decision.findings if f.reason.change is Change.EXAGGERATED_DISTORTION}
    out = set()
    for m in GEOMETRY_METRICS:
        key = f"geometry.{m}"
        if key in t and key not in kept:
            v = flow_only(t, m)
            if np.count_nonzero(~np.isnan(v)) < MIN_FLOW_SHARE * v.size:
                out.add(key)
    return out


def face_category(
    values: Mapping[str, float], metrics: Sequence[str] = (), unreliable: Set[str] = frozenset()
) -> Category | None:
    """The rule applied to one face alone; None (abstains) when none of ``metrics`` (the
    metrics the overall findings rest on; all when empty) was measured on it. Metrics in
    ``unreliable`` (see ``unreliable_metrics``) are not used."""
    relevant = [values.get(m, math.nan) for m in metrics] if metrics else list(values.values())
    if all(math.isnan(v) for v in relevant):
        return None
    single = {k: np.array([math.nan if k in unreliable else v]) for k, v in values.items()}
    return decide(single).category
