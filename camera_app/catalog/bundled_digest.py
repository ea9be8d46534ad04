"""The SHA-256 of ``assets/effects/classifications.json`` as shipped with this package (written by
``python -m camera_app.cli.bundled_results``; never edit by hand). A bundled file that does not
hash to this is not used: its effects are measured instead."""

BUNDLED_SHA256 = "75527747bb3c40e613394d33d4bf2583612bb2fe010eeaa54410a63a62b9c79b"
