"""Drive the real app through the flows a new user tries, headless, and write a report.

Run as a script (Kivy allows one App per process): ``python app_scenario.py OUT_DIR``.
It opens the app on a fresh data folder with the demo feed, then, step by step on the
Kivy clock: the first-run gate (empty form), a teen profile through the gate, the lock on
an appearance-altering effect and its reason, the profile switcher, an adult profile through
the gate, glam applied once the live age check is steady (label in the window), a snapshot,
the info sheet, the HUD, the settings, and a refused under-13 sign-up. Screenshots go to
OUT_DIR; ``report.json`` holds what the test asserts on.

The built-in effects' categories and label reasons come from their bundled classifier
results (assets/effects/classifications.json), as in a real first start: nothing is measured.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from camera_app.ui import kivy_env  # noqa: E402

kivy_env.prepare(offscreen=True)
from camera_app.ui.launch import configure_window  # noqa: E402

WINDOW = (1280, 800)
configure_window(*WINDOW)

from kivy.clock import Clock  # noqa: E402
from scenario_steps import Script  # noqa: E402

from camera_app.ui.app import SafeLensApp  # noqa: E402
from camera_app.app.config import AppConfig  # noqa: E402
from camera_app.app.worker_messages import EventKind  # noqa: E402

STEP_TIMEOUT_S = 90.0


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data_dir = out / "data"
    app = SafeLensApp(AppConfig(data_dir=data_dir, export_dir=out / "exports", window_size=WINDOW))
    script = Script(app, out, lambda name: name, STEP_TIMEOUT_S)
    r = script.report
    today = date.today()

    def screen() -> str:
        """The current screen once its transition has finished ("" while one runs)."""
        manager = getattr(app, "manager", None)
        if manager is None or manager.transition.is_active:
            return ""
        return str(manager.current)

    def frames_after(n: int) -> Callable[[], bool]:
        start = app.session.frames_shown
        return lambda: app.session.frames_shown >= start + n

    def fill_gate(name: str, born: date) -> None:
        gate = app.screens["gate"]
        gate.name_input.text = name
        gate.pick(born.day, born.month, born.year)
        gate.continue_button.dispatch("on_release")

    def record_gate() -> None:
        gate = app.screens["gate"]
        r["gate"] = {
            "day": gate.day.text, "month": gate.month.text, "year": gate.year.text,
            "years": gate.year.values, "texts": [w.text for w in gate.walk() if hasattr(w, "text") and isinstance(w.text, str)],
        }
        script.shot("01_gate")

    def tap_effect(effect_id: str) -> None:
        app.screens["camera"].carousel.items[effect_id].dispatch("on_release")

    def record_teen_lock() -> None:
        sheet = app.sheet
        r["teen_lock"] = {
            "sheet_open": sheet is not None and sheet.parent is not None,
            "reason": getattr(sheet, "reason", None).text if sheet is not None else None,
            "locked": app.session.is_locked("glam"),
            "item_locked": app.screens["camera"].carousel.items["glam"].locked,
            "playful_locked": app.session.is_locked("bunny_ears"),
            "decision": app.session.decision_for("glam").code.value if app.session.decision_for("glam") else None,
            "label_rect": app.last_output.label_rect if app.last_output else None,
            "textures_created": app.screens["camera"].preview.textures_created,
            "frames_shown": app.screens["camera"].preview.frames_shown,
        }
        script.shot("03_teen_glam_locked")

    def label_window_rect() -> list[float] | None:
        camera = app.screens["camera"]
        rect = camera._label_window_rect()
        return None if rect is None else [float(v) for v in rect]

    def record_adult() -> None:
        camera = app.screens["camera"]
        r["adult"] = {
            "label_rect": app.last_output.label_rect if app.last_output else None,
            "label_window_rect": label_window_rect(),
            "window_size": list(WINDOW),
            "decision": app.session.decision_for("glam").code.value,
            "age": app.session.age.state.value,
            "textures_created": camera.preview.textures_created,
            "frames_shown": camera.preview.frames_shown,
        }
        script.shot("06_adult_glam_label")

    def after_snapshot() -> bool:
        event = app.last_event
        if event is not None and event.kind in (EventKind.SNAPSHOT_SAVED, EventKind.EXPORT_FAILED):
            r["snapshot"] = {"kind": event.kind.value, "path": str(event.path) if event.path else None, "text": event.text}
            return True
        return False

    def record_info() -> None:
        r["info"] = {"lines": list(getattr(app.sheet, "lines", []))}
        script.shot("07_glam_info_sheet")

    def record_unavailable() -> None:
        gate = app.screens["gate"]
        r["unavailable"] = {
            "shown": gate.unavailable,
            "texts": [w.text for w in gate.walk() if hasattr(w, "text") and isinstance(w.text, str)],
        }
        script.shot("10_signup_unavailable")

    script.add("gate shown", lambda: None, lambda: screen() == "gate")
    script.add("gate recorded", record_gate)
    script.add("teen created", lambda: fill_gate("Sam", date(today.year - 15, 6, 15)),
               lambda: screen() == "camera" and app.session.frames_shown >= 15)
    script.add("teen camera", lambda: script.shot("02_teen_camera"))
    script.add("teen taps glam", lambda: tap_effect("glam"), frames_after(10))
    script.add("teen lock recorded", record_teen_lock)
    script.add("teen lock closed", lambda: app._close_sheet())
    script.add("teen taps bunny ears", lambda: tap_effect("bunny_ears"), frames_after(20))
    script.add("teen playful", lambda: (r.__setitem__("teen_playful", {
        "locked": app.session.is_locked("bunny_ears"), "sheet": app.sheet is not None}), script.shot("04_teen_bunny_ears")))
    script.add("profiles", lambda: app.show_profiles(), lambda: screen() == "profiles")
    script.add("profiles shot", lambda: script.shot("05_profiles"))
    script.add("add profile", lambda: app.screens["profiles"].cards["+"].dispatch("on_release"), lambda: screen() == "gate")
    script.add("adult created", lambda: fill_gate("Ada", date(today.year - 38, 3, 9)),
               lambda: screen() == "camera" and app.session.profile is not None and app.session.profile.name == "Ada")
    script.add("adult taps glam", lambda: tap_effect("glam"),
               lambda: app.last_output is not None and app.last_output.label_rect is not None
               and app.session.frames_shown > 30)
    script.add("label settles", lambda: None, frames_after(8))
    script.add("adult recorded", record_adult)
    script.add("snapshot", lambda: app.snapshot(), after_snapshot)
    script.add("info sheet", lambda: app.show_info("glam"), frames_after(3))
    script.add("info recorded", record_info)
    def report_self_harm() -> None:
        from camera_app.support.country import set_country

        set_country(app.store, "FR")  # the installation's setting (never the network)
        app.show_info("glam")
        app.sheet.report_button.dispatch("on_release")  # "Report" on the info sheet
        app.sheet.choices["Self-harm or suicide"].dispatch("on_release")

    def record_report() -> None:
        from camera_app.policy.reports import ReportQueue

        reports = ReportQueue(app.store).list()
        r["report"] = {"support_numbers": list(getattr(app.sheet, "numbers", [])),
                       "filed": [(x.effect_id, x.reason.value, x.profile_id == app.session.profile.profile_id)
                                 for x in reports]}
        script.shot("07b_report_support_card")

    script.add("report self-harm", report_self_harm, frames_after(3))
    script.add("report recorded", record_report)
    script.add("support closed", lambda: app._close_sheet())

    def search(text: str) -> None:
        app.show_search()
        app.sheet.field.text = text
        app.sheet.search_button.dispatch("on_release")

    def record_search(name: str) -> Callable[[], None]:
        def record() -> None:
            r.setdefault("search", {})[name] = {
                "carousel": [i for i in app.screens["camera"].carousel.items if i is not None],
                "support_numbers": list(getattr(app.sheet, "numbers", [])) if app.sheet is not None else []}
            script.shot(f"07c_search_{name}")
        return record

    script.add("search lapin", lambda: search("lapin"), frames_after(3))
    script.add("search lapin recorded", record_search("lapin"))
    script.add("search sensitive", lambda: search("pro ana tips"), frames_after(3))
    script.add("search sensitive recorded", record_search("sensitive"))
    script.add("search closed", lambda: (app._close_sheet(), app.screens["camera"].set_search(None)))
    def key(code: int, char: str | None) -> None:
        from kivy.core.window import Window

        Window.dispatch("on_key_down", code, 0, char, [])

    def record_keys(name: str) -> Callable[[], None]:
        return lambda: r.setdefault("keys", {}).__setitem__(name, {
            "active": app.session.active_effect_id, "hud": app.session.hud_visible, "screen": screen(),
            "recording": app.session.recording})

    script.add("key right", lambda: key(275, None), frames_after(2))
    script.add("after right", record_keys("right"))
    script.add("key left", lambda: key(276, None), frames_after(2))
    script.add("after left", record_keys("left"))
    script.add("hud on", lambda: key(104, "h"), frames_after(15))
    script.add("hud shot", lambda: (script.shot("08_hud"),
                                    r.__setitem__("hud_landmarks", app.screens["camera"].hud.landmarks.text)))
    script.add("key r", lambda: key(114, "r"), lambda: app.session.recording)
    script.add("recording", lambda: None, frames_after(10))
    script.add("key r again", lambda: key(114, "r"), lambda: not app.session.recording)
    script.add("after r", lambda: r.__setitem__("recording", {
        "event": app.last_event.kind.value, "path": str(app.last_event.path)}))
    script.add("settings", lambda: app.show_settings(), lambda: screen() == "settings")
    script.add("settings shot", lambda: script.shot("09_settings"))
    script.add("esc from settings", lambda: key(27, None), lambda: screen() == "camera")
    script.add("esc from camera", lambda: key(27, None), lambda: screen() == "profiles")
    script.add("after esc", record_keys("esc"))
    script.add("gate again", lambda: app.show_gate(), lambda: screen() == "gate")
    script.add("child refused", lambda: fill_gate("Kid", date(today.year - 9, 2, 1)),
               lambda: app.screens["gate"].unavailable)
    script.add("unavailable recorded", record_unavailable)
    script.add("ok", lambda: next(w for w in app.screens["gate"].walk() if getattr(w, "text", "") == "OK").dispatch(
        "on_release"), lambda: screen() == "profiles")
    script.add("pick adult", lambda: app.screens["profiles"].cards["Ada"].dispatch("on_release"),
               lambda: screen() == "camera")
    script.add("settings again", lambda: app.show_settings(), lambda: screen() == "settings")
    script.add("french", lambda: (app.screens["settings"].language.select("fr"), app.screens["settings"].apply()),
               lambda: screen() == "camera")
    script.add("french frames", lambda: app.pick_effect("glam", explain=False),
               lambda: app.last_output is not None and app.last_output.label_rect is not None)
    script.add("french settles", lambda: None, frames_after(8))
    script.add("french recorded", lambda: (r.__setitem__("french", {
        "settings_chip": app.screens["camera"].settings_chip.text, "language": app.session.settings.language}),
        script.shot("11_camera_fr")))

    Clock.schedule_interval(script.tick, 0.1)
    app.run()
    app.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
