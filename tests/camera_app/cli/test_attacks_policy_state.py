"""Issue 14's attacks on the stored policy state, as a teen with a text editor and ``sqlite3``
would run them (no reading of the code needed), each followed by what the user relies on: the
effect stays blocked, the lock stays, the log reports the break, and the message says what
happened and the way out."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from cli_helpers import PASS, as_mod, passphrases, run

from camera_app.catalog.effects import BUILTIN_EFFECTS_DIR
from camera_app.cli import main

FACES = Path(__file__).resolve().parents[3] / "assets" / "faces"
ADULT_FACE = FACES / "nasa_astronaut_eileen_collins.jpg"
TEEN_BORN = f"{date.today().year - 15}-01-01"


def sql(data: Path, *statements: str) -> None:
    """What the attacker types into ``sqlite3 profiles.db``."""
    conn = sqlite3.connect(data / "profiles.db", isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def log(capsys: pytest.CaptureFixture[str], data: Path) -> list[dict]:
    code, out, err = run(capsys, "review", "log", "--json", "--data-dir", str(data))
    return json.loads(out)


# -- attack 1: a renamed copy of glam, and its cached category edited to playful ----------------------


@pytest.mark.slow
def test_an_edited_classification_cache_entry_is_measured_again(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data, effects = tmp_path / "data", tmp_path / "effects"
    d = ["--data-dir", str(data), "--effects-dir", str(effects)]
    shutil.copytree(BUILTIN_EFFECTS_DIR / "glam", effects / "sparkle")
    toml = effects / "sparkle" / "effect.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('id = "glam"', 'id = "sparkle"')
                    .replace('category = "appearance_altering"', 'category = "playful"'), encoding="utf-8")
    run(capsys, "profile", "create", "--name", "Teen", "--birthdate", TEEN_BORN, "--data-dir", str(data))
    render = ["render", "--source", str(ADULT_FACE), "--frames", "2", "--effect", "sparkle", "--profile", "Teen", *d]
    code, _, err = run(capsys, *render, "--out", f"{tmp_path / 'first'}/")
    assert code == 2 and 'effect "sparkle" blocked' in err  # measured (and cached): appearance-altering

    [entry] = (data / "classifications").glob("sparkle-*.json")
    cached = json.loads(entry.read_text(encoding="utf-8"))
    assert cached["result"]["category"] == "appearance_altering"
    cached["result"]["category"] = "playful"  # what the attacker types into a text editor
    cached["result"]["reasons"] = []
    entry.write_text(json.dumps(cached, indent=2), encoding="utf-8")

    code, _, err = run(capsys, *render, "--out", f"{tmp_path / 'second'}/")
    assert code == 2 and 'effect "sparkle" blocked' in err
    assert "aren't available on profiles under 18" in err
    assert not (tmp_path / "second").exists() or not any((tmp_path / "second").iterdir())
    assert json.loads(entry.read_text(encoding="utf-8"))["result"]["category"] == "appearance_altering"  # replaced


# -- attack 2: one UPDATE makes a 15-year-old a verified adult ---------------------------------------


def test_editing_a_profile_row_keeps_glam_blocked_and_is_logged(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "profile", "create", "--name", "Teen", "--birthdate", TEEN_BORN, *d)[0] == 0
    assert run(capsys, "profile", "create", "--name", "Dad", "--birthdate", "1990-01-01", *d)[0] == 0
    sql(tmp_path, "UPDATE profiles SET birthdate='1990-01-01', assurance='verified_adult' WHERE name='Teen'",
        "UPDATE profiles SET assurance='verified_adult' WHERE name='Dad'")  # Dad: by hand too, no review

    render = ["render", "--source", str(ADULT_FACE), "--frames", "2", "--effect", "glam", *d]
    code, _, err = run(capsys, *render, "--out", f"{tmp_path / 'teen'}/", "--profile", "Teen")
    assert code == 2
    assert "aren't available on profiles under 18" in err
    assert "fails its seal" in err and "safelens moderator confirm" in err  # what happened, and the way out
    assert not (tmp_path / "teen").exists() or not any((tmp_path / "teen").iterdir())

    code, out, err = run(capsys, "profile", "list", *d)
    teen_line = next(line for line in out.splitlines() if " Teen " in line)
    assert "SEAL BROKEN: counts as under 18, under review" in teen_line
    assert "moderator confirm" in err
    broken = [e for e in log(capsys, tmp_path) if e["action"] == "seal_broken"]
    assert sorted(e["profile_id"] for e in broken) == [1, 2]  # each detected once, however often it is read
    assert run(capsys, "review", "log", "--verify", *d)[0] == 0  # the log itself is intact

    # The way out: a moderator confirms the date of birth; the profile is sealed again, as declared.
    assert run(capsys, "moderator", "add", "Mum", *passphrases(PASS), *d)[0] == 0
    code, out, _ = run(capsys, "moderator", "confirm", "Teen", "--birthdate", TEEN_BORN, *as_mod("Mum"), *d)
    assert code == 0 and out == f"profile Teen confirmed by Mum: date of birth {TEEN_BORN}, assurance declared\n"
    shown = json.loads(run(capsys, "profile", "show", "Teen", "--json", *d)[1])
    assert (shown["seal_ok"], shown["age_years"], shown["assurance"]) == (True, 15, "declared")
    code, _, err = run(capsys, *render, "--out", f"{tmp_path / 'teen2'}/", "--profile", "Teen")
    assert code == 2 and "fails its seal" not in err
    code, _, err = run(capsys, "moderator", "confirm", "Dad", "--birthdate", "1990-01-01", *as_mod("Mum"), *d)
    assert code == 0  # Dad's row was edited too
    code, _, err = run(capsys, "moderator", "confirm", "Dad", "--birthdate", "1970-01-01", *as_mod("Mum"), *d)
    assert (code, err) == (2, "safelens moderator: error: profile Dad: its record checks out and it is not held by "
                              "a reset; there is nothing to confirm\n")


# -- attack 3: anyone could verify their own profile --------------------------------------------------


def test_verifying_needs_a_moderator_who_is_not_the_profile(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Me", "--birthdate", "2000-01-01", *d)
    assert run(capsys, "review", "request", "--profile", "Me", *d)[0] == 0
    with pytest.raises(SystemExit) as info:  # no moderator named: argparse refuses
        main(["review", "verify", "1", *d])
    assert info.value.code == 2 and "--moderator" in capsys.readouterr().err
    code, _, err = run(capsys, "review", "verify", "1", *as_mod("Me"), *d)
    assert (code, err) == (2, f"safelens review: error: moderator 'Me': no such moderator in {tmp_path} "
                              "(`safelens moderator list` shows them)\n")

    # Me becomes the first moderator (their own profile is linked by name) and still cannot verify themself.
    assert run(capsys, "moderator", "add", "Me", *passphrases(PASS), *d)[1] == "added moderator Me (own profile id 1)\n"
    code, _, err = run(capsys, "review", "verify", "1", *as_mod("Me"), *d)
    assert (code, err) == (2, "safelens review: error: moderator 'Me': cannot decide a review entry of their own "
                              "profile; another moderator must\n")
    # A second moderator needs the first one's passphrase.
    code, _, err = run(capsys, "moderator", "add", "Pat", *passphrases(PASS), *d)
    assert code == 2 and "adding another needs one of them" in err
    assert run(capsys, "moderator", "add", "Pat", "--by", "Me", *passphrases("pat's passphrase", PASS), *d)[0] == 0
    code, _, err = run(capsys, "review", "verify", "1", *as_mod("Pat", "wrong passphrase"), *d)
    assert (code, err) == (2, "safelens review: error: moderator 'Pat': wrong passphrase\n")
    assert run(capsys, "review", "verify", "1", *as_mod("Pat", "pat's passphrase"), *d)[0] == 0
    decided = [e for e in log(capsys, tmp_path) if e["action"] == "decided"]
    assert [(e["detail"]["moderator"], e["detail"]["outcome"]) for e in decided] == [("Pat", "verified_adult")]

    # An appeal goes to someone other than the moderator who decided.
    run(capsys, "review", "appeal", "1", "--reason", "not me", *d)
    code, _, err = run(capsys, "review", "decide", "1", "--keep", *as_mod("Pat", "pat's passphrase"), *d)
    assert (code, err) == (2, "safelens review: error: review entry 1: the appeal goes to another moderator than Pat "
                              "(who made the appealed decision)\n")


# -- attack 4: drop the triggers, edit the log, put the triggers back ---------------------------------


def test_a_rewritten_audit_log_is_reported_at_its_first_bad_entry(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "1990-01-01", *d)
    run(capsys, "moderator", "add", "Mod", *passphrases(PASS), *d)
    run(capsys, "review", "request", "--profile", "Sam", *d)
    run(capsys, "review", "decide", "1", "--keep", *as_mod("Mod"), *d)
    assert run(capsys, "review", "log", "--verify", *d)[0] == 0
    events = log(capsys, tmp_path)
    decided = next(e["seq"] for e in events if e["action"] == "decided")

    sql(tmp_path, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
        f"UPDATE audit_log SET detail = replace(detail, 'Mod', 'Someone else') WHERE seq = {decided}",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    code, out, err = run(capsys, "review", "log", "--verify", *d)
    assert code == 1 and out == ""
    assert err == (f"audit log broken: audit log entry {decided}: its content does not match its MAC (edited, or "
                   "written without the device secret)\n")
    code, out, err = run(capsys, "review", "log", *d)  # the plain listing says so too
    assert code == 1 and f"warning: audit log broken: audit log entry {decided}" in err
    assert any(e["action"] == "audit_chain_broken" and e["detail"]["first_bad"] == decided
               for e in log(capsys, tmp_path))


def test_a_deleted_audit_entry_breaks_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    for name in ("A", "B", "C"):
        run(capsys, "profile", "create", "--name", name, "--birthdate", "1990-01-01", *d)
    sql(tmp_path, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2")
    code, _, err = run(capsys, "review", "log", "--verify", *d)
    assert (code, err) == (1, "audit log broken: audit log entry 3: its link to the entry before it is broken (an "
                              "entry was removed, inserted or edited)\n")


# -- attack 5: delete profiles.db* (keeping gate.key) to lift the under-13 lock ------------------------


@pytest.mark.parametrize("also_deleted", [(), ("device.state",)])
def test_deleting_the_database_keeps_the_under_13_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       also_deleted: tuple[str, ...]) -> None:
    d = ["--data-dir", str(tmp_path)]
    kid_born = f"{date.today().year - 9}-05-05"
    assert run(capsys, "profile", "create", "--name", "Kid", "--birthdate", kid_born, *d)[:3:2] == (
        1, "Sign-up isn't available.\n")
    for path in [*tmp_path.glob("profiles.db*"), *(tmp_path / name for name in also_deleted)]:
        path.unlink()
    code, out, err = run(capsys, "profile", "create", "--name", "Kid", "--birthdate", "1990-01-01", *d)
    assert (code, out, err) == (1, "", "Sign-up isn't available.\n")  # neutral: no reason, no age
    [reset] = [e for e in log(capsys, tmp_path) if e["action"] == "reset_detected"]
    assert reset["detail"]["locks_restored"] == (1 if not also_deleted else 0)


def test_an_older_copy_of_the_database_reads_as_a_reset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Teen", "--birthdate", TEEN_BORN, *d)
    old = (tmp_path / "profiles.db.bak").read_bytes()  # a copy taken now
    run(capsys, "profile", "create", "--name", "Kid", "--birthdate", f"{date.today().year - 9}-05-05", *d)
    for path in tmp_path.glob("profiles.db*"):
        path.unlink()
    (tmp_path / "profiles.db").write_bytes(old)
    assert run(capsys, "profile", "create", "--name", "Kid", "--birthdate", "1990-01-01", *d)[0] == 1
    assert json.loads(run(capsys, "profile", "show", "Teen", "--json", *d)[1])["assurance"] == "challenged"
    assert [e["action"] for e in log(capsys, tmp_path)].count("reset_detected") == 1


# -- attack 8: the database was world-readable ---------------------------------------------------------


def test_store_files_are_private(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = os.umask(0o022)
    try:
        run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "1990-01-01", "--data-dir", str(tmp_path))
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if p.is_file()}
    assert {"profiles.db", "profiles.db.bak", "gate.key", "device.state"} <= set(modes)
    assert modes == {name: 0o600 for name in modes}, modes


# -- the other sealed records: policy settings, review records, moderators ----------------------------


def test_edited_policy_settings_read_as_the_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    assert run(capsys, "policy", "set", "--challenge-age", "30", *d)[0] == 0
    sql(tmp_path, "UPDATE meta SET value = 'declared' WHERE key = 'policy.mode'",
        "UPDATE meta SET value = '18.0' WHERE key = 'policy.challenge_age_years'")
    code, out, _ = run(capsys, "policy", "show", "--json", *d)
    assert json.loads(out) == {"mode": "assured", "challenge_age_years": 25.0}  # the defaults, not the edit
    assert "the stored settings fail their seal" in run(capsys, "policy", "show", *d)[1]
    assert any(e["action"] == "seal_broken" and e["detail"]["table"] == "meta" for e in log(capsys, tmp_path))
    # Once a moderator exists, only a moderator changes the policy.
    run(capsys, "moderator", "add", "Mum", *passphrases(PASS), *d)
    code, _, err = run(capsys, "policy", "set", "--mode", "declared", *d)
    assert code == 2 and "changing the policy needs one of them" in err
    assert run(capsys, "policy", "set", "--challenge-age", "30", *as_mod("Mum"), *d)[0] == 0
    assert json.loads(run(capsys, "policy", "show", "--json", *d)[1]) == {"mode": "assured", "challenge_age_years": 30.0}


def test_an_edited_review_entry_cannot_be_decided(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "1990-01-01", *d)
    run(capsys, "moderator", "add", "Mod", *passphrases(PASS), *d)
    run(capsys, "review", "request", "--profile", "Sam", *d)
    sql(tmp_path, "UPDATE review_entries SET kind = 'suspected_under_13' WHERE entry_id = 1")
    code, _, err = run(capsys, "review", "decide", "1", "--keep", *as_mod("Mod"), *d)
    assert code == 2 and "review entry 1: a stored review_entries record fails its seal" in err
    code, out, _ = run(capsys, "review", "list", *d)
    assert out.splitlines()[1].endswith("SEAL BROKEN: cannot be decided or appealed")


def test_a_moderator_whose_passphrase_hash_was_replaced_cannot_act(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "profile", "create", "--name", "Sam", "--birthdate", "1990-01-01", *d)
    run(capsys, "moderator", "add", "Mod", *passphrases(PASS), *d)
    run(capsys, "review", "request", "--profile", "Sam", *d)
    from camera_app.policy.moderators import hash_passphrase

    sql(tmp_path, f"UPDATE moderators SET passphrase = '{hash_passphrase('teen knows this')}'")
    code, _, err = run(capsys, "review", "verify", "1", *as_mod("Mod", "teen knows this"), *d)
    assert (code, err) == (2, "safelens review: error: moderator 'Mod': the stored record fails its seal (changed "
                              "outside SafeLens); this moderator cannot act. Another moderator can add them again "
                              "under a new name\n")


@pytest.mark.parametrize("attack", ["UPDATE moderators SET created_utc = '2020-01-01'", "DELETE FROM moderators"])
def test_breaking_the_moderator_records_does_not_free_the_first_moderator_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str) -> None:
    d = ["--data-dir", str(tmp_path)]
    run(capsys, "moderator", "add", "Mum", *passphrases(PASS), *d)
    sql(tmp_path, attack)
    code, _, err = run(capsys, "moderator", "add", "Teen", *passphrases("teen's own passphrase"), *d)
    assert code == 2
    if attack.startswith("DELETE"):  # deleted rows are put back from beside the secret
        assert "this installation has moderators (Mum)" in err
        assert [e["detail"]["names"] for e in log(capsys, tmp_path) if e["action"] == "moderators_restored"] == [["Mum"]]
    else:
        assert "the stored moderator records fail their seals" in err
