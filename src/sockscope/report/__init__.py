"""The report: one self-contained, offline HTML page built from a run's results.

Everything comes from the run database (tables ``result_*`` written by detect, plus
``posts`` and ``ingest_log``), so ``sockscope report --db run.duckdb`` rebuilds the page
at any time. Data is embedded as one JSON document inside a
``<script type="application/json">`` element, with ``<``, ``>`` and ``&`` escaped so no
text from the data can close the element; the page's own script builds the DOM with
``textContent`` only. Vendored libraries (Cytoscape.js, uPlot) are inlined.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import duckdb
import igraph as ig
from jinja2 import Environment, FileSystemLoader, select_autoescape

MAX_EVIDENCE = 100_000
EVIDENCE_BYTES = 12_000_000  # budget for evidence rows and their texts in the page
MAX_NODES = 5_000
MAX_EDGES = 30_000
MAX_TEXT = 500
STATIC = ["cytoscape-3.35.0.min.js", "uPlot-1.6.32.iife.min.js"]
STYLES = ["uPlot-1.6.32.min.css", "report.css"]


def _static(name: str) -> str:
    text = (files("sockscope.report") / "static" / name).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def safe_json(data: object) -> str:
    """JSON that can sit inside a script element: nothing in it can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def collect(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the page shows, as plain data."""
    manifest = json.loads(con.execute("SELECT json FROM result_manifest").fetchall()[0][0])
    # stage timings differ between reruns; the page must not (they stay in manifest.json)
    manifest.pop("timings_s", None)
    groups = [
        {"id": g, "size": int(size), "score": float(score), "p": float(p), "behaviours": beh,
         "first": _iso(first), "last": _iso(last), "signals": signals, "summary": summary}
        for g, size, score, p, beh, first, last, signals, summary in con.execute(
            "SELECT group_id, size, score, p_value, behaviours, first_seen, last_seen, signals, "
            "summary FROM result_groups ORDER BY score DESC, group_id").fetchall()
    ]
    members = con.execute("SELECT account_id, group_id, coalesce(handle, ''), score "
                          "FROM result_members ORDER BY group_id, account_id").fetchall()
    accounts = {a: {"h": h, "g": g, "s": round(float(s), 3)} for a, g, h, s in members}
    network = _network(con, members)
    strings: dict[str, int] = {}

    def ref(text: str | None) -> int:
        if text is None:
            return -1
        text = text[:MAX_TEXT]
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    total = con.execute("SELECT count(*) FROM result_evidence").fetchall()[0][0]
    rows = con.execute(
        f"""
        WITH ranked AS (
            SELECT e.*, m.group_id,
                   row_number() OVER (PARTITION BY m.group_id ORDER BY e.time_a, e.account_a,
                                      e.account_b, e.behaviour, e.key) AS n,
                   count(*) OVER (PARTITION BY m.group_id) AS in_group
            FROM result_evidence e
            JOIN result_members m ON m.account_id = e.account_a
            JOIN result_members m2 ON m2.account_id = e.account_b AND m2.group_id = m.group_id
        )
        SELECT r.group_id, r.behaviour, r.account_a, r.account_b, r.key, r.time_a,
               r.dt_s, pa.text, pb.text, r.in_group
        FROM ranked r
        LEFT JOIN posts pa ON pa.post_id = r.post_a
        LEFT JOIN posts pb ON pb.post_id = r.post_b
        WHERE r.n <= greatest(200, {MAX_EVIDENCE} * r.in_group / greatest({total}, 1))
        ORDER BY r.group_id, r.time_a, r.account_a, r.account_b, r.behaviour, r.key
        """
    ).fetchall()
    # each group gets a share of the byte budget in proportion to its evidence (at least
    # 200 rows' worth); rows are kept in time order until the share is spent
    kept_total = len(rows)
    spent: dict[str, int] = {}
    evidence = []
    account_ids = sorted(accounts)
    account_index = {a: i for i, a in enumerate(account_ids)}
    for group, behaviour, a, b, key, ta, dt, text_a, text_b, in_group in rows:
        share = max(EVIDENCE_BYTES * in_group / max(total, 1),
                    EVIDENCE_BYTES * 200 / max(kept_total, 1), 20_000)
        cost = 60 + sum(len((t or "")[:MAX_TEXT]) for t in (key, text_a, text_b)
                        if (t or "")[:MAX_TEXT] not in strings)
        if spent.get(group, 0) + cost > share:
            continue
        spent[group] = spent.get(group, 0) + cost
        evidence.append([group, ref(behaviour), account_index.get(a, -1),
                         account_index.get(b, -1), ref(key), round(float(ta)),
                         round(float(dt), 1), ref(text_a), ref(text_b)])
    activity = {}
    for group, hour, posts in con.execute(
        """SELECT m.group_id, epoch(date_trunc('hour', p.created_at))::BIGINT, count(*)
           FROM posts p JOIN result_members m USING (account_id) GROUP BY ALL ORDER BY ALL"""
    ).fetchall():
        activity.setdefault(group, {"hours": [], "posts": []})
        activity[group]["hours"].append(int(hour))
        activity[group]["posts"].append(int(posts))
    bursts = {}
    for group, hour, count in con.execute(
        """SELECT m.group_id, (floor(e.time_a / 3600) * 3600)::BIGINT, count(*)
           FROM result_evidence e JOIN result_members m ON m.account_id = e.account_a
           JOIN result_members m2 ON m2.account_id = e.account_b AND m2.group_id = m.group_id
           GROUP BY ALL ORDER BY ALL"""
    ).fetchall():
        bursts.setdefault(group, {})[str(int(hour))] = int(count)
    week = {}
    for group, dow, hour, count in con.execute(
        """SELECT m.group_id, isodow(p.created_at) - 1, hour(p.created_at), count(*)
           FROM posts p JOIN result_members m USING (account_id) GROUP BY ALL ORDER BY ALL"""
    ).fetchall():
        week.setdefault(group, [[0] * 24 for _ in range(7)])[dow][hour] = int(count)
    inputs = [
        {"path": r[0], "format": r[1], "read": r[2], "kept": r[3], "skipped": r[4],
         "reasons": [{"reason": s["reason"], "field": s["field"], "count": s["count"]}
                     for s in (r[5] or [])]}
        for r in con.execute("SELECT path, format, rows_read, rows_kept, rows_skipped, skipped "
                             "FROM ingest_log ORDER BY path").fetchall()
    ]
    counts = con.execute("SELECT count(*), count(DISTINCT account_id), min(created_at), "
                         "max(created_at) FROM posts").fetchall()[0]
    return {
        "overview": {"posts": int(counts[0]), "accounts": int(counts[1]),
                     "first": _iso(counts[2]), "last": _iso(counts[3]), "inputs": inputs,
                     "manifest": manifest},
        "groups": groups, "accounts": accounts, "account_ids": account_ids,
        "network": network,
        "evidence": evidence, "evidence_total": int(total), "strings": list(strings),
        "activity": activity, "bursts": bursts, "week": week,
    }


def _network(con: duckdb.DuckDBPyConnection, members: list) -> dict:
    """Flagged accounts with precomputed positions (the page does no layout work)."""
    strongest = sorted(members, key=lambda m: (-m[3], m[0]))[:MAX_NODES]
    names = sorted(m[0] for m in strongest)
    index = {n: i for i, n in enumerate(names)}
    edges = [
        (a, b, float(w), beh) for a, b, w, beh in con.execute(
            "SELECT account_a, account_b, sum(weight) AS w, string_agg(behaviour, ';' ORDER BY "
            "behaviour) FROM result_edges GROUP BY ALL ORDER BY w DESC, account_a, account_b"
        ).fetchall()
        if a in index and b in index
    ]
    total_edges = len(edges)
    edges = sorted(edges[:MAX_EDGES], key=lambda e: (e[0], e[1]))
    graph = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b, _, _ in edges])
    if names:
        # igraph draws layout noise from a global generator: give it a seeded one
        ig.set_random_number_generator(random.Random(1))
        try:
            layout = graph.layout_fruchterman_reingold(niter=300, seed=[
                (float(i % 71), float(i // 71)) for i in range(len(names))])
        finally:
            ig.set_random_number_generator(random)
        xs, ys = zip(*layout.coords, strict=True)
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        coords = [((x - min(xs)) / span * 1000, (y - min(ys)) / span * 1000)
                  for x, y in layout.coords]
    else:
        coords = []
    return {"nodes": [[n, round(x, 1), round(y, 1)] for n, (x, y) in zip(names, coords,
                                                                           strict=True)],
            "edges": [[index[a], index[b], round(w, 3), beh] for a, b, w, beh in edges],
            "shown": len(names), "flagged": len(members), "edges_total": total_edges}


def render(data: dict) -> str:
    environment = Environment(
        loader=FileSystemLoader(str(files("sockscope.report") / "templates")),
        autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("report.html.j2")
    return template.render(
        data_json=safe_json(data),
        scripts=[_static(name) for name in STATIC] + [_static("report.js")],
        styles=[_static(name) for name in STYLES],
        generated=data["overview"]["manifest"].get("version", ""),
    )


def build_report(con: duckdb.DuckDBPyConnection, out: str | Path) -> Path:
    """Write the report page for the results stored in ``con``."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(collect(con)), encoding="utf-8")
    return path
