"""SafeLens: on-device age estimation from face landmarks.

- ``align``: five MediaPipe landmarks -> dlib's 5-point template -> a 64x64 RGB chip.
- ``model``: the vendored ONNX model (the only module that imports onnxruntime).
- ``prediction``: the 81-class distribution and its summary (estimate, range, P(<18), P(<13)).
- ``aggregate``: per-track sliding-window aggregation into an ``AgeSignal``.
- ``worker``: ``AgeEstimator``, the model on its own thread; the frame path only submits.
- ``calibration``: an optional monotone map fitted on an operator's labelled set.
- ``still``: estimates for the faces of a still image.
- Evaluation of a labelled folder: ``labels`` (the CSV), ``evaluate`` (running the model),
  ``scores`` (every figure from plain arrays), ``intervals`` (bootstrap and Wilson),
  ``leakage`` (near-exact estimates: training data?), ``operating`` (the challenge age
  meeting a target), ``crossval`` (held-out calibration figures), ``report*`` (text),
  ``plot`` (the operating curve as a PNG; matplotlib, imported only on demand).

Inputs are numpy arrays; nothing here imports the rest of SafeLens.
"""
