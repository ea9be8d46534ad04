"""The classifier's fingerprint: which rules measured a stored result."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def classifier_fingerprint() -> str:
    """SHA-256 over the classifier's source files and the result types (changes with its rules)."""
    import effects.classify

    folder = Path(effects.classify.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), folder.parent / "classification.py"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
