"""``python -m camera_app.cli``: the same as the ``safelens`` console script."""

from camera_app.cli import main

raise SystemExit(main())
