"""``report.html``: one self-contained page (charts and thumbnails embedded as base64 PNG).

Sections: the runs and their settings; counts by category (chart); declared against measured;
the effects whose declaration the measurement overruled; the distribution of frame cost
(chart) and the slowest effects; errors; before/after thumbnails of every
appearance-altering effect (adult reference faces only; up to MAX_THUMBNAILS, the rest are
in audit.sqlite).
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from camera_app.audit.store import AuditStore  # noqa: E402

MAX_THUMBNAILS = 200  # about 90 kB of base64 each: the page stays under ~20 MB
SLOWEST = 15
BUDGET_MS = 1000.0 / 30.0
CATEGORIES = ("playful", "appearance_altering")
COLOURS = {"playful": "#2e9d5b", "appearance_altering": "#d1495b", "invalid": "#8a8a8a", "failed": "#222222"}
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .6em 0; } td, th { border: 1px solid #ddd; padding: .25em .6em; }
th { background: #f4f4f2; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #777; } .grid { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; } figcaption { font-size: 12px; max-width: 340px; } code { font-size: 12px; }
"""


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(head: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    out = ["<table><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr>"]
    for row in rows:
        cells = (f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        out += ["<tr>", *cells, "</tr>"]
    out.append("</table>")
    return "".join(out)


def category_chart(counts: Counter[str]) -> str:
    labels = [k for k in (*CATEGORIES, "invalid", "failed") if counts.get(k)]
    fig, ax = plt.subplots(figsize=(6.5, 2.2 + 0.1 * len(labels)))
    values = [counts[k] for k in labels]
    ax.barh(labels[::-1], values[::-1], color=[COLOURS[k] for k in labels[::-1]])
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v}", va="center", fontsize=9)
    ax.set_xlabel("effects")
    ax.set_title("Effects by measured category")
    ax.set_xlim(0, max(values or [1]) * 1.15)
    return _png(fig)


def cost_chart(costs: dict[str, list[float]]) -> str:
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    kinds = [c for c in CATEGORIES if costs.get(c)]
    top = max(max(costs[c]) for c in kinds) * 1.08
    ax.hist([costs[c] for c in kinds], bins=30, range=(0.0, max(top, 1.0)), stacked=True,
            color=[COLOURS[c] for c in kinds], label=[c.replace("_", "-") for c in kinds])
    if BUDGET_MS <= top:
        ax.axvline(BUDGET_MS, color="#222", ls="--", lw=1)
        ax.text(BUDGET_MS, 1.0, " 30 fps frame", transform=ax.get_xaxis_transform(), va="bottom", fontsize=8)
    ax.set_xlabel("median time of the effect on one 1280x720 frame (ms, on the machine that measured it)")
    ax.set_ylabel("effects")
    ax.set_title("Frame cost")
    ax.legend(frameon=False)
    return _png(fig)


def _reasons(row: dict[str, Any]) -> str:
    reasons = ((row.get("result") or {}).get("classification") or {}).get("reasons") or []
    return ", ".join(r["change"].replace("_", " ") for r in reasons if r.get("altering")) or "-"


def _label(row: dict[str, Any]) -> str:
    return str((((row.get("result") or {}).get("disclosure") or {}).get("en") or {}).get("label", ""))


def _runs_section(runs: list[dict[str, Any]]) -> str:
    rows = []
    for r in runs:
        s = r["settings"]
        engine = s.get("engine", "?")
        where = f"{s.get('workers')} workers" if engine == "local" else f"Ray {s.get('address', 'local')}"
        counts = ", ".join(f"{k} {v}" for k, v in sorted((r["counts"] or {}).items())) or "-"
        rows.append([_e(r["run"]), _e(r["started_utc"]), _e(r["finished_utc"]), _e(r["status"]),
                     _e(f"{engine} ({where}), {'quick' if s.get('quick') else 'full'}"), _e(counts),
                     f"<code>{_e(r['classifier_fingerprint'][:16])}</code>"])
    paths = sorted({p for r in runs for p in r["settings"].get("paths", [])})
    return (f"<p>Catalogue: {_e(', '.join(paths))}. Reference set: <code>{_e(runs[-1]['reference_key'])}</code>.</p>"
            if runs else "") + _table(["run", "started (UTC)", "finished", "status", "engine", "counts",
                                       "classifier"], rows)


def _declared_section(ok: list[dict[str, Any]]) -> str:
    grid = Counter((r.get("declared") or "none", r["category"]) for r in ok)
    rows = []
    for declared in (*CATEGORIES, "none"):
        cells = [str(grid[(declared, m)]) for m in CATEGORIES]
        rows.append([_e(declared), *cells, str(sum(grid[(declared, m)] for m in CATEGORIES))])
    return _table(["declared \\ measured", *CATEGORIES, "total"], rows, frozenset({1, 2, 3}))


def render(store: AuditStore) -> str:
    rows = list(store.rows())
    ok = [r for r in rows if r["status"] == "ok"]
    errors = [r for r in rows if r["status"] != "ok"]
    counts = Counter(r["category"] if r["status"] == "ok" else r["status"] for r in rows)
    costs: dict[str, list[float]] = {}
    for r in ok:
        cost = (r.get("machine") or {}).get("frame_cost") or {}
        if cost.get("median_ms") is not None:
            costs.setdefault(r["category"], []).append(float(cost["median_ms"]))
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>SafeLens catalogue audit</title>"
             f"<style>{STYLE}</style></head><body><h1>Catalogue audit</h1>",
             f"<p>{len(rows)} effects: {counts.get('playful', 0)} playful, {counts.get('appearance_altering', 0)} "
             f"appearance-altering, {counts.get('invalid', 0)} invalid, {counts.get('failed', 0)} failed.</p>",
             "<h2>Runs</h2>", _runs_section(store.runs())]
    if rows:
        parts += ["<h2>Counts by category</h2>", _img(category_chart(counts), "effects by category")]
    parts += ["<h2>Declared against measured</h2>", _declared_section(ok)]
    overruled = [r for r in ok if r.get("declared_overruled")]
    parts.append(f"<h2>Declarations overruled ({len(overruled)})</h2>")
    parts.append(_table(["path", "id", "declared", "measured", "confidence", "altering changes"],
                        [[_e(r["path"]), _e(r["id"]), _e(r["declared"]), _e(r["category"]),
                          f"{r['confidence']:.2f}", _e(_reasons(r))] for r in overruled], frozenset({4}))
                 if overruled else "<p class=muted>none</p>")
    parts.append("<h2>Frame cost</h2>")
    if costs:
        parts.append(_img(cost_chart(costs), "frame cost distribution"))
        slow = sorted(ok, key=lambda r: -float(((r.get("machine") or {}).get("frame_cost") or {}).get("median_ms") or 0))
        table = []
        for r in slow[:SLOWEST]:
            cost = r["machine"]["frame_cost"]
            table.append([_e(r["path"]), _e(r["id"]), _e(r["category"]), f"{cost['median_ms']:.1f}",
                          f"{cost['p95_ms']:.1f}", f"{100 * cost['share_of_30fps_budget']:.0f}%", _e(r["machine"]["name"])])
        parts += [f"<p>The {min(SLOWEST, len(slow))} slowest effects:</p>",
                  _table(["path", "id", "category", "median ms", "p95 ms", "of a 30 fps frame", "measured on"],
                         table, frozenset({3, 4, 5}))]
    else:
        parts.append("<p class=muted>nothing measured</p>")
    parts.append(f"<h2>Errors ({len(errors)})</h2>")
    parts.append(_table(["path", "status", "error", "message"],
                        [[_e(r["path"]), _e(r["status"]), _e((r.get("error") or {}).get("type")),
                          _e((r.get("error") or {}).get("message"))] for r in errors]) if errors
                 else "<p class=muted>none</p>")
    parts.append(_thumbnails(store, {r["path"]: r for r in ok}, counts.get("appearance_altering", 0)))
    parts.append("</body></html>\n")
    return "".join(parts)


def _thumbnails(store: AuditStore, by_path: dict[str, dict[str, Any]], altering: int) -> str:
    thumbs = store.thumbnails(MAX_THUMBNAILS)
    out = [f"<h2>Appearance-altering effects, before and after ({altering})</h2>",
           "<p class=muted>Before (left) and after (right), on one adult reference face "
           "(faces of minors are never shown).</p>"]
    if altering > len(thumbs):
        out.append(f"<p>The first {len(thumbs)} by path; every thumbnail is in audit.sqlite.</p>")
    out.append('<div class="grid">')
    for path, data in thumbs:
        row = by_path.get(path, {})
        caption = f"<b>{_e(row.get('id'))}</b> {_e(_reasons(row))}<br><span class=muted>{_e(path)}</span>"
        out.append(f"<figure>{_img(base64.b64encode(data).decode('ascii'), str(row.get('id')))}"
                   f"<figcaption>{caption}</figcaption></figure>")
    out.append("</div>")
    return "".join(out)


def write_report(store: AuditStore, path: Path) -> None:
    from disclosure.atomic import atomic_output

    text = render(store)
    with atomic_output(path) as fh:
        fh.write(text.encode("utf-8"))
