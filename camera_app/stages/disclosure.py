"""The disclosure label as a pipeline stage: drawn on every frame while an altering effect is on.

``FollowingLabelStage`` (what the chain uses) follows the gated effect stage: the label is
always that of the effects applied to the frame, judged as a stack.

The stage is told which effects are active (their classifier results and display names)
with :meth:`DisclosureStage.set_active`; it builds the label once, in the chosen language,
and draws it on each frame away from the frame's face boxes. Playful effects get no label
on the frame unless ``show_chips`` asks for their name chip (the live view may; exports
never carry a chip in the pixels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

import numpy as np

from camera_app.paths import LABEL_FONT
from camera_app.frame import Frame
from disclosure.catalogue import Catalogue, load_catalogue
from disclosure.labels import Label, LabelKind, build_label
from disclosure.legal import FR_MENTION, LabelFormat, mark_required, norwegian_mark
from disclosure.overlay import DisclosureOverlay, DisclosureOverlayOptions
from disclosure.placement import Placement
from effects.classification import Category, ClassificationResult
from effects.spec import EffectSpec


@dataclass(frozen=True, slots=True)
class DisclosureStageOptions:
    """``language``: a catalogue in disclosure/messages; ``show_chips``: also draw playful
    effects' name chips; ``label_format``: a law's own mark instead of the label where that law
    asks for it (``disclosure.legal``); ``overlay``: the overlay's look (defaults use the
    bundled Roboto)."""

    language: str = "en"
    show_chips: bool = False
    label_format: LabelFormat = LabelFormat.DEFAULT
    overlay: DisclosureOverlayOptions = field(default_factory=lambda: DisclosureOverlayOptions(font_path=LABEL_FONT))


def effect_names(specs: Sequence[EffectSpec], language: str) -> dict[str, str]:
    """Display names of effects in ``language``, falling back to English, then to the id."""
    return {spec.id: spec.name.get(language) or spec.name.get("en") or spec.id for spec in specs}


class DisclosureStage:
    """Pipeline stage ``"disclosure"``. Put it after the effects (and after any other overlay)."""

    name = "disclosure"

    def __init__(self, options: DisclosureStageOptions | None = None) -> None:
        self.options = options or DisclosureStageOptions()
        self.catalogue: Catalogue = load_catalogue(self.options.language)
        self._overlay = DisclosureOverlay(self.options.overlay)
        self._label: Label | None = None
        self._results: tuple[ClassificationResult, ...] = ()
        self._legal = False
        self.label_area: tuple[int, int, int, int] | None = None  # where the label may go (x, y, w, h), None: anywhere

    @property
    def label(self) -> Label | None:
        """The label for the active effects (None when no effect is active)."""
        return self._label

    @property
    def results(self) -> tuple[ClassificationResult, ...]:
        return self._results

    @property
    def overlay(self) -> DisclosureOverlay:
        return self._overlay

    @property
    def last_placement(self) -> Placement | None:
        return self._overlay.last_placement

    def set_active(self, results: Sequence[ClassificationResult], names: Mapping[str, str] | None = None) -> None:
        """The effects now on (their results, in stack order) and their display names."""
        self._results = tuple(results)
        self._label = build_label(self._results, self.catalogue, names) if self._results else None
        self._legal = mark_required(self.options.label_format, self._results)
        if self._legal and self.options.label_format is LabelFormat.FR_INFLUENCER and self._label is not None:
            # the law's words, set like the label (legible, away from faces, on every frame)
            self._label = Label(LabelKind.APPEARANCE, self._label.language, FR_MENTION, (FR_MENTION,),
                                self._label.sheet, self._label.effect_ids)

    @property
    def legal_mark(self) -> bool:
        """Whether frames now carry the mark of ``label_format``'s law instead of the label."""
        return self._legal

    @property
    def draws(self) -> bool:
        """Whether frames get a label now."""
        label = self._label
        return label is not None and (label.altering or self.options.show_chips)

    def process(self, frame: Frame) -> Frame:
        label = self._label
        if label is None or not (label.altering or self.options.show_chips):
            return frame
        out = np.array(frame.pixels, copy=True, order="C")
        if self._legal and self.options.label_format is LabelFormat.NO_AD:
            norwegian_mark(out.shape[1], out.shape[0], self.options.overlay.font_path).draw_into(out)
        else:
            self._overlay.draw_into(out, label, [t.box for t in frame.tracks], self.label_area)
        out.flags.writeable = False  # hand it over to the frame without another copy
        return frame.with_pixels(out)

    def take_notices(self) -> list[str]:
        return []  # nothing to tell the user

    def close(self) -> None:
        self._overlay.close()

    def __enter__(self) -> DisclosureStage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ResultSource(Protocol):
    """Classifier results by effect or by stack (specs in order); None when not measured."""

    def result(self, specs: Sequence[EffectSpec]) -> ClassificationResult | None: ...


