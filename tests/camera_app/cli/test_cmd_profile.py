"""``safelens profile create|list|show|delete|recover``."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from cli_helpers import run

from camera_app.cli import main
from camera_app.profiles.gate import age_on


def test_create_list_show_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "1990-02-28", *d) == (
        0, "created profile Sam (id 1)\n", "")
    assert run(capsys, "profile", "create", "--name", "Lea", "--birthdate", "2000-02-29", *d)[0] == 0
    code, out, _ = run(capsys, "profile", "list", *d)
    age = age_on(date(1990, 2, 28), date.today())
    assert code == 0 and out.splitlines()[0].split() == ["ID", "NAME", "BIRTHDATE", "AGE", "ASSURANCE"]
    assert out.splitlines()[1].split() == ["1", "Sam", "1990-02-28", str(age), "declared"]
    code, out, _ = run(capsys, "profile", "list", "--json", *d)
    rows = json.loads(out)
    assert [(r["name"], r["birthdate"], r["assurance"]) for r in rows] == [
        ("Sam", "1990-02-28", "declared"), ("Lea", "2000-02-29", "declared")]
    code, out, _ = run(capsys, "profile", "show", "lea", "--json", *d)
    assert json.loads(out)["name"] == "Lea"
    code, out, _ = run(capsys, "profile", "show", "Sam", *d)
    assert "birthdate:   1990-02-28" in out and "assurance:   declared" in out
    assert run(capsys, "profile", "delete", "Sam", *d) == (0, "deleted profile Sam (id 1)\n", "")
    code, out, err = run(capsys, "profile", "show", "Sam", *d)
    assert (code, out) == (2, "")
    assert err == f"safelens profile: error: profile: no profile called 'Sam' in {tmp_path}\n"


def test_under_13_gets_the_neutral_message_and_locks_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    young = date.today().replace(year=date.today().year - 8, day=1).isoformat()
    assert run(capsys, "profile", "create", "--name", "Kid", "--birthdate", young, *d) == (
        1, "", "Sign-up isn't available.\n")
    # Trying again with an adult date gets the very same message, and no profile exists.
    assert run(capsys, "profile", "create", "--name", "Kid", "--birthdate", "1980-01-01", *d) == (
        1, "", "Sign-up isn't available.\n")
    assert run(capsys, "profile", "list", "--json", *d)[1] == "[]\n"


@pytest.mark.parametrize(
    "birthdate,message",
    [
        ("2023-02-29", "birthdate: 2023 is not a leap year, so February 2023 has no 29th"),
        ("1990-1-1", "birthdate: expected a date as YYYY-MM-DD, found '1990-1-1'"),
        ("2999-01-01", "birthdate: expected a year from"),
    ],
)
def test_bad_birthdates(tmp_path: Path, capsys: pytest.CaptureFixture[str], birthdate: str, message: str) -> None:
    code, out, err = run(capsys, "profile", "create", "--name", "X", "--birthdate", birthdate, "--data-dir", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"safelens profile: error: {message}")


def test_duplicate_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "1990-01-01", *d)
    assert run(capsys, "profile", "create", "--name", "SAM", "--birthdate", "1991-01-01", *d)[2] == (
        "safelens profile: error: name: a profile called 'SAM' already exists\n")


def test_the_gate_help_has_no_hint_of_an_age(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["profile", "create", "--help"])
    text = capsys.readouterr().out
    assert "YYYY-MM-DD" in text
    assert not re.search(r"\b(1[0-9]|2[0-9])\b|\badult|\bolder\b|minimum|\bage\b|years? old", text, re.IGNORECASE), text
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text)  # no example date to copy


def test_data_dir_from_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFELENS_DATA_DIR", str(tmp_path / "env"))
    assert run(capsys, "profile", "create", "--name", "Env", "--birthdate", "1970-07-07")[0] == 0
    assert (tmp_path / "env" / "profiles.db").exists()


def test_corrupt_database_then_recover(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    for name in ("Ann", "Bob"):
        run(capsys, "profile", "create", "--name", name, "--birthdate", "1980-03-03", *d)
    (tmp_path / "profiles.db").write_bytes(b"this is not a database" * 300)
    code, out, err = run(capsys, "profile", "list", *d)
    assert (code, out) == (2, "")
    assert "the profile database is damaged" in err
    assert f"Run `safelens profile recover --data-dir {tmp_path}`" in err
    code, out, err = run(capsys, "profile", "recover", *d)
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"set aside: {tmp_path / 'profiles.db.corrupt-'}")
    assert out.splitlines()[-1] == f"restored 2 profiles from {tmp_path / 'profiles.db.bak'}"
    assert [r["name"] for r in json.loads(run(capsys, "profile", "list", "--json", *d)[1])] == ["Ann", "Bob"]
