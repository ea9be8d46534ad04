"""The SHA-256 of ``assets/effects/classifications.json`` as shipped with this package (written by
``python -m camera_app.cli.bundled_results``; never edit by hand). A bundled file that does not
hash to this is not used: its effects are measured instead."""

BUNDLED_SHA256 = "56b98b42729056d9813eaf476e54e43023d166486b35974648beb76157c7a933"
