"""Label text from classifier results: the short on-frame label and the info-sheet text.

An appearance-altering result gets "Appearance effect: smooths skin, slims face, enlarges
eyes": its altering reasons, most noticeable first, capped so the label stays short. A
playful result gets a chip with the effect's name. The info sheet lists every measured
change with its median and range ("enlarges eyes by 12% (10–14%) on 38 faces").

All words come from a :class:`~disclosure.catalogue.Catalogue`; nothing here is English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from disclosure.catalogue import Catalogue
from effects.classification import Category, Change, ClassificationResult, Reason

# How big a change has to be to count as "one unit of noticeable", per unit, so that
# changes measured in different units can be ranked against each other. Roughly: a 5%
# change in a feature's size, a CIEDE2000 difference of 3, a quarter of an area. Skin
# smoothing is measured as the % of fine skin detail removed, a scale of its own: 15%.
NOTICEABLE_STEP: Mapping[str, float] = {"%": 5.0, "dE": 3.0, "share": 0.25}
NOTICEABLE_STEP_BY_CHANGE: Mapping[tuple[Change, str], float] = {(Change.SMOOTHS_SKIN, "%"): 15.0}
_UNIT_KEYS: Mapping[str, str] = {"%": "percent", "dE": "delta_e", "share": "share"}


class LabelError(ValueError):
    """Label input that cannot be described: an unknown unit, no results, bad limits."""


class LabelKind(StrEnum):
    APPEARANCE = "appearance"  # an appearance-altering effect is active: the disclosure label
    CHIP = "chip"  # only playful effects: their name


@dataclass(frozen=True, slots=True)
class Label:
    """The text for one set of active effects in one language.

    ``text`` is the full short label; ``variants`` starts with ``text`` and continues with
    shorter forms (fewer changes named, then the bare title), for the overlay to pick the
    first that fits the frame. ``sheet`` is the info-sheet text, one paragraph per item.
    """

    kind: LabelKind
    language: str
    text: str
    variants: tuple[str, ...]
    sheet: tuple[str, ...]
    effect_ids: tuple[str, ...]

    @property
    def altering(self) -> bool:
        return self.kind is LabelKind.APPEARANCE


def noticeability(reason: Reason) -> float:
    """The size of a change in steps of :data:`NOTICEABLE_STEP` for its unit."""
    try:
        step = NOTICEABLE_STEP[reason.unit]
    except KeyError:
        raise LabelError(
            f"Reason({reason.change.value}).unit: expected one of {sorted(NOTICEABLE_STEP)}, found {reason.unit!r}"
        ) from None
    return abs(reason.median) / NOTICEABLE_STEP_BY_CHANGE.get((reason.change, reason.unit), step)


def ranked(reasons: Sequence[Reason]) -> tuple[Reason, ...]:
    """Most noticeable first; equal sizes keep the classifier's order. One entry per change
    (the largest), so a stack of two slimming effects says "slims face" once."""
    best: dict[str, Reason] = {}
    order: dict[str, int] = {}
    for i, reason in enumerate(reasons):
        key = reason.change.value
        order.setdefault(key, i)
        if key not in best or noticeability(reason) > noticeability(best[key]):
            best[key] = reason
    return tuple(sorted(best.values(), key=lambda r: (-noticeability(r), order[r.change.value])))


def build_label(
    results: ClassificationResult | Sequence[ClassificationResult],
    catalogue: Catalogue,
    names: Mapping[str, str] | None = None,
    max_changes: int = 3,
) -> Label:
    """The label for the active effects (one result or a stack of them).

    ``names`` maps effect ids to display names (the effect spec's name); an id without
    one is shown as the id. At most ``max_changes`` changes are named on the label.
    """
    items = (results,) if isinstance(results, ClassificationResult) else tuple(results)
    if not items:
        raise LabelError("build_label: expected at least one ClassificationResult, found none")
    if max_changes < 1:
        raise LabelError(f"build_label.max_changes: expected >= 1, found {max_changes}")
    names = names or {}
    effect_ids = tuple(r.effect_id for r in items)
    sheet = tuple(line for r in items for line in sheet_text(r, catalogue, names.get(r.effect_id, r.effect_id)))
    altering = [r for r in items if r.category is Category.APPEARANCE_ALTERING]
    if altering:
        reasons = ranked([reason for r in altering for reason in r.altering_reasons])
        variants = _appearance_variants(reasons, catalogue, max_changes)
        kind = LabelKind.APPEARANCE
    else:
        shown = catalogue.text("label.effect_separator").join(names.get(i, i) for i in effect_ids)
        variants = (catalogue.text("label.chip", name=shown),)
        kind = LabelKind.CHIP
    return Label(
        kind=kind,
        language=catalogue.language,
        text=variants[0],
        variants=variants,
        sheet=sheet,
        effect_ids=effect_ids,
    )


def _appearance_variants(reasons: tuple[Reason, ...], catalogue: Catalogue, max_changes: int) -> tuple[str, ...]:
    short = catalogue.text("label.appearance_short")
    if not reasons:
        return (short,)
    sep = catalogue.text("label.list_separator")
    variants: list[str] = []
    for shown in range(min(max_changes, len(reasons)), 0, -1):
        changes = sep.join(catalogue.change(r.change) for r in reasons[:shown])
        hidden = len(reasons) - shown
        if hidden:
            more_key = "label.more_one" if hidden == 1 else "label.more_other"
            changes = f"{changes} {catalogue.text(more_key, count=hidden)}"
        variants.append(catalogue.text("label.appearance", changes=changes))
    variants.append(short)
    return tuple(variants)


def sheet_text(result: ClassificationResult, catalogue: Catalogue, name: str | None = None) -> tuple[str, ...]:
    """The info-sheet paragraphs for one effect: title, what it changes with measured
    magnitudes (altering changes first, then the others), and a note when the creator's
    declared category disagrees with the measurement."""
    name = name or result.effect_id
    title_key = "sheet.title_altering" if result.category is Category.APPEARANCE_ALTERING else "sheet.title_playful"
    lines = [catalogue.text(title_key, name=name, version=result.effect_version)]
    if result.declared_disagrees:
        assert result.declared is not None
        lines.append(
            catalogue.text(
                "sheet.disagrees",
                declared=catalogue.category(result.declared),
                category=catalogue.category(result.category),
            )
        )
    altering = ranked(result.altering_reasons)
    other = ranked([r for r in result.reasons if not r.altering])
    if not altering and not other:
        lines.append(catalogue.text("sheet.no_change"))
        return tuple(lines)
    lines.append(catalogue.text("sheet.explanation"))
    if altering:
        lines.append(catalogue.text("sheet.changes_heading"))
        lines.extend(reason_text(r, catalogue) for r in altering)
    if other:
        lines.append(catalogue.text("sheet.other_heading" if altering else "sheet.changes_heading"))
        lines.extend(reason_text(r, catalogue) for r in other)
    if not altering and any(r.change is Change.REPLACES_BACKGROUND for r in other):
        lines.append(catalogue.text("sheet.person_unchanged"))
    return tuple(lines)


def reason_text(reason: Reason, catalogue: Catalogue) -> str:
    """"enlarges eyes by 12% (10–14%) on 38 faces", in the catalogue's language."""
    noticeability(reason)  # rejects unknown units with a LabelError
    sign = -1.0 if reason.median < 0 else 1.0
    low, high = sorted((reason.low * sign, reason.high * sign))
    scale = 100.0 if reason.unit == "share" else 1.0
    numbers = (abs(reason.median) * scale, low * scale, high * scale)
    if not all(math.isfinite(v) for v in numbers):
        raise LabelError(f"Reason({reason.change.value}): expected finite median/low/high, found {numbers}")
    # One precision for all three numbers: one decimal for colour differences and for
    # sizes under 10, whole numbers otherwise.
    decimals = 1 if reason.unit == "dE" or max(abs(v) for v in numbers) < 10 else 0
    values = dict(zip(("median", "low", "high"), (_number(v, catalogue, decimals) for v in numbers), strict=True))
    key = "skin_detail" if (reason.change, reason.unit) == (Change.SMOOTHS_SKIN, "%") else _UNIT_KEYS[reason.unit]
    magnitude = catalogue.text(f"magnitude.{key}", **values)
    faces_key = "sheet.faces_one" if reason.n_faces == 1 else "sheet.faces_other"
    faces = catalogue.text(faces_key, count=reason.n_faces)
    return catalogue.text("sheet.reason", change=catalogue.change(reason.change), magnitude=magnitude, faces=faces)


def _number(value: float, catalogue: Catalogue, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, the language's decimal separator and minus sign."""
    text = f"{value:.{decimals}f}"
    if text.startswith("-"):
        text = text[1:] if float(text) == 0 else catalogue.text("meta.minus_sign") + text[1:]
    return text.replace(".", catalogue.text("meta.decimal_separator"))
