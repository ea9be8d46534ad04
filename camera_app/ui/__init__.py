"""The Kivy camera app: the only package that imports Kivy.

The widgets are a thin view. :mod:`camera_app.ui.session` is a plain-Python model of what
the app shows (profile, effects and their policy decisions, stats, age status, notices);
:mod:`camera_app.ui.worker` runs the pipeline on its own thread and hands results back
through a ``post`` callable (the Kivy clock in the app). Modules without ``kivy`` in their
imports (``session``, ``worker``, ``stats``, ``i18n``, ``thumbnails``, ``exports``,
``devices``, ``kivy_env``) are tested without a window.
"""
