"""SafeLens: camera_app."""
