"""The committed dose-response curves (assets/effects/dose_response.json) against the rule.

The curves are the measured case for where each line sits: for every appearance-altering op,
swept on all reference faces (adults and children apart). No classifier run here: the data is
checked for being current and for agreeing with the rule's lines, so that a line moved
without new curves, or a swept setting a person can see that the rule calls playful, fails.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from camera_app.catalog.classifications import classifier_fingerprint
from camera_app.creator.dose_response import SWEEPS, first_altering
from camera_app.creator.op_reference import DOSE_RESPONSE, load_dose_response
from effects.classify.rules import line_for

GROUPS = ("adults", "children")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded = load_dose_response()
    assert loaded is not None, f"{DOSE_RESPONSE} is missing: run python -m camera_app.cli.dose_response"
    return loaded


def test_the_curves_are_current_for_this_classifier_and_these_sweeps(data: dict[str, Any]) -> None:
    assert data["classifier_fingerprint"] == classifier_fingerprint(), (
        "the classifier changed since the curves were measured: run python -m camera_app.cli.dose_response")
    assert [s["key"] for s in data["sweeps"]] == [s.key for s in SWEEPS]
    assert data["faces"]["adults"] >= 30 and data["faces"]["children"] >= 5, "all reference faces, not the quick set"


@pytest.mark.parametrize("group", GROUPS)
def test_no_swept_setting_at_or_over_a_line_is_judged_playful(data: dict[str, Any], group: str) -> None:
    missed = []
    for sweep in data["sweeps"]:
        line = line_for(sweep["metric"])
        assert line is not None, sweep["metric"]
        for p in sweep["points"]:
            value = p[group]["median"]
            if value is not None and abs(value) >= line and p[group]["category"] != "appearance_altering":
                missed.append(f"{sweep['key']} {sweep['param']}={p['value']}: {value:.3f} >= {line}")
    assert not missed, missed


@pytest.mark.parametrize("group", GROUPS)
def test_every_altering_op_is_caught_within_its_sweep_and_stays_caught(data: dict[str, Any], group: str) -> None:
    for sweep in data["sweeps"]:
        points = sweep["points"]
        assert points[0][group]["category"] == "playful", f"{sweep['key']}: no change must be playful"
        turn = first_altering(points, group)
        assert turn is not None, f"{sweep['key']}: never judged altering on {group} within the sweep"
        assert sweep["altering_from"][group] == turn
        after = [p for p in points if abs(p["value"] - points[0]["value"]) >= abs(turn - points[0]["value"])]
        assert all(p[group]["category"] == "appearance_altering" for p in after), (
            f"{sweep['key']}: playful again above {turn} on {group}")


def test_each_line_sits_above_the_noise_the_other_ops_make(data: dict[str, Any]) -> None:
    for metric, noise in data["noise"].items():
        line = line_for(metric)
        assert line is not None and abs(noise["max_median"]) < line, (metric, noise, line)


def test_the_curves_rise_with_the_dose(data: dict[str, Any]) -> None:
    """The measure grows with the swept value (a measure that did not could not justify a line)."""
    for sweep in data["sweeps"]:
        adults = [abs(p["adults"]["median"]) for p in sweep["points"] if p["adults"]["median"] is not None]
        assert adults[-1] > 3 * max(adults[0], 1e-3) and not math.isnan(adults[-1]), sweep["key"]
