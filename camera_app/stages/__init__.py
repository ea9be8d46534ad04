"""Pipeline stages after tracking: age estimation, the review watch, the gated effects, the disclosure label and the mesh overlay.

The effect stage is built only by the chain builder (``camera_app.runtime.chain``) behind the policy gate."""
