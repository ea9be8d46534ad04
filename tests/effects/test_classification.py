"""effects.classification: the one plain-data form of a classifier result (to_dict / from_dict)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from effects.classification import Category, Change, ClassificationFormatError, ClassificationResult, Reason

RESULT = ClassificationResult(
    "face_slimming", "1.0.0", Category.APPEARANCE_ALTERING, 0.9,
    (Reason(Change.SLIMS_JAW, -8.4, -9.1, -7.8, "%", 12, True),
     Reason(Change.ADDS_OVERLAY, 0.12, 0.05, 0.2, "share", 11, False)),
    declared=Category.PLAYFUL, notes=("a note",),
)


def test_round_trips_through_json() -> None:
    data = json.loads(json.dumps(RESULT.to_dict()))
    assert ClassificationResult.from_dict(data) == RESULT
    bare = ClassificationResult("x", "2", Category.PLAYFUL, 1.0)
    assert ClassificationResult.from_dict(bare.to_dict()) == bare


def test_plain_data_form() -> None:
    data = RESULT.to_dict()
    assert data["category"] == "appearance_altering" and data["declared"] == "playful"
    assert data["reasons"][0] == {"change": "slims_jaw", "median": -8.4, "low": -9.1, "high": -7.8, "unit": "%",
                                  "n_faces": 12, "altering": True}
    assert data["notes"] == ["a note"]


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = RESULT.to_dict()
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("category",), "altering", "classification.category: expected one of playful, appearance_altering, "
                                    "found 'altering'"),
        (("confidence",), "high", "classification.confidence: expected a finite number, found 'high'"),
        (("confidence",), 1.5, "classification.confidence: expected a number in [0, 1], found 1.5"),
        (("effect_id",), "", "classification.effect_id: expected a non-empty string, found ''"),
        (("declared",), "maybe", "classification.declared: expected one of playful, appearance_altering, "
                                 "found 'maybe'"),
        (("notes",), "a note", "classification.notes: expected a list of strings, found 'a note'"),
        (("reasons",), {}, "classification.reasons: expected a list, found {}"),
        (("reasons", 1, "median"), None, "classification.reasons[1].median: expected a finite number, found None"),
        (("reasons", 0, "low"), True, "classification.reasons[0].low: expected a finite number, found True"),
        (("reasons", 0, "high"), float("nan"), "classification.reasons[0].high: expected a finite number, found nan"),
        (("reasons", 0, "unit"), "px", "classification.reasons[0].unit: expected one of %, dE, share, found 'px'"),
        (("reasons", 0, "n_faces"), 2.0, "classification.reasons[0].n_faces: expected a whole number >= 0, found 2.0"),
        (("reasons", 0, "altering"), 1, "classification.reasons[0].altering: expected true or false, found 1"),
        (("reasons", 0, "change"), "grows_horns", "classification.reasons[0].change: expected one of "),
        (("reasons", 0), "slims_jaw", "classification.reasons[0]: expected an object, found a str"),
        (("extra",), 1, "classification.extra: expected no such field, found 1"),
    ],
)
def test_from_dict_names_the_bad_field(path: tuple[Any, ...], value: Any, message: str) -> None:
    with pytest.raises(ClassificationFormatError) as info:
        ClassificationResult.from_dict(_with(path, value))
    assert str(info.value).startswith(message)


def test_a_missing_field_is_named_with_the_callers_prefix() -> None:
    data = RESULT.to_dict()
    del data["reasons"][0]["unit"]
    with pytest.raises(ClassificationFormatError, match=r"^cache\.json: result\.reasons\[0\]\.unit: expected a value, "
                                                        r"found nothing \(missing\)$"):
        ClassificationResult.from_dict(data, "cache.json: result")
    with pytest.raises(ClassificationFormatError, match=r"^classification: expected an object, found a list$"):
        ClassificationResult.from_dict([])
