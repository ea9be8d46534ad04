"""Drive the real app as a phone, headless, with synthetic touches, and write a report.

Run as a script (Kivy allows one App per process)::

    python phone_scenario.py OUT_DIR DEVICE LANGUAGE [full|shots]

It opens the app as ``safelens app --device DEVICE`` does (the screen's shape scaled into a
window, Kivy's density scaled with it) on a fresh data folder with a teen and an adult profile
and the demo feed, then on the Kivy clock: the teen's camera (layout, text sizes, portrait
frames), a swipe on the preview, glam locked for the teen (its sheet), a tap on the shutter (a
photo), a held shutter (a video, with its ring), the info sheet, the adult with glam and its
label, a triggered effect (expressions scored only then), and a resize to landscape and back.
``shots`` only takes the teen-lock and adult-glam screenshots. ``report.json`` holds what the
test asserts on; screenshots go to OUT_DIR.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from camera_app.app.devices import find_device  # noqa: E402
from camera_app.ui import kivy_env  # noqa: E402

OUT, DEVICE_ID, LANGUAGE = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
FULL = (sys.argv[4] if len(sys.argv) > 4 else "full") == "full"
DEVICE = find_device(DEVICE_ID)
assert DEVICE is not None and DEVICE.screen is not None, DEVICE_ID
WINDOW, SCALE = DEVICE.screen.window_size(1600, 900)
kivy_env.prepare(offscreen=True, density=DEVICE.screen.density * SCALE)
from camera_app.ui.launch import configure_window  # noqa: E402

configure_window(*WINDOW)

from kivy.clock import Clock  # noqa: E402
from scenario_steps import Script  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.metrics import dp  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from camera_app.app.config import AppConfig  # noqa: E402
from camera_app.app.session import Settings  # noqa: E402
from camera_app.app.worker_messages import EventKind  # noqa: E402
from camera_app.profiles.store import ProfileStore  # noqa: E402
from camera_app.ui.app import SafeLensApp  # noqa: E402
from camera_app.ui.screens.camera_layout import inside, overlaps  # noqa: E402

STEP_TIMEOUT_S = 120.0


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = OUT / "data"
    with ProfileStore(data_dir) as store:
        today = store.today()
        store.create_profile("Sam", date(today.year - 15, 6, 15))
        store.create_profile("Ada", date(today.year - 38, 3, 9))
    app = SafeLensApp(AppConfig(settings=Settings(device=DEVICE_ID, language=LANGUAGE), profile="Sam",
                                data_dir=data_dir, export_dir=OUT / "exports", window_size=WINDOW))
    script = Script(app, OUT, lambda name: f"{DEVICE_ID}_{LANGUAGE}_{name}", STEP_TIMEOUT_S,
                    {"window": list(WINDOW), "density": DEVICE.screen.density * SCALE, "dp": dp(1)})
    r = script.report

    def camera() -> Any:
        return app.screens["camera"]

    def frames_after(n: int) -> Callable[[], bool]:
        start = app.session.frames_shown
        return lambda: app.session.frames_shown >= start + n

    def event_after(kinds: tuple[EventKind, ...]) -> Callable[[], bool]:
        before = app.last_event
        return lambda: app.last_event is not before and app.last_event is not None and app.last_event.kind in kinds

    def window_insets() -> list[float]:
        i = camera().insets()
        return [i.top, i.bottom, i.left, i.right]

    def small_texts() -> list[list[Any]]:
        """Visible texts on the camera screen (and its sheet) smaller than 12 dp."""
        roots = [camera()] + ([app.sheet] if app.sheet is not None else [])
        return [[w.text, w.font_size / dp(1)] for root in roots for w in root.walk()
                if isinstance(w, Label) and w.text.strip() and w.opacity > 0 and w.font_size < dp(12) - 1e-6]

    def off_screen(screen: str = "camera") -> list[str]:
        """Visible controls (chips, texts) that stick out of the window."""
        cam = camera()
        out = []
        for w in app.screens[screen].walk():
            if isinstance(w, Label) and w.text.strip() and w.opacity > 0 and w.get_root_window() is not None:
                x0, y0 = w.to_window(w.x, w.y)
                if any(p is cam.carousel for p in _parents(w)):
                    continue  # the carousel scrolls: its items may run off the edge
                if x0 < -0.5 or y0 < -0.5 or x0 + w.width > Window.width + 0.5 or y0 + w.height > Window.height + 0.5:
                    out.append(w.text)
        return out

    def _parents(w: Any) -> list[Any]:
        found = []
        while w.parent is not None and w.parent is not w:
            w = w.parent
            found.append(w)
        return found

    def record_layout(key: str) -> None:
        cam = camera()
        lay = cam.layout
        r[key] = {
            "phone": lay.phone, "window": [Window.width, Window.height], "preview": [*cam.preview.pos, *cam.preview.size],
            "picture": list(cam.preview.picture_rect), "frame_size": list(cam.preview.frame_size),
            "safe": list(lay.safe), "shutter": [*cam.shutter.pos, *cam.shutter.size], "insets": window_insets(),
            "shutter_in_safe": inside((*cam.shutter.pos, *cam.shutter.size), lay.safe),
            "carousel": [*cam.carousel.pos, *cam.carousel.size], "top_bar": [*cam.top_bar.pos, *cam.top_bar.size],
            "effect_row": [*cam.effect_row.pos, *cam.effect_row.size],
            "record_visible": cam.record_button.opacity > 0, "source_text": app.session.source_text,
            "small_texts": small_texts(), "label_area": cam.label_area, "off_screen": off_screen(),
        }

    def touch(x: float, y: float) -> UnitTestTouch:
        t = UnitTestTouch(x, y)
        t.touch_down()
        return t

    def swipe(dx: float) -> None:
        cam = camera()
        cx, cy = cam.width / 2, cam.layout.content[1] + cam.layout.content[3] / 2
        t = touch(cx - dx / 2, cy)
        t.touch_move(cx, cy + dp(4))
        t.touch_move(cx + dx / 2, cy + dp(6))
        t.touch_up()

    def record_swipe(key: str) -> None:
        r.setdefault("swipes", []).append({"key": key, "active": app.session.active_effect_id})

    held: dict[str, Any] = {}

    def tap_shutter() -> None:
        s = camera().shutter
        touch(s.center_x, s.center_y).touch_up()

    def press_shutter() -> None:
        s = camera().shutter
        held["touch"] = touch(s.center_x, s.center_y)

    def record_holding() -> None:
        s = camera().shutter
        r["hold"] = {"recording": app.session.recording, "progress": s.progress, "ring": s.recording}
        script.shot("recording")

    def release_shutter() -> None:
        held.pop("touch").touch_up()

    def record_snapshot() -> None:
        event = app.last_event
        r["snapshot"] = {"kind": event.kind.value if event else None, "path": str(event.path) if event else None}
        output = app.last_output
        if output is not None:
            import numpy as np
            from PIL import Image

            import cv2

            # The photo and the newest preview may be a frame or two apart (the demo moves): compare
            # them at 1/8 scale, where that motion is small and a left-right flip is not.
            def small(a: np.ndarray) -> np.ndarray:
                return cv2.resize(a, (a.shape[1] // 8, a.shape[0] // 8), interpolation=cv2.INTER_AREA).astype(np.float32)

            shown = np.ascontiguousarray(output.pixels)
            saved = np.asarray(Image.open(event.path).convert("RGB")) if event and event.path else None
            if saved is not None and saved.shape == shown.shape:
                r["snapshot"]["diff_to_preview"] = float(np.abs(small(saved) - small(shown)).mean())
                r["snapshot"]["diff_to_unmirrored_preview"] = float(
                    np.abs(small(saved) - small(np.ascontiguousarray(shown[:, ::-1]))).mean())
            r["snapshot"]["size"] = None if saved is None else [saved.shape[1], saved.shape[0]]

    def tap_widget(widget: Any) -> None:
        x, y = widget.to_window(widget.center_x, widget.center_y)
        touch(x, y).touch_up()

    def record_teen_lock() -> None:
        sheet = app.sheet
        r["teen_lock"] = {"sheet": sheet is not None and sheet.parent is not None,
                          "reason": getattr(getattr(sheet, "reason", None), "text", None),
                          "locked": app.session.is_locked("glam"), "small_texts": small_texts()}
        script.shot("teen_glam_locked")

    def record_info() -> None:
        r["info"] = {"sheet": app.sheet is not None, "lines": list(getattr(app.sheet, "lines", [])),
                     "small_texts": small_texts()}
        script.shot("info_sheet")

    def face_window_rects() -> list[list[float]]:
        chain = app.worker._chain if app.worker is not None else None  # noqa: SLF001 - a test's view
        frame = chain.tap.frame if chain is not None else None
        if frame is None:
            return []
        cam = camera()
        out = []
        for t in frame.tracks:
            x0, x1 = (frame.width - t.box.x1, frame.width - t.box.x0) if cam.mirrored else (t.box.x0, t.box.x1)
            wx0, wy1 = cam.preview.frame_to_window(x0, t.box.y0)
            wx1, wy0 = cam.preview.frame_to_window(x1, t.box.y1)
            out.append([wx0, wy0, wx1 - wx0, wy1 - wy0])
        return out

    def record_adult() -> None:
        cam = camera()
        label = cam._label_window_rect()  # noqa: SLF001 - where the label shows on the screen
        faces = face_window_rects()
        r["adult"] = {
            "label_window_rect": None if label is None else list(label),
            "label_in_safe": label is not None and inside(label, cam.layout.safe),
            "label_in_content": label is not None and inside(label, cam.layout.content, slack=1.5),
            "label_on_face": label is not None and any(overlaps(label, tuple(f)) for f in faces),
            "faces": faces, "decision": app.session.decision_for("glam").code.value,
            "small_texts": small_texts(), "off_screen": off_screen(),
        }
        script.shot("adult_glam_label")

    def trigger_state(key: str) -> None:
        tracker = app.worker._tracker if app.worker is not None else None  # noqa: SLF001 - a test's view
        r.setdefault("blendshapes", {})[key] = bool(getattr(tracker, "blendshapes", None))

    def resize(size: tuple[int, int]) -> None:
        Window.size = size

    script.add("teen camera", lambda: None,
               lambda: app.manager.current == "camera" and app.session.frames_shown >= 15 and camera().label_area is not None)
    script.add("teen layout", lambda: (record_layout("teen_layout"), script.shot("teen_camera")))
    if FULL:
        script.add("swipe left", lambda: swipe(-dp(160)), lambda: app.session.active_effect_id is not None)
        script.add("after swipe left", lambda: record_swipe("left"))
        script.add("swipe left again", lambda: swipe(-dp(160)), frames_after(1))
        script.add("after swipe left again", lambda: record_swipe("left2"))
        script.add("swipe right", lambda: swipe(dp(160)), frames_after(1))
        script.add("after swipe right", lambda: record_swipe("right"))
        script.add("short drag", lambda: swipe(-dp(20)), frames_after(1))
        script.add("after short drag", lambda: record_swipe("short"))
        script.add("back to none", lambda: app.pick_effect(None), frames_after(3))
    script.add("glam in view", lambda: camera().carousel.scroll_to(camera().carousel.items["glam"], animate=False),
               frames_after(2))
    script.add("teen taps glam", lambda: tap_widget(camera().carousel.items["glam"]),
               lambda: app.sheet is not None and app.sheet.parent is not None)
    script.add("teen lock shown", lambda: None, frames_after(3))
    script.add("teen lock recorded", record_teen_lock)
    script.add("teen lock closed", lambda: app.sheets.close())
    if FULL:
        script.add("bunny ears", lambda: app.pick_effect("bunny_ears"), frames_after(10))
        script.add("tap shutter", tap_shutter, event_after((EventKind.SNAPSHOT_SAVED, EventKind.EXPORT_FAILED)))
        script.add("snapshot recorded", record_snapshot)
        script.add("hold shutter", press_shutter, lambda: app.session.recording)
        script.add("holding", lambda: None, frames_after(12))
        script.add("holding recorded", record_holding)
        script.add("release shutter", release_shutter,
                   event_after((EventKind.RECORDING_SAVED, EventKind.EXPORT_FAILED)))
        script.add("release recorded", lambda: r.__setitem__("release", {
            "kind": app.last_event.kind.value, "path": str(app.last_event.path), "recording": app.session.recording}))
        script.add("tap info", lambda: tap_widget(camera().info_button), lambda: app.sheet is not None)
        script.add("info shown", lambda: None, frames_after(3))
        script.add("info recorded", record_info)
        script.add("info closed", lambda: app.sheets.close())
        for name, show in (("settings", app.show_settings), ("profiles", app.show_profiles)):
            script.add(f"{name} shown", show, lambda name=name: app.manager.current == name
                       and not app.manager.transition.is_active)
            script.add(f"{name} recorded", lambda name=name: (
                r.setdefault("screens", {}).__setitem__(name, off_screen(name)), script.shot(name)))
    script.add("adult", lambda: app.use_profile(app.store.get("Ada")), frames_after(3))
    script.add("adult glam", lambda: app.pick_effect("glam", explain=False),
               lambda: app.last_output is not None and app.last_output.label_rect is not None
               and app.session.frames_shown > 40)
    script.add("label settles", lambda: None, frames_after(10))
    # A frame where the label shows and the face is tracked (the live age check or a lost face
    # can take the label away for a frame).
    script.add("label and face", lambda: None,
               lambda: camera()._label_window_rect() is not None and bool(face_window_rects()))  # noqa: SLF001
    script.add("adult recorded", record_adult)
    script.add("hud on", lambda: app.toggle_hud(), frames_after(10))
    script.add("hud recorded", lambda: (r["adult"].__setitem__("hud_text", camera().hud.camera.text),
                                        r["adult"].__setitem__("hud", app.session.hud_visible), script.shot("adult_hud")))
    if FULL:
        script.add("no trigger", lambda: trigger_state("glam"))
        script.add("heart burst", lambda: app.pick_effect("heart_burst"), frames_after(5))
        script.add("trigger state", lambda: trigger_state("heart_burst"))
        script.add("landscape", lambda: resize((WINDOW[1], WINDOW[0])), frames_after(3))
        # (no screenshot here: SDL's offscreen driver keeps its first surface size, a resized window reads back garbled)
        script.add("landscape recorded", lambda: record_layout("landscape_layout"))
        script.add("portrait again", lambda: resize(WINDOW), frames_after(3))
        script.add("portrait recorded", lambda: record_layout("portrait_again"))

    Clock.schedule_interval(script.tick, 0.1)
    app.run()
    app.shutdown()


if __name__ == "__main__":
    main()
