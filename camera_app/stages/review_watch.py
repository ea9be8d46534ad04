"""Pipeline stage ``"review_watch"``: opens an under-13 review entry from the live signal.

It reads the live age signal (the same ``SignalSource`` as the policy gate), and when
``ReviewQueue.rule`` holds for the profile's face alone in view it opens one entry
(``ReviewQueue.consider``), marks the gate's subject ``challenged`` at once (so
appearance-altering effects stop from the next frame) and tells the user with a
notice. It never changes pixels and touches the database only when the rule holds. When the
entry cannot be written (the database is locked by another program, the disk is full) the
subject is challenged all the same and the store's error goes on to the caller (``safelens
render`` ends with it, exit code 2, leaving no file).
"""

from __future__ import annotations

import dataclasses

from camera_app.frame import Frame
from camera_app.policy.gate import EffectGate, SignalSource
from camera_app.profiles.errors import ProfileStoreError
from camera_app.profiles.model import Assurance
from camera_app.policy.review import ReviewQueue

UNDER_REVIEW_NOTICE = "This profile's age is being reviewed; effects that change how a face looks are paused."


class ReviewWatchStage:
    name = "review_watch"

    def __init__(self, queue: ReviewQueue, profile_id: int, signals: SignalSource, gate: EffectGate | None = None) -> None:
        self.queue = queue
        self.profile_id = profile_id
        self.signals = signals
        self.gate = gate
        self.opened_entry_id: int | None = None
        self._notices: list[str] = []

    def process(self, frame: Frame) -> Frame:
        if self.opened_entry_id is not None:
            return frame
        faces = self.signals(frame)
        if faces is None or len(faces.faces) != 1 or not self.queue.rule.suspects(faces.faces[0]):
            return frame
        try:
            entry = self.queue.consider(self.profile_id, faces)
        except ProfileStoreError:
            self._challenge()  # fail closed: the entry could not be written, the effects still stop
            raise
        if entry is not None:
            self.opened_entry_id = entry.entry_id
            self._challenge()
            self._notices.append(UNDER_REVIEW_NOTICE)
        return frame

    def _challenge(self) -> None:
        if self.gate is not None:
            self.gate.subject = dataclasses.replace(self.gate.subject, assurance=Assurance.CHALLENGED)

    def take_notices(self) -> list[str]:
        taken, self._notices = self._notices, []
        return taken

    def __enter__(self) -> ReviewWatchStage:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
