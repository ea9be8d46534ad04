"""The SHA-256 of ``assets/effects/classifications.json`` as shipped with this package (written by
``python -m camera_app.cli.bundled_results``; never edit by hand). A bundled file that does not
hash to this is not used: its effects are measured instead."""

BUNDLED_SHA256 = "81454b5a3aacce655d615ef2b60058466a69fa6b8a7b3c2b7ba7727c3ad17249"
