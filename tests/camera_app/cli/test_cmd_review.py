"""The review flow end to end from the command line: a still-frame check flags a child's face,
a reviewer keeps, the decision is appealed once, then removed; an adult asks for a check and
is verified; the audit log shows every step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import PASS, as_mod, passphrases, run

from camera_app.cli import main

FACES = Path(__file__).resolve().parents[3] / "assets" / "faces"
CHILD = FACES / "documerica_543863_child.jpg"  # estimated about 6 by the age model
ADULT = FACES / "nasa_astronaut_eileen_collins.jpg"


def test_review_flow_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "2010-06-01", *d)[0] == 0
    assert run(capsys, "profile", "create", "--name", "Eve", "--birthdate", "1995-06-01", *d)[0] == 0
    assert run(capsys, "moderator", "add", "Mod", *passphrases(PASS), *d)[1] == "added moderator Mod\n"

    # Three frames are not enough for the rule; four are.
    code, out, _ = run(capsys, "review", "check", "--profile", "Sam", *[str(CHILD)] * 3, *d)
    assert code == 0 and "no review entry: the rule needs >= 4 frames" in out
    code, out, _ = run(capsys, "review", "check", "--profile", "Sam", *[str(CHILD)] * 4, *d)
    assert code == 0, out
    assert out.splitlines()[-1] == "opened review entry 1 (suspected_under_13); profile Sam is now challenged"
    code, out, _ = run(capsys, "review", "check", "--profile", "Eve", *[str(ADULT)] * 4, *d)
    assert out.splitlines()[-1].startswith("no review entry")

    code, out, _ = run(capsys, "review", "list", "--json", *d)
    [entry] = json.loads(out)
    assert (entry["id"], entry["kind"], entry["status"], entry["profile"]) == (1, "suspected_under_13", "open", "Sam")
    assert entry["estimate"]["estimate_years"] < 13 and entry["estimate"]["p_under_13"] >= 0.8
    assert entry["estimate"]["samples"] == 4
    assert json.loads(run(capsys, "profile", "show", "Sam", "--json", *d)[1])["assurance"] == "challenged"

    assert run(capsys, "review", "decide", "1", "--keep", *as_mod(), *d)[1] == "entry 1: kept; profile Sam stays\n"
    assert json.loads(run(capsys, "profile", "show", "Sam", "--json", *d)[1])["assurance"] == "declared"
    code, out, _ = run(capsys, "review", "appeal", "1", "--reason", "a younger cousin used the phone", *d)
    assert (code, out) == (0, "entry 1: appeal recorded; the entry is open again\n")
    code, _, err = run(capsys, "review", "appeal", "1", "--reason", "again", *d)
    assert (code, err) == (2, "safelens review: error: review entry 1: it is open; only a decision can be appealed\n")
    assert run(capsys, "review", "decide", "1", "--remove", *as_mod(), *d)[1] == "entry 1: removed; profile Sam was deleted\n"
    assert [r["name"] for r in json.loads(run(capsys, "profile", "list", "--json", *d)[1])] == ["Eve"]
    code, _, err = run(capsys, "review", "decide", "1", "--keep", *as_mod(), *d)
    assert (code, err) == (2, "safelens review: error: review entry 1: already decided (removed); appeal it to reopen it\n")

    assert run(capsys, "review", "request", "--profile", "Eve", *d)[1] == (
        "opened review entry 2 (adult check) for profile Eve\n")
    assert run(capsys, "review", "verify", "2", *as_mod(), *d)[1] == "entry 2: profile Eve is a verified adult\n"
    assert json.loads(run(capsys, "profile", "show", "Eve", "--json", *d)[1])["assurance"] == "verified_adult"

    code, out, _ = run(capsys, "review", "list", *d)
    assert out == "no open review entries\n"
    code, out, _ = run(capsys, "review", "list", "--status", "all", *d)
    lines = out.splitlines()
    assert lines[1].split()[:5] == ["1", "suspected_under_13", "removed", "(removed)", "removed"]
    assert lines[2].split()[:5] == ["2", "adult_check", "verified_adult", "Eve", "verified_adult"]

    code, out, _ = run(capsys, "review", "log", "1", "--json", *d)
    assert [e["action"] for e in json.loads(out)] == ["flagged_suspected_under_13", "decided", "appealed", "decided"]


def test_review_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Tom", "--birthdate", "2010-01-01", *d)
    code, _, err = run(capsys, "review", "request", "--profile", "Tom", *d)
    assert (code, err) == (2, "safelens review: error: an adult check is for profiles whose date of birth is 18 or over\n")
    code, _, err = run(capsys, "review", "verify", "5", *as_mod(), *d)
    assert (code, err) == (2, f"safelens review: error: moderator 'Mod': no such moderator in {tmp_path} "
                              "(`safelens moderator list` shows them)\n")
    run(capsys, "moderator", "add", "Mod", *passphrases(PASS), *d)
    code, _, err = run(capsys, "review", "verify", "5", *as_mod(passphrase="wrong guess"), *d)
    assert (code, err) == (2, "safelens review: error: moderator 'Mod': wrong passphrase\n")
    code, _, err = run(capsys, "review", "verify", "5", *as_mod(), *d)
    assert (code, err) == (2, "safelens review: error: review entry 5: no such entry\n")
    with pytest.raises(SystemExit):
        main(["review", "decide", "1", "--keep", "--remove", "--moderator", "Mod", *d])
    assert "not allowed with argument" in capsys.readouterr().err
    code, _, err = run(capsys, "review", "check", "--profile", "Tom", str(FACES / "missing.jpg"), *d)
    assert code == 2 and "missing.jpg" in err
