"""What the processing worker and the UI exchange: its options, the frames it shows, its events,
and the HUD's reading of the live age check."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from camera_app.app.config import AppConfig
from camera_app.app.devices import find_device
from camera_app.app.exports import EXPORTS_FOLDER
from camera_app.app.session import AgeState, AgeStatus, FrameUpdate, Settings
from camera_app.app.stats import DEFAULT_BUDGET_MS
from camera_app.paths import identity_dir
from camera_app.policy.rules import FacesInView, Live, PolicyOptions, live_fact


class EventKind(StrEnum):
    STARTED = "started"  # frames are flowing (after a start or a reconnect)
    SOURCE_LOST = "source_lost"  # a camera failed: retrying
    SOURCE_FAILED = "source_failed"  # a file cannot be played: waiting for new settings
    ERROR = "error"  # something unexpected: retrying
    SNAPSHOT_SAVED = "snapshot_saved"
    RECORDING_STARTED = "recording_started"
    RECORDING_SAVED = "recording_saved"
    EXPORT_FAILED = "export_failed"


@dataclass(frozen=True, slots=True)
class WorkerEvent:
    kind: EventKind
    text: str = ""
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class WorkerOutput:
    """The newest frame as shown (label drawn) and its report."""

    pixels: np.ndarray
    update: FrameUpdate
    label_rect: tuple[int, int, int, int] | None = None  # x, y, w, h of the label plate, frame pixels
    applied: tuple[str, ...] = ()  # the effects applied to this frame


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    source: str = "demo"
    resolution: str = "720p"
    seed: int = 0
    budget_ms: float = 1000.0 / 30.0
    max_faces: int = 2
    policy: PolicyOptions = field(default_factory=PolicyOptions)
    language: str = "en"
    age_check: bool = True
    retry_s: float = 1.0
    export_dir: Path = Path("exports")
    identity_dir: Path = Path("provenance")
    data_dir: Path | None = None  # the profile store, for the under-13 review watch (None: no watch)
    policy_record: dict[str, Any] | None = None  # the policy settings recorded in exports' provenance
    frame_size: tuple[int, int] | None = None  # a phone's front camera (width, height); None: the source's own
    mirror: bool = False  # a selfie preview: shown mirrored (exports are not)


def age_status(signal: FacesInView | None, enabled: bool, options: PolicyOptions) -> AgeStatus:
    """What the HUD says about the live age check (the same reading as the policy's)."""
    if not enabled:
        return AgeStatus(AgeState.OFF)
    live = live_fact(signal, options)
    if live is Live.NO_FACE:
        return AgeStatus(AgeState.NO_FACE)
    faces = () if signal is None else signal.faces
    youngest = min((f.estimate_years for f in faces if f.samples >= options.min_samples), default=None)
    state = {Live.BELOW: AgeState.POSSIBLY_MINOR, Live.TOO_FEW_SAMPLES: AgeState.MEASURING}.get(live, AgeState.ADULT)
    return AgeStatus(state, youngest, len(faces))


def options_for_app(settings: Settings, cfg: AppConfig, policy: PolicyOptions, policy_record: dict[str, Any],
                    data_dir: Path) -> WorkerOptions:
    """The worker's options for the app's settings: the device profile's resolution, frame
    budget and front camera (portrait frames, mirrored preview), the effective policy (recorded
    in exports beside the installation's settings)."""
    device = find_device(settings.device)
    camera = device.front_camera if device is not None else None
    return WorkerOptions(
        source=settings.source,
        resolution=device.resolution if device is not None else settings.resolution,
        seed=cfg.seed,
        budget_ms=device.budget_ms if device is not None else DEFAULT_BUDGET_MS,
        policy=policy,
        policy_record={**policy_record, "effective": {
            "mode": policy.mode.value, "challenge_age_years": float(policy.challenge_age_years)}},
        language=settings.language,
        export_dir=cfg.export_dir or (data_dir / EXPORTS_FOLDER),
        identity_dir=identity_dir(data_dir),
        data_dir=data_dir,
        frame_size=camera.size if camera is not None else None,
        mirror=camera is not None,
    )
