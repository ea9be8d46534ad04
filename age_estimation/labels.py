"""The labels CSV of an evaluation: ``path,age`` and any extra columns that name groups.

``path`` is relative to the evaluated folder or absolute; ``age`` is in years. Every
other column (``source``, ``gender``, ``skin_tone`` ...) is kept as text per image, so
the evaluation can report its figures per group. A column named ``source`` also tells
the bootstrap which images came from the same collection (it resamples within each).
Columns named ``note`` or ``notes`` are free text and never grouped on.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

MAX_LABEL_AGE_YEARS = 130.0
SOURCE_COLUMN = "source"
FREE_TEXT_COLUMNS = frozenset({"note", "notes"})


class EvaluationError(ValueError):
    """The labels file is missing or malformed (the message names file, line and field)."""


@dataclass(frozen=True, slots=True)
class LabelledImage:
    """One row: the resolved path, the path as written, the age, the CSV line, and the extra columns."""

    path: Path
    label: str
    age_years: float
    line: int
    extra: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> str:
        return dict(self.extra).get(name, "")


@dataclass(frozen=True, slots=True)
class LabelSet:
    """The rows of a labels CSV and the names of its extra (group) columns, in file order."""

    images: tuple[LabelledImage, ...]
    group_columns: tuple[str, ...]

    @property
    def has_source(self) -> bool:
        return SOURCE_COLUMN in self.group_columns


def read_labels(csv_path: Path, root: Path) -> LabelSet:
    """Rows of ``path,age[,group columns...]``; a relative path is taken inside ``root``."""
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise EvaluationError(f"{csv_path}: cannot read the labels ({exc.strerror})") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "path" not in header or "age" not in header:
        raise EvaluationError(f"{csv_path}: line 1: expected the columns 'path' and 'age', found {header}")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise EvaluationError(f"{csv_path}: line 1: expected each column once, found {duplicated} more than once")
    extra_columns = tuple(h for h in header if h and h not in ("path", "age") and h.lower() not in FREE_TEXT_COLUMNS)
    images: list[LabelledImage] = []
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        path_text, age_text = row.get("path", ""), row.get("age", "")
        if not path_text:
            raise EvaluationError(f"{csv_path}: line {line}: field 'path': expected a file path, found nothing")
        try:
            age = float(age_text)
        except ValueError:
            raise EvaluationError(f"{csv_path}: line {line}: field 'age': expected a number of years, found {age_text!r}") from None
        if not (0.0 <= age <= MAX_LABEL_AGE_YEARS):
            raise EvaluationError(
                f"{csv_path}: line {line}: field 'age': expected 0 to {MAX_LABEL_AGE_YEARS:g} years, found {age_text!r}"
            )
        path = Path(path_text)
        extra = tuple((name, row.get(name, "")) for name in extra_columns)
        images.append(LabelledImage(path if path.is_absolute() else root / path, path_text, age, line, extra))
    if not images:
        raise EvaluationError(f"{csv_path}: expected at least one labelled image, found none")
    return LabelSet(tuple(images), extra_columns)
