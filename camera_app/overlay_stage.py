"""The disclosure label as a pipeline stage: drawn on every frame while an altering effect is on.

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

import numpy as np

from camera_app.disclosure_paths import LABEL_FONT
from camera_app.frame import Frame
from disclosure.catalogue import Catalogue, load_catalogue
from disclosure.labels import Label, build_label
from disclosure.overlay import DisclosureOverlay, DisclosureOverlayOptions
from disclosure.placement import Placement
from effects.classification import ClassificationResult
from effects.spec import EffectSpec


@dataclass(frozen=True, slots=True)
class DisclosureStageOptions:
    """``language``: a catalogue in disclosure/messages; ``show_chips``: also draw playful
    effects' name chips; ``overlay``: the overlay's look (defaults use the bundled Roboto)."""

    language: str = "en"
    show_chips: bool = False
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
        self._overlay.draw_into(out, label, [t.box for t in frame.tracks])
        out.flags.writeable = False  # hand it over to the frame without another copy
        return frame.with_pixels(out)

    def close(self) -> None:
        self._overlay.close()

    def __enter__(self) -> DisclosureStage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
