"""Reporting an effect, end to end at the command line: the report reaches the moderators'
queue and the audit log, a report for self-harm shows the helplines at once (and one for a
body-image concern does not), a removed effect is refused by render, an appeal goes to
another moderator, and an edited report record cannot bring a removed effect back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cli_helpers import PASS, as_mod, passphrases, run


def _audit(capsys: pytest.CaptureFixture[str], d: list[str]) -> list[dict]:
    return json.loads(run(capsys, "review", "log", "--json", *d)[1])


def test_a_self_harm_report_shows_the_local_helplines_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "support", "country", "FR", *d)[0] == 0
    assert run(capsys, "profile", "create", "--name", "Lou", "--birthdate", "2009-03-01", *d)[0] == 0
    code, out, _ = run(capsys, "effects", "report", "glam", "--reason", "self_harm", "--profile", "Lou",
                       "--language", "fr", "--text", "ça m'a fait du mal", *d)
    assert code == 0 and "report 1 filed" in out
    assert "3114" in out and "Vous n'êtes pas seul" in out and "112" in out  # at once, in French, for France
    code, out, _ = run(capsys, "effects", "report", "glam", "--reason", "body_image", *d)
    assert code == 0 and "report 2 filed" in out and "3114" not in out  # no card for this reason
    reports = json.loads(run(capsys, "review", "reports", "--json", *d)[1])
    assert [(r["report_id"], r["reason"], r["status"]) for r in reports] == [(1, "self_harm", "open"), (2, "body_image", "open")]
    assert reports[0]["text"] == "ça m'a fait du mal" and reports[0]["profile_id"] == 1
    assert set(reports[0]) == {"report_id", "effect_id", "reason", "text", "profile_id", "status", "moderator",
                               "appeal", "seal_ok"}  # nothing else about the person
    reported = [e for e in _audit(capsys, d) if e["action"] == "effect_reported"]
    assert [e["detail"]["effect_id"] for e in reported] == ["glam", "glam"]


@pytest.mark.slow
def test_removed_effect_is_refused_and_an_appeal_goes_to_another_moderator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "effects", "report", "sparkles", "--reason", "harassment", "--text", "used to mock me", *d)[0] == 0
    assert run(capsys, "moderator", "add", "Alex", *passphrases(PASS), *d)[0] == 0
    assert run(capsys, "moderator", "add", "Sam", "--by", "Alex", *passphrases("sam's passphrase", PASS), *d)[0] == 0
    code, _, err = run(capsys, "review", "report-decide", "1", "--remove", *as_mod("Alex", "wrong"), *d)
    assert code == 2 and "wrong passphrase" in err
    code, out, _ = run(capsys, "review", "report-decide", "1", "--remove", *as_mod("Alex"), *d)
    assert code == 0 and "sparkles removed from this installation (by Alex)" in out

    out_file = tmp_path / "x.mp4"
    code, _, err = run(capsys, "render", "--source", "demo", "--frames", "2", "--effect", "sparkles",
                       "--out", str(out_file), *d)
    assert code == 2 and "sparkles removed from this installation after a report" in err and not out_file.exists()

    assert run(capsys, "review", "report-appeal", "1", "--reason", "it is a playful effect", *d)[0] == 0
    code, _, err = run(capsys, "review", "report-decide", "1", "--keep", *as_mod("Alex"), *d)
    assert code == 2 and "the appeal goes to another moderator than Alex" in err
    assert run(capsys, "review", "report-decide", "1", "--keep", *as_mod("Sam", "sam's passphrase"), *d)[0] == 0
    decided = [(e["detail"]["outcome"], e["detail"]["moderator"]) for e in _audit(capsys, d) if e["action"] == "report_decided"]
    assert decided == [("removed", "Alex"), ("kept", "Sam")]
    code, _, err = run(capsys, "review", "report-appeal", "1", "--reason", "again", *d)
    assert code == 2 and "already appealed once" in err


def test_an_edited_report_cannot_bring_a_removed_effect_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "effects", "report", "comic", "--reason", "hate", *d)[0] == 0
    assert run(capsys, "moderator", "add", "Alex", *passphrases(PASS), *d)[0] == 0
    assert run(capsys, "review", "report-decide", "1", "--remove", *as_mod("Alex"), *d)[0] == 0
    # the attacker, with the sqlite3 tool
    conn = sqlite3.connect(tmp_path / "profiles.db", isolation_level=None)
    conn.execute("UPDATE effect_reports SET status = 'kept' WHERE report_id = 1")
    conn.close()
    reports = json.loads(run(capsys, "review", "reports", "--status", "all", "--json", *d)[1])
    assert reports[0]["status"] == "kept" and reports[0]["seal_ok"] is False
    code, out, _ = run(capsys, "review", "reports", "--status", "all", *d)
    assert "SEAL BROKEN (counts as removed)" in out
    code, _, err = run(capsys, "render", "--source", "demo", "--frames", "2", "--effect", "comic",
                       "--out", str(tmp_path / "x.mp4"), *d)
    assert code == 2 and "comic removed from this installation after a report" in err


def test_report_errors_name_what_is_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    code, _, err = run(capsys, "effects", "report", "nope", "--reason", "other", *d)
    assert code == 2 and "nope" in err
    code, _, err = run(capsys, "effects", "report", "glam", "--reason", "other", "--text", "x" * 501, *d)
    assert code == 2 and "report text: expected at most 500 characters" in err
    code, _, err = run(capsys, "review", "report-decide", "9", "--keep", *as_mod("Alex"), *d)
    assert code == 2
