"""The SHA-256 of ``assets/effects/classifications.json`` as shipped with this package (written by
``python -m camera_app.cli.bundled_results``; never edit by hand). A bundled file that does not
hash to this is not used: its effects are measured instead."""

BUNDLED_SHA256 = "9d5db8ebfd5e77436739c15cbb0f5375e7be16a8300762e976b5dfbb79a822a9"
