"""The SHA-256 of ``assets/effects/classifications.json`` as shipped with this package (written by
``python -m camera_app.cli.bundled_results``; never edit by hand). A bundled file that does not
hash to this is not used: its effects are measured instead."""

BUNDLED_SHA256 = "9be1b2b61932d9bd9cbddea192a7a0ca52cf2acd2e4c81185ce98bca3f3de41c"
