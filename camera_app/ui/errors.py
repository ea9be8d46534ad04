"""An error in a UI callback is a bug: print it, show it in a banner, keep the app alive."""

from __future__ import annotations

import sys
import traceback

from kivy.base import ExceptionHandler, ExceptionManager

from camera_app.app.session import Banner, BannerKind, Session


class KeepRunning(ExceptionHandler):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return int(ExceptionManager.RAISE)
        traceback.print_exception(inst, file=sys.stderr)
        try:
            self.session.set_banner(Banner(f"{type(inst).__name__}: {inst}", BannerKind.ERROR, sticky=True))
        except Exception:  # noqa: BLE001 - showing the error must not raise another
            pass
        return int(ExceptionManager.PASS)
