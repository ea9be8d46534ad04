"""``safelens app``: the Kivy camera app.

With ``--screenshot PNG --quit-after-frames N`` the real app runs, saves a picture of its
window after N processed frames and exits (for QA and tests; without a display it renders
offscreen). On a machine without a display and without ``--screenshot`` (and without
``SDL_VIDEODRIVER=offscreen``), a window cannot open: the command says so and runs the same
app offscreen for a few seconds instead, with every flag it was given (source, profile,
effect, data folder, policy, language), records what it shows and prints where the video and
a screenshot went. Only when no ``--profile`` is named does it use an adult demo profile (in
a throwaway data folder, with ``glam`` unless ``--effect`` says otherwise), and it says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from camera_app.cli.common import CliError, add_command, challenge_age, data_folder

DEMO_OUT = Path("out")
DEMO_FRAMES = 150


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}")
    return int(text)


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not (320 <= int(parts[0]) <= 7680 and 240 <= int(parts[1]) <= 4320):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT like 1280x800, found {text!r}")
    return int(parts[0]), int(parts[1])


def register(subparsers: Any) -> None:
    from camera_app.capture import RESOLUTIONS
    from camera_app.app.i18n import available_languages

    p = add_command(
        subparsers,
        "app",
        "Open the SafeLens camera app (live preview, effects, age gate, disclosure labels).",
        "safelens app --source demo --device flagship_phone",
    )
    p.add_argument("--source", default="demo", metavar="SRC", help="camera:N, demo, or a video or image path (default demo)")
    p.add_argument("--profile", metavar="NAME", help="open the camera for this existing profile (skips the profile switcher)")
    p.add_argument("--effect", metavar="ID", help="start with this effect chosen (ids from `safelens effects list`)")
    p.add_argument("--data-dir", metavar="DIR", type=data_folder, help="the folder of profiles, caches and exports (default: the user data folder)")
    p.add_argument("--export-dir", metavar="DIR", help="where snapshots and recordings go (default: DATA_DIR/exports)")
    p.add_argument("--effects-dir", action="append", default=[], metavar="DIR", help="more effects besides the built-in ones")
    p.add_argument("--resolution", choices=list(RESOLUTIONS), default="720p", help="demo and camera size (default 720p)")
    p.add_argument("--language", choices=list(available_languages()), default="en", help="language of the app (default en)")
    p.add_argument("--policy-mode", choices=["assured", "declared"], default=None,
                   help="assured: declared age and live age check; 'declared' only where the installation is set to it "
                        "(`safelens policy set --mode`); default: the installation's")
    p.add_argument("--challenge-age", type=challenge_age, default=None, metavar="YEARS",
                   help="raise the installation's challenge age for this session (never lower it)")
    p.add_argument("--device", metavar="NAME",
                   help="run as this device (ids in assets/devices): a phone's screen shape, density, safe area, "
                        "portrait front camera and frame budget")
    p.add_argument("--size", type=_size, default=None, metavar="WxH",
                   help="window size (default 1280x800; with --device: the box the screen is scaled to fit, default 1600x900)")
    p.add_argument("--hud", action="store_true", help="start with the HUD shown")
    p.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the window after --quit-after-frames frames, then exit")
    p.add_argument("--quit-after-frames", type=_positive_int, metavar="N",
                   help="exit after N processed frames (with --screenshot: take it then; default 30)")
    p.add_argument("--record", action="store_true",
                   help="start recording as soon as the chosen effect is applied; the video is saved on exit")
    p.add_argument("--offscreen", action="store_true", help="render without a window (SDL offscreen driver)")
    p.add_argument("--display-stats", metavar="JSON",
                   help="for benchmarks and QA: time the display path (texture upload, UI work per frame, redraws) "
                        "and write the samples and frame counts to this file at exit (no pixels)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from camera_app.ui import kivy_env

    wants_window = args.screenshot is None and args.quit_after_frames is None and not args.offscreen
    if wants_window and not kivy_env.has_display() and not kivy_env.forced_offscreen():
        return _no_display_demo(args)
    _check(args)
    window, density = _window(args)
    try:
        kivy_env.prepare(offscreen=args.offscreen or not kivy_env.has_display(), data_dir=args.data_dir,
                         density=density)
    except OSError as exc:  # PrivateFolderError: a planted or shared Kivy home
        raise CliError(str(exc)) from exc
    from camera_app.app.config import AppConfig
    from camera_app.ui.launch import launch
    from camera_app.app.session import Settings

    screenshot = Path(args.screenshot) if args.screenshot else None
    config = AppConfig(
        settings=Settings(source=args.source, resolution=args.resolution, device=args.device,
                          policy_mode=args.policy_mode, language=args.language),
        profile=args.profile,
        effect=args.effect,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        effects_dirs=tuple(args.effects_dir),
        export_dir=Path(args.export_dir) if args.export_dir else None,
        screenshot=screenshot,
        quit_after_frames=args.quit_after_frames or (30 if screenshot is not None else None),
        window_size=window,
        hud=args.hud,
        record=args.record,
        challenge_age=args.challenge_age,
        display_stats=Path(args.display_stats) if args.display_stats else None,
    )
    return launch(config)


def _window(args: argparse.Namespace) -> tuple[tuple[int, int], float | None]:
    """The window size and Kivy's density: a device's screen scaled to fit the desktop (so dp
    keep their size relative to the screen), else ``--size``."""
    from camera_app.app.devices import find_device

    device = find_device(args.device)
    if device is None or device.screen is None:
        return args.size or (1280, 800), None
    size, scale = device.screen.window_size(*(args.size or (1600, 900)))
    return size, device.screen.density * scale


def _check(args: argparse.Namespace, demo_profile: bool = False) -> None:
    """Fail before a window opens: unknown profile, effect or device, a source that cannot be used."""
    from camera_app.app.devices import DeviceProfileError, load_devices

    try:
        devices = load_devices()
    except DeviceProfileError as exc:
        raise CliError(str(exc)) from exc
    stats = getattr(args, "display_stats", None)
    if stats is not None and not Path(stats).expanduser().resolve().parent.is_dir():
        raise CliError(f"--display-stats: the folder of {stats} does not exist")
    if args.device is not None and args.device not in {d.device_id for d in devices}:
        raise CliError(f"--device: unknown device {args.device!r}; expected one of {', '.join(d.device_id for d in devices)}")
    from camera_app.catalog.effects import load_registry
    from camera_app.profiles import ProfileNotFoundError, ProfileStore, ProfileStoreError
    from camera_app.capture import SourceError, open_source
    from effects.spec import EffectSpecError

    try:
        open_source(args.source, resolution=args.resolution)
    except SourceError as exc:
        raise CliError(f"--source: {exc}") from exc
    if args.source not in ("demo",) and not args.source.startswith("camera:") and not Path(args.source).is_file():
        raise CliError(f"--source: {args.source} does not exist")
    try:
        registry = load_registry(args.effects_dir)
    except EffectSpecError as exc:
        raise CliError(str(exc)) from exc
    if args.effect is not None and args.effect not in registry:
        raise CliError(f"--effect: unknown effect {args.effect!r}; expected one of {', '.join(registry.ids)}")
    if args.effect is not None and args.profile is None and not demo_profile:
        raise CliError("--effect needs --profile NAME (effects are chosen for a profile)")
    from camera_app.policy.rules import PolicyError
    from camera_app.policy.settings import PolicySettings, effective_options, load_settings

    try:
        if demo_profile:  # a fresh throwaway data folder: the default settings
            effective_options(PolicySettings(), challenge_age_years=args.challenge_age, mode=args.policy_mode)
            return
        with ProfileStore(args.data_dir) as store:
            if args.profile is not None:
                store.get(args.profile)
            effective_options(load_settings(store), challenge_age_years=args.challenge_age, mode=args.policy_mode)
    except ProfileNotFoundError as exc:
        raise CliError(f"--profile: {exc}; create one with `safelens profile create --name NAME --birthdate YYYY-MM-DD`") from exc
    except (ProfileStoreError, PolicyError) as exc:
        raise CliError(str(exc)) from exc


def _no_display_demo(args: argparse.Namespace) -> int:
    """No display: say so, then run the real app offscreen with the same flags and keep a
    recording and a screenshot."""
    throwaway = args.profile is None
    _check(args, demo_profile=throwaway)
    out = DEMO_OUT.resolve()
    data_dir = Path(tempfile.mkdtemp(prefix="safelens-demo-data-")) if throwaway else args.data_dir
    profile = "Demo" if throwaway else args.profile
    effect = args.effect if args.effect is not None else ("glam" if throwaway else None)
    who = ("an adult demo profile (no --profile was named; it lives in a throwaway data folder)" if throwaway
           else f"profile {profile}")
    print(
        "safelens app: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so no window can open.\n"
        f"Rendering the app offscreen instead: source {args.source}, {who}, effect {effect or 'none'}, "
        f"{DEMO_FRAMES} frames, into {out}/ ...",
        file=sys.stderr,
    )
    out.mkdir(parents=True, exist_ok=True)
    try:
        if throwaway:
            from camera_app.profiles.store import ProfileStore

            with ProfileStore(data_dir) as store:
                today = store.today()
                store.create_profile(profile, date(today.year - 35, 1, 1))
        command = [
            sys.executable, "-c", "from camera_app.cli import main; raise SystemExit(main())",
            "app", "--source", args.source, "--resolution", args.resolution, "--language", args.language,
            "--profile", profile, "--export-dir", str(Path(args.export_dir).resolve() if args.export_dir else out),
            "--hud", "--screenshot", str(out / "app.png"), "--quit-after-frames", str(DEMO_FRAMES), "--offscreen",
            "--record",
        ]
        if args.device is not None:
            command += ["--device", args.device]
        if args.size is not None:
            command += ["--size", f"{args.size[0]}x{args.size[1]}"]
        if data_dir is not None:
            command += ["--data-dir", str(data_dir)]
        if effect is not None:
            command += ["--effect", effect]
        if args.policy_mode is not None:
            command += ["--policy-mode", args.policy_mode]
        if args.challenge_age is not None:
            command += ["--challenge-age", f"{args.challenge_age:g}"]
        for folder in args.effects_dir:
            command += ["--effects-dir", folder]
        try:
            done = subprocess.run(command, env=dict(os.environ, SDL_VIDEODRIVER="offscreen"), check=False, timeout=900)
        except subprocess.TimeoutExpired:
            raise CliError("the offscreen app did not finish within 15 minutes") from None
        if done.returncode != 0:
            raise CliError(f"the offscreen app exited with code {done.returncode}")
    finally:
        if throwaway:
            shutil.rmtree(data_dir, ignore_errors=True)
    videos = sorted(out.glob("safelens-*.mp4"), key=lambda p: p.stat().st_mtime)
    print(f"screenshot of the app: {out / 'app.png'}")
    if videos:
        print(f"recording of the app (label burned in where an appearance-altering effect was applied, signed): {videos[-1]}")
        print(f"check it with: safelens inspect {videos[-1]}")
    print("On a machine with a display, `safelens app` opens the window.")
    return 0
