"""Face tracking: the MediaPipe Face Landmarker behind one module (the only importer of mediapipe), its native log filter."""
