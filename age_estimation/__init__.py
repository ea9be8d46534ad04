"""SafeLens: on-device age estimation from face landmarks.

- ``align``: five MediaPipe landmarks -> dlib's 5-point template -> a 64x64 RGB chip.
- ``model``: the vendored ONNX model (the only module that imports onnxruntime).
- ``prediction``: the 81-class distribution and its summary (estimate, range, P(<18), P(<13)).
- ``aggregate``: per-track sliding-window aggregation into an ``AgeSignal``.
- ``worker``: ``AgeEstimator``, the model on its own thread; the frame path only submits.
- ``calibration``: an optional monotone map fitted on an operator's labelled set.
- ``still``, ``evaluate``, ``report``: still images, labelled-folder evaluation, its text report.

Inputs are numpy arrays; nothing here imports the rest of SafeLens.
"""
