"""Reusable Kivy widgets of the app: text, chips, panels, the preview, the carousel, the HUD, sheets."""
