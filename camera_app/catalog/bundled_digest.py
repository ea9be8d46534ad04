"""The SHA-256 of ``assets/effects/classifications.json`` as shipped with this package (written by
``python -m camera_app.cli.bundled_results``; never edit by hand). A bundled file that does not
hash to this is not used: its effects are measured instead."""

BUNDLED_SHA256 = "54cc24273c4dbaa48ab7b5b0ecf3961a3a77f52b3d73bc7d10275beb8149ab07"
