"""Support resources: the helplines file is valid and sourced, the card a person sees for each
report reason and country, sensitive searches show the card instead of results."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from camera_app.cli import main
from camera_app.support.helplines import EU, SupportDataError, Topic, load_helplines, support_card
from camera_app.support.sensitive import SUPPORT_TOPICS, ReportReason, is_sensitive_search


def test_every_helpline_has_a_source_and_a_check_date_or_says_it_is_unchecked() -> None:
    lines = load_helplines()
    assert {h.number for h in lines if h.country == EU} >= {"112", "116 111", "116 123"}
    for h in lines:
        assert h.source.startswith("https://"), h
        assert h.checked is None or date(2020, 1, 1) <= h.checked <= date.today(), h
    france = {h.number for h in lines if h.country == "FR" and h.verified}
    assert france >= {"3018", "3114"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("number", '"31 14 abc"', "helpline[0].number: expected digits in groups"),
        ("source", '"http://example.org"', "helpline[0].source: expected an https:// address"),
        ("checked", '"07/12/2026"', "helpline[0].checked: expected YYYY-MM-DD"),
        ("country", '"France"', "helpline[0].country: expected an ISO country code"),
        ("topics", '["sadness"]', "helpline[0].topics: expected a list from"),
    ],
)
def test_a_malformed_entry_names_the_entry_and_field(tmp_path: Path, field: str, value: str, message: str) -> None:
    entry = {"country": '"EU"', "name": '"Emergency"', "number": '"112"', "topics": '["emergency"]',
             "source": '"https://example.org"', "checked": '"2026-12-01"', field: value}
    (tmp_path / "h.toml").write_text("[[helpline]]\n" + "\n".join(f"{k} = {v}" for k, v in entry.items()) + "\n")
    with pytest.raises(SupportDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_helplines(tmp_path / "h.toml")


def test_french_cards_for_the_reasons_that_call_for_one() -> None:
    self_harm = support_card("FR", "fr", SUPPORT_TOPICS[ReportReason.SELF_HARM])
    harassment = support_card("FR", "fr", SUPPORT_TOPICS[ReportReason.HARASSMENT])
    assert [h.number for h in self_harm.lines][0] == "3114"  # the country's own line first
    assert [h.number for h in harassment.lines][0] == "3018"
    assert "112" in self_harm.text() and "Vous n'êtes pas seul" in self_harm.text()
    assert ReportReason.BODY_IMAGE not in SUPPORT_TOPICS and ReportReason.OTHER not in SUPPORT_TOPICS


def test_a_country_without_checked_lines_falls_back_to_the_eu_numbers() -> None:
    germany = support_card("DE", "en")
    assert [h.number for h in germany.lines] == ["116 111", "116 123"]
    assert [h.number for h in germany.unchecked] == ["0800 111 0 111"]  # shown, marked as unchecked
    assert "not checked recently" in germany.text()
    nowhere = support_card("IT", "en", (Topic.HARASSMENT,))
    assert [h.number for h in nowhere.lines] == ["116 111", "116 123"] and not nowhere.unchecked


@pytest.mark.parametrize("text", ["suicide", "Self-Harm", "selfharm", "s3lf h4rm", "suicde", "kill my self",
                                  "anorexia", "pro ana", "thinspo", "anoréxie", "boulimie", "me scarifier",
                                  "automutilation", "se suicider", "SUICIIIIDE"])
def test_sensitive_searches(text: str) -> None:
    assert is_sensitive_search(text)


@pytest.mark.parametrize("text", ["glam", "bunny ears", "cute cat", "scarf", "kitten", "vintage film", "comic",
                                  "sunglasses", "party", "lèvres"])
def test_ordinary_searches(text: str) -> None:
    assert not is_sensitive_search(text)


def test_effects_list_search_shows_the_card_instead_of_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    assert main(["support", "country", "FR", "--data-dir", data]) == 0
    capsys.readouterr()
    assert main(["effects", "list", "--search", "pro-ana", "--language", "fr", "--data-dir", data, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "support_card" in out and out["support_card"]["country"] == "FR"
    assert [h["number"] for h in out["support_card"]["helplines"]][0] == "3114"
    assert main(["effects", "list", "--search", "oreilles lapin", "--json"]) == 0  # the French name
    assert [e["id"] for e in json.loads(capsys.readouterr().out)] == ["bunny_ears"]


def test_country_setting_refuses_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["support", "country", "France", "--data-dir", str(tmp_path)]) == 2
    assert "expected a two-letter ISO country code" in capsys.readouterr().err
