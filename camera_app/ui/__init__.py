"""The Kivy camera app: the only package that imports Kivy.

The widgets are a thin view over :mod:`camera_app.app`: :mod:`camera_app.app.session` is a
plain-Python model of what the app shows (profile, effects and their policy decisions, stats,
age status, notices); :mod:`camera_app.app.worker` runs the chain on its own thread and hands
results back through a ``post`` callable (the Kivy clock in the app). ``kivy_env`` prepares
Kivy's environment before its first import and imports no Kivy itself.
"""