def label_results(applied: Sequence[EffectSpec], results: ResultSource) -> tuple[ClassificationResult, ...] | None:
    """The results a label for ``applied`` is built from: each effect's, plus the composed
    stack's when it is altering (effects under the lines on their own may add up). None when
    one of them is not measured (the label cannot be honest, so nothing may be applied)."""
    applied = tuple(applied)
    if not applied:
        return ()
    singles = [results.result((spec,)) for spec in applied]
    if any(r is None for r in singles):
        return None
    out = [r for r in singles if r is not None]
    if len(applied) >= 2:
        whole = results.result(applied)
        if whole is None:
            return None
        if whole.category is Category.APPEARANCE_ALTERING and all(r.category is not Category.APPEARANCE_ALTERING for r in out):
            out.append(whole)
    return tuple(out)


def stack_names(specs: Sequence[EffectSpec], language: str) -> dict[str, str]:
    """Display names of effects, and of their stack (``a+b``: "Name A + Name B")."""
    names = effect_names(specs, language)
    if len(specs) >= 2:
        names["+".join(s.id for s in specs)] = " + ".join(names[s.id] for s in specs)
    return names


def label_for(specs: Sequence[EffectSpec], results: ResultSource,
              language: str) -> tuple[tuple[ClassificationResult, ...], Label | None]:
    """The results and the label of these effects applied together (none: ``((), None)``)."""
    found = label_results(specs, results) or ()
    if not found:
        return (), None
    return found, build_label(found, load_catalogue(language), stack_names(specs, language))


class AppliedEffects(Protocol):
    """What the label follows: the effects applied to the last frame (the gated effect stage)."""

    @property
    def applied(self) -> tuple[EffectSpec, ...]: ...


class FollowingLabelStage:
    """Pipeline stage ``"disclosure"``: the label of the effects *applied to this frame*, read
    from the gated effect stage that ran just before (one mechanism: a dropped effect is never
    labelled, an applied one always is). ``applied_results`` and ``label`` describe the last
    frame, for exports and manifests."""

    name = "disclosure"

    def __init__(self, effects: AppliedEffects, results: ResultSource, options: DisclosureStageOptions | None = None) -> None:
        self._stage = DisclosureStage(options)
        self._effects = effects
        self._results = results
        self._key: tuple[tuple[str, str], ...] | None = None
        self.applied_results: tuple[ClassificationResult, ...] = ()
        self.rect: tuple[int, int, int, int] | None = None

    @property
    def language(self) -> str:
        return self._stage.options.language

    @property
    def label(self) -> Label | None:
        return self._stage.label if self.applied_results else None

    @property
    def inner(self) -> DisclosureStage:
        return self._stage

    def refresh(self) -> None:
        """Build the label again on the next frame (e.g. a result arrived)."""
        self._key = None

    def set_label_area(self, area: tuple[int, int, int, int] | None) -> None:
        """Keep the label inside ``area`` (x, y, w, h in frame pixels): what a phone's screen
        shows of the frame, inside its safe area and clear of its controls."""
        if area != self._stage.label_area:
            self._stage.label_area = area
            self._stage.overlay.reset()

    def _follow(self) -> None:
        applied = self._effects.applied
        key = tuple((s.id, s.content_hash) for s in applied)
        if key == self._key:
            return
        self._key = key
        # The effect stage applies only what can be labelled, so a result exists for what it applied.
        self.applied_results = label_results(applied, self._results) or ()
        self._stage.set_active(self.applied_results, stack_names(applied, self.language))
        self._stage.overlay.reset()

    def take_notices(self) -> list[str]:
        return []  # nothing to tell the user

    def process(self, frame: Frame) -> Frame:
        self._follow()
        self.rect = None
        if not self.applied_results:
            return frame
        out = self._stage.process(frame)
        placement = self._stage.last_placement
        if self._stage.draws and placement is not None:
            self.rect = (placement.x, placement.y, placement.width, placement.height)
        return out

    def close(self) -> None:
        self._stage.close()

    def __enter__(self) -> FollowingLabelStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
