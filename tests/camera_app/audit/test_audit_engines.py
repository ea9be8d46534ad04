"""safelens effects audit: one catalogue, three engines (1 worker, 2 workers, a local Ray
instance with two CPUs), the same rows; broken effects recorded; the outputs written."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from typing import Any

import pytest
from audit_helpers import audit, catalogue, rows, small_faces, without_machine

from camera_app.audit.run import AuditSummary


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("audit")
    folder, entries = catalogue(root / "catalogue")
    return {"root": root, "catalogue": folder, "entries": entries, "faces": small_faces(root / "faces")}


@pytest.fixture(scope="module")
def one_worker(setup: dict[str, Any]) -> AuditSummary:
    return audit([setup["catalogue"]], setup["root"] / "one", setup["faces"], workers=1)


def test_every_effect_gets_its_implied_category_and_broken_ones_their_error(
    setup: dict[str, Any], one_worker: AuditSummary
) -> None:
    found = rows(one_worker.out_dir)
    catalogue_dir = setup["catalogue"]
    assert len(found) == 10 and one_worker.counts["audited"] == 8 and one_worker.counts["invalid"] == 2
    for entry in setup["entries"]:
        row = found[str(catalogue_dir / entry["path"])]
        assert row["status"] == "ok", row["error"]
        assert (row["id"], row["category"]) == (entry["id"], entry["implied"]), entry["ops"]
        assert row["declared"] == entry["declared"]
        assert row["declared_overruled"] == (entry["declared"] not in (None, entry["implied"]))
        assert row["result"]["disclosure"]["fr"]["label"] and row["result"]["guidance"]
        assert row["machine"]["frame_cost"]["median_ms"] > 0 and row["machine"]["name"]
    bad = found[str(catalogue_dir / "broken" / "bad_scale")]
    assert bad["status"] == "invalid" and bad["error"]["type"] == "EffectSpecError"
    assert "ops[0].scale: expected a number in [0.3, 3], found 9.0" in bad["error"]["message"]
    junk = found[str(catalogue_dir / "broken" / "junk.zip")]
    assert junk["status"] == "invalid" and "expected a zip archive" in junk["error"]["message"]


def test_the_sqlite_file_holds_every_row_the_settings_and_thumbnails_of_altering_effects(
    one_worker: AuditSummary,
) -> None:
    with sqlite3.connect(one_worker.sqlite) as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM effects GROUP BY status").fetchall())
        (settings, fingerprint, status, counts), = db.execute(
            "SELECT settings, classifier_fingerprint, status, counts FROM runs").fetchall()
        thumbs = db.execute("SELECT category, thumbnail FROM effects WHERE status = 'ok'").fetchall()
    assert statuses == {"ok": 8, "invalid": 2}
    assert json.loads(settings)["engine"] == "local" and json.loads(settings)["workers"] == 1
    assert len(fingerprint) == 64 and status == "finished" and json.loads(counts)["audited"] == 8
    for category, thumb in thumbs:
        if category == "appearance_altering":
            assert thumb is not None and thumb.startswith(b"\x89PNG")
        else:
            assert thumb is None


def test_the_report_is_one_self_contained_page(one_worker: AuditSummary) -> None:
    page = one_worker.report.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(?!data:)', page), "nothing loaded from elsewhere"
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    altering = sum(1 for r in rows(one_worker.out_dir).values() if r["category"] == "appearance_altering")
    assert len(images) == 2 + altering  # the two charts and one before/after per altering effect
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    for heading in ("Counts by category", "Declared against measured", "Declarations overruled", "Frame cost",
                    "Errors (2)", f"Appearance-altering effects, before and after ({altering})"):
        assert heading in page
    assert "junk.zip" in page and "bad_scale" in page


def test_two_workers_give_the_same_rows(setup: dict[str, Any], one_worker: AuditSummary) -> None:
    two = audit([setup["catalogue"]], setup["root"] / "two", setup["faces"], workers=2)
    assert two.counts == one_worker.counts
    found = rows(two.out_dir)
    assert without_machine(found) == without_machine(rows(one_worker.out_dir))
    assert len({r["timing"]["pid"] for r in found.values() if r["status"] == "ok"}) == 2, "both workers worked"


def test_a_local_ray_instance_gives_the_same_rows(setup: dict[str, Any], one_worker: AuditSummary) -> None:
    pytest.importorskip("ray")
    on_ray = audit([setup["catalogue"]], setup["root"] / "ray", setup["faces"], workers=2, ray=True)
    assert on_ray.engine["engine"] == "ray" and on_ray.engine["cluster_cpus"] == 2
    assert on_ray.counts == one_worker.counts
    assert without_machine(rows(on_ray.out_dir)) == without_machine(rows(one_worker.out_dir))
    assert on_ray.report.is_file()
