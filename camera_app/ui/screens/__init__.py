"""The app's screens: the age gate (first run and new profiles), the profile switcher, the
camera, and the settings."""
