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
import pyarrow as pa
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sockscope.durations import human_duration
from sockscope.model.detection import Detection
from sockscope.output import group_tables
from sockscope.output.files import WriteContext
from sockscope.output.safe_csv import iso_utc
from sockscope.persona.groups import MATERIAL, SIGNAL_BOOST, SIGNIFICANT
from sockscope.store.database import arrow_view

MAX_EVIDENCE = 100_000
EVIDENCE_BYTES = 12_000_000  # budget for evidence rows and their texts in the page
MAX_NODES = 5_000
MAX_EDGES = 30_000
MAX_TEXT = 500
MAX_KEYS = 300  # evidence-by-key rows per group in the page (evidence_by_key.csv has all)
MAX_KEY_ACCOUNTS = 60  # accounts listed per key in the page
MIN_GROUP_ROWS = 200  # evidence rows every group may show, however small its share
MIN_GROUP_BYTES = 20_000  # and bytes
ROW_BYTES = 60  # the cost of one evidence row in the page, besides its texts
ACCOUNT_TIES = 5  # strongest edges shown in an account's panel
LABELLED = 3  # accounts of each group labelled in the network, highest score first
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
        return iso_utc(value if value.tzinfo else value.replace(tzinfo=UTC))
    return str(value)


def collect(con: duckdb.DuckDBPyConnection, detection: Detection, version: str,
            tables: group_tables.GroupTables | None = None) -> dict:
    """Everything the page shows, as plain data (``tables``: the per-group tables, when
    the result files already built them)."""
    tables = tables or group_tables.GroupTables(con, detection)
    manifest = detection.manifest(version)
    # stage timings differ between reruns; the page must not (they stay in manifest.json)
    manifest.pop("timings_s", None)
    groups = [
        {"id": g.group_id, "size": len(g.members), "score": float(g.score),
         "q": float(g.q_value), "behaviours": ";".join(b for b, _, _ in g.behaviours),
         "first": _iso(g.first_seen), "last": _iso(g.last_seen),
         "signals": ";".join(g.signals), "summary": g.summary, "persona": g.persona}
        for g in sorted(detection.groups, key=lambda g: (-g.score, g.group_id))
    ]
    # the coordinated groups' members (operator groups have their own section)
    flagged = detection.accounts.filter(detection.accounts["group_id"].is_valid())
    members = sorted(zip(flagged["account_id"].to_pylist(), flagged["group_id"].to_pylist(),
                         [h or "" for h in flagged["handle"].to_pylist()],
                         flagged["score"].to_pylist(), flagged["signals"].to_pylist(),
                         strict=True), key=lambda m: (m[1], m[0]))
    accounts = {a: {"h": h, "g": g, "s": round(float(s), 3), "p": p or ""}
                for a, g, h, s, p in members}
    for row in tables.members.to_pylist():  # names, dates, marks in words, profile links
        accounts[row["account_id"]].update({
            "n": row["display_name"] or "", "c": _iso(row["created_at"]) or "",
            "k": row["posts"], "w": row["marks"], "z": row["in_group_schedule"],
            "u": row["profile_url"] or ""})
    account_ids = sorted(accounts)
    account_index = {a: i for i, a in enumerate(account_ids)}
    for account, ties in strongest_ties(detection, set(accounts), ACCOUNT_TIES).items():
        accounts[account]["t"] = ties
    with arrow_view(con, tables.membership) as member_view, \
            arrow_view(con, detection.evidence) as evidence_view, \
            arrow_view(con, tables.post_links) as link_view:
        evidence, total = _evidence(con, member_view, evidence_view, link_view, account_ids)
        activity, bursts, week = _activity(con, member_view, evidence_view)
    counts = con.execute("SELECT count(*), count(DISTINCT account_id), min(created_at), "
                         "max(created_at) FROM posts").fetchall()[0]
    return {
        "overview": {"posts": int(counts[0]), "accounts": int(counts[1]),
                     "first": _iso(counts[2]), "last": _iso(counts[3]),
                     "inputs": _inputs(con), "manifest": manifest},
        "groups": groups, "accounts": accounts, "account_ids": account_ids,
        "content": _content(tables), "keys": _keys(tables, account_index),
        "method": method_lines(detection),
        "network": _network(detection, members),
        "evidence_total": total, **evidence,
        "activity": activity, "bursts": bursts, "week": week,
        "persona_floors": MATERIAL, "persona_significant": SIGNIFICANT,
        "persona_boost": SIGNAL_BOOST,
        "operations": _operations(con, detection),
        "operators": _operators(detection, counts[2], counts[3]),
    }


MAX_OPERATOR_PAIRS = 500  # same-operator pairs shown, strongest first


def _operators(detection: Detection, first, last) -> dict | None:
    """Same-operator pairs for the page: both accounts' active spans (drawn against the
    data's period, so a hand-over shows), the evidence in words, the targets shared."""
    result = detection.operators
    if result is None:
        return None

    def seconds(value) -> float | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()

    return {
        "period": [seconds(first), seconds(last)], "tests": result.tests,
        "groups": {g: len(m) for g, m in result.members().items()},
        "pairs": [[r["operator_group"], r["account_a"], r["handle_a"] or "",
                   seconds(r["first_a"]), seconds(r["last_a"]), r["account_b"],
                   r["handle_b"] or "", seconds(r["first_b"]), seconds(r["last_b"]),
                   r["q_value"], r["evidence"], r["example_targets"] or ""]
                  for r in result.pairs.slice(0, MAX_OPERATOR_PAIRS).to_pylist()]}


MAX_STORY = 200  # shares shown on an operation's timeline


def _operations(con: duckdb.DuckDBPyConnection, detection: Detection) -> list[dict]:
    """Each operation for the page: its pieces, the ties between them (the map) and the
    story of its most pushed article (publication, then the persona account's post, then
    the group's pushes), with links to the posts."""
    from sockscope.output.links import post_url

    result = detection.operations
    if result is None:
        return []
    membership = detection.membership
    links = result.links.to_pylist()
    personas = result.personas.to_pylist()
    shares = result.shares.to_pylist()
    titles = dict(con.execute("SELECT article_id, struct_pack(t := title, u := url) "
                              "FROM articles").fetchall())
    outlets: dict[str, set] = {}
    for byline, outlet in con.execute("SELECT DISTINCT byline, outlet FROM articles "
                                      "WHERE outlet IS NOT NULL").fetchall():
        outlets.setdefault(byline, set()).add(outlet)
    pages = []
    for op in result.operations.to_pylist():
        bylines = op["bylines"].split(";")
        accounts = set(op["accounts"].split(";"))
        persona_ids = set(filter(None, op["persona_accounts"].split(";")))
        amplifiers = set(filter(None, op["amplifiers"].split(";")))
        pushed: dict[str, int] = {}
        for s in shares:
            if s["byline"] in bylines and s["account_id"] in accounts:
                pushed[s["article_id"]] = pushed.get(s["article_id"], 0) + 1
        story = None
        if pushed:
            article = min(pushed, key=lambda a: (-pushed[a], a))
            rows = sorted((s for s in shares if s["article_id"] == article),
                          key=lambda s: (s["shared_at"], s["post_id"]))[:MAX_STORY]
            first = rows[0]
            info = titles.get(article) or {}
            story = {"title": (info.get("t") or article)[:MAX_TEXT], "url": info.get("u") or "",
                     "byline": first["byline"], "published": _iso(first["published_at"]),
                     "events": [[s["delay_s"], s["account_id"],
                                 "persona" if s["account_id"] in persona_ids else
                                 "group" if s["account_id"] in membership else
                                 "amplifier" if s["account_id"] in amplifiers else "other",
                                 membership.get(s["account_id"], ""),
                                 post_url(s["platform"], s["post_id"], "post") or ""]
                                for s in rows]}
        pages.append({
            "id": op["operation_id"], "summary": op["summary"],
            "accounts": op["account_count"], "groups": op["groups"].split(";"),
            "bylines": bylines,
            "writer_bylines": list(filter(None, op["writer_bylines"].split(";"))),
            "outlets": {b: sorted(outlets.get(b, ())) for b in bylines},
            "links": [[r["byline"], r["group_id"], r["members_sharing"], r["articles"],
                       r["q_value"], r["median_delay_s"]] for r in links
                      if r["byline"] in bylines],
            "personas": [[r["account_id"], r["display_name"] or r["handle"] or r["account_id"],
                          r["byline"], r["first_to_share"], r["articles_shared"]]
                         for r in personas if r["account_id"] in persona_ids],
            "amplifiers": len(amplifiers), "story": story,
            "handles": _handles(con, {e[1] for e in (story or {}).get("events", [])}
                                | persona_ids)})
    return pages


def _handles(con: duckdb.DuckDBPyConnection, accounts: set[str]) -> dict[str, str]:
    """account id -> handle, for accounts the page names outside the groups."""
    with arrow_view(con, {"account_id": pa.array(sorted(accounts), pa.string())}) as wanted:
        return {a: h for a, h in con.execute(
            f"""SELECT account_id, max(handle) FROM accounts SEMI JOIN {wanted}
                USING (account_id) GROUP BY 1 ORDER BY 1""").fetchall() if h}


def _content(tables: group_tables.GroupTables) -> dict[str, list]:
    """Per group: what it pushed, as [kind, item, uses, members, first, last, link,
    example text]."""
    content: dict[str, list] = {}
    for r in tables.content.to_pylist():
        content.setdefault(r["group_id"], []).append([
            r["kind"], r["item"][:MAX_TEXT], r["uses"], r["members"], _iso(r["first_seen"]),
            _iso(r["last_seen"]), r["link"] or "", (r["example_text"] or "")[:MAX_TEXT]])
    return content


def _keys(tables: group_tables.GroupTables, account_index: dict[str, int]
          ) -> dict[str, list]:
    """Per group: the evidence by key, most accounts first (at most MAX_KEYS), as
    [behaviour, key, what, accounts, posts, first (epoch s), span s, account indices
    (at most MAX_KEY_ACCOUNTS), example links, the key's own link]."""
    keys: dict[str, list] = {}
    for r in tables.keys.to_pylist():
        rows = keys.setdefault(r["group_id"], [])
        if len(rows) >= MAX_KEYS:
            continue
        first = r["first_time"]
        rows.append([r["behaviour"], (r["key"] or "")[:MAX_TEXT], r["what"], r["accounts"],
                     r["posts"], None if first is None else
                     round(first.replace(tzinfo=UTC).timestamp()), r["span_s"],
                     [account_index.get(a, -1) for a in
                      r["account_ids"].split(";")[:MAX_KEY_ACCOUNTS]],
                     (r["example_links"] or "").split(), r["key_link"] or ""])
    return keys


def method_lines(detection: Detection) -> list[list[str]]:
    """Per behaviour run: [behaviour, what it means, the time scales it was tested at],
    from the parameters and windows actually used."""
    from sockscope.detect.coaction import trace_scales
    from sockscope.plugins import TRACES

    lines = []
    for name in detection.params.traces:
        trace = TRACES[name]
        window = detection.windows.get(name, detection.params.window(name))
        scales = []
        for scale in trace_scales(trace, window, detection.params.window_free):
            scales.append("at any time in the data, on rare items only" if scale.window_s is None
                          else f"within {human_duration(scale.window_s)}")
        lines.append([name, trace.description, "; ".join(scales)])
    if detection.params.amplification:
        lines.append(["amplification", "reposted one account's posts far more than chance "
                      "expects", "at any time in the data"])
    if detection.params.persona:
        lines.append(["co-schedule", "posted links on a clock (the same minutes of the hour, "
                      "each account its own), in one layout, under one profile template",
                      "over the whole data"])
    return lines


def strongest_ties(detection: Detection, accounts: set[str], limit: int
                   ) -> dict[str, list[list]]:
    """Per account: its strongest edges as [other account, behaviour, weight, q]."""
    ties: dict[str, list[list]] = {}
    for e in detection.edges:
        for me, other in ((e.account_a, e.account_b), (e.account_b, e.account_a)):
            if me in accounts:
                ties.setdefault(me, []).append([other, e.behaviour, round(e.weight, 3),
                                                float(f"{e.q_value:.3g}")])
    return {a: sorted(t, key=lambda x: (-x[2], x[0], x[1]))[:limit] for a, t in ties.items()}


def _evidence(con: duckdb.DuckDBPyConnection, members: str, evidence: str, links: str,
              account_ids: list[str]) -> tuple[dict, int]:
    """Evidence rows inside groups, within the page's byte budget, with texts and post
    links (``links``: GroupTables.post_links) interned."""
    strings: dict[str, int] = {}

    def ref(text: str | None) -> int:
        if text is None:
            return -1
        text = text[:MAX_TEXT]
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    total = con.execute(f"SELECT count(*) FROM {evidence}").fetchall()[0][0]
    rows = con.execute(
        f"""
        WITH ranked AS (
            SELECT e.*, m.group_id,
                   row_number() OVER (PARTITION BY m.group_id ORDER BY e.time_a, e.account_a,
                                      e.account_b, e.behaviour, e.key) AS n,
                   count(*) OVER (PARTITION BY m.group_id) AS in_group
            FROM {evidence} e
            JOIN {members} m ON m.account_id = e.account_a
            JOIN {members} m2 ON m2.account_id = e.account_b AND m2.group_id = m.group_id
        )
        SELECT r.group_id, r.behaviour, r.account_a, r.account_b, r.key,
               epoch(r.time_a), r.dt_s, r.text_a, r.text_b, r.in_group, la.url, lb.url
        FROM ranked r
        LEFT JOIN {links} la ON la.post_id = r.post_a
        LEFT JOIN {links} lb ON lb.post_id = r.post_b
        WHERE r.n <= greatest({MIN_GROUP_ROWS}, {MAX_EVIDENCE} * r.in_group
                                                / greatest({total}, 1))
        ORDER BY r.group_id, r.time_a, r.account_a, r.account_b, r.behaviour, r.key
        """
    ).fetchall()
    # each group gets a share of the byte budget in proportion to its evidence (at least
    # MIN_GROUP_ROWS rows' worth); rows are kept in time order until the share is spent
    kept_total = len(rows)
    spent: dict[str, int] = {}
    kept = []
    account_index = {a: i for i, a in enumerate(account_ids)}
    for group, behaviour, a, b, key, ta, dt, text_a, text_b, in_group, link_a, link_b in rows:
        share = max(EVIDENCE_BYTES * in_group / max(total, 1),
                    EVIDENCE_BYTES * MIN_GROUP_ROWS / max(kept_total, 1), MIN_GROUP_BYTES)
        cost = ROW_BYTES + sum(len((t or "")[:MAX_TEXT]) for t in
                               (key, text_a, text_b, link_a, link_b)
                               if (t or "")[:MAX_TEXT] not in strings)
        if spent.get(group, 0) + cost > share:
            continue
        spent[group] = spent.get(group, 0) + cost
        kept.append([group, ref(behaviour), account_index.get(a, -1),
                     account_index.get(b, -1), ref(key), round(float(ta)),
                     round(float(dt or 0.0), 1), ref(text_a), ref(text_b), ref(link_a),
                     ref(link_b)])
    return {"evidence": kept, "strings": list(strings)}, int(total)


def _activity(con: duckdb.DuckDBPyConnection, members: str, evidence: str
              ) -> tuple[dict, dict, dict]:
    """Per group: posts per hour, co-action bursts per hour, and the hour-of-week grid."""
    activity: dict[str, dict[str, list[int]]] = {}
    for group, hour, posts in con.execute(
        f"""SELECT m.group_id, epoch(date_trunc('hour', p.created_at))::BIGINT, count(*)
            FROM posts p JOIN {members} m USING (account_id) GROUP BY ALL ORDER BY ALL"""
    ).fetchall():
        activity.setdefault(group, {"hours": [], "posts": []})
        activity[group]["hours"].append(int(hour))
        activity[group]["posts"].append(int(posts))
    bursts: dict[str, dict[str, int]] = {}
    for group, hour, count in con.execute(
        f"""SELECT m.group_id, (floor(epoch(e.time_a) / 3600) * 3600)::BIGINT, count(*)
            FROM {evidence} e JOIN {members} m ON m.account_id = e.account_a
            JOIN {members} m2 ON m2.account_id = e.account_b AND m2.group_id = m.group_id
            WHERE e.time_a IS NOT NULL
            GROUP BY ALL ORDER BY ALL"""
    ).fetchall():
        bursts.setdefault(group, {})[str(int(hour))] = int(count)
    week: dict[str, list[list[int]]] = {}
    for group, dow, hour, count in con.execute(
        f"""SELECT m.group_id, isodow(p.created_at) - 1, hour(p.created_at), count(*)
            FROM posts p JOIN {members} m USING (account_id) GROUP BY ALL ORDER BY ALL"""
    ).fetchall():
        week.setdefault(group, [[0] * 24 for _ in range(7)])[dow][hour] = int(count)
    return activity, bursts, week


def _inputs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return [
        {"path": r[0], "format": r[1], "read": r[2], "kept": r[3], "skipped": r[4],
         "reasons": [{"reason": s["reason"], "field": s["field"], "count": s["count"]}
                     for s in (r[5] or [])]}
        for r in con.execute("SELECT path, format, rows_read, rows_kept, rows_skipped, skipped "
                             "FROM ingest_log ORDER BY path").fetchall()
    ]


def _network(detection: Detection, members: list) -> dict:
    """Flagged accounts with precomputed positions (the page does no layout work): each
    group laid out on its own and the groups packed apart, largest first, so that a
    large group is a readable cloud of its own rather than one disk among others. The
    LABELLED highest-scoring accounts of each group carry a label."""
    strongest = sorted(members, key=lambda m: (-m[3], m[0]))[:MAX_NODES]
    names = sorted(m[0] for m in strongest)
    index = {n: i for i, n in enumerate(names)}
    group_of = {m[0]: m[1] for m in strongest}
    score = {m[0]: m[3] for m in strongest}
    fused: dict[tuple[str, str], list] = {}
    for e in detection.edges:
        if e.account_a in index and e.account_b in index:
            fused.setdefault((e.account_a, e.account_b), []).append(e)
    edges = sorted(((a, b, sum(e.weight for e in es),
                     ";".join(sorted(e.behaviour for e in es))) for (a, b), es in fused.items()),
                   key=lambda e: (-e[2], e[0], e[1]))
    total_edges = len(edges)
    edges = sorted(edges[:MAX_EDGES], key=lambda e: (e[0], e[1]))
    by_group: dict[str, list[str]] = {}
    for name in names:
        by_group.setdefault(group_of[name], []).append(name)
    coords: dict[str, tuple[float, float]] = {}
    labelled: set[str] = set()
    placed = []
    for group, accounts in sorted(by_group.items(), key=lambda g: (-len(g[1]), g[0])):
        local = {a: i for i, a in enumerate(accounts)}
        graph = ig.Graph(n=len(accounts), edges=[(local[a], local[b]) for a, b, _, _ in edges
                                                 if a in local and b in local])
        radius = 12 * len(accounts) ** 0.5 + 6
        points = seeded_layout(graph, columns=max(1, int(len(accounts) ** 0.5)))
        placed.append((group, radius, {a: ((x / 500 - 1) * radius, (y / 500 - 1) * radius)
                                       for a, (x, y) in zip(accounts, points, strict=True)}))
        labelled.update(sorted(accounts, key=lambda a: (-score[a], a))[:LABELLED])
    for group, (cx, cy) in _pack([(g, r) for g, r, _ in placed]).items():
        for account, (x, y) in next(p for g, _, p in placed if g == group).items():
            coords[account] = (cx + x, cy + y)
    return {"nodes": [[n, round(coords[n][0], 1), round(coords[n][1], 1),
                       1 if n in labelled else 0] for n in names],
            "edges": [[index[a], index[b], round(w, 3), beh] for a, b, w, beh in edges],
            "shown": len(names), "flagged": len(members), "edges_total": total_edges}


def _pack(circles: list[tuple[str, float]]) -> dict[str, tuple[float, float]]:
    """Centres for circles of the given radii, largest first, in rows about as wide as
    the whole is tall (a shelf packing), with a gap of half the smallest diameter."""
    if not circles:
        return {}
    gap = max(10.0, min(r for _, r in circles))
    width = max(max(2 * r for _, r in circles),
                sum((2 * r + gap) ** 2 for _, r in circles) ** 0.5 * 1.2)
    centres: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for group, radius in circles:
        if x > 0 and x + 2 * radius > width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        centres[group] = (x + radius, y + radius)
        x += 2 * radius + gap
        row_height = max(row_height, 2 * radius)
    return centres


def seeded_layout(graph: ig.Graph, columns: int) -> list[tuple[float, float]]:
    """Deterministic force-directed positions scaled to 0-1000, starting from a grid of
    ``columns`` columns (the page does no layout work)."""
    if graph.vcount() == 0:
        return []
    # igraph draws layout noise from a global generator: give it a seeded one
    ig.set_random_number_generator(random.Random(1))
    try:
        layout = graph.layout_fruchterman_reingold(niter=300, seed=[
            (float(i % columns), float(i // columns)) for i in range(graph.vcount())])
    finally:
        ig.set_random_number_generator(random)
    xs, ys = zip(*layout.coords, strict=True)
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    return [((x - min(xs)) / span * 1000, (y - min(ys)) / span * 1000) for x, y in layout.coords]


def render(data: dict, template: str = "report.html.j2", script: str = "report.js") -> str:
    """The page: a template, the vendored libraries and one page script, with the data
    embedded as JSON that nothing in it can break out of."""
    environment = Environment(
        loader=FileSystemLoader(str(files("sockscope.report") / "templates")),
        autoescape=select_autoescape(["html", "j2"]))
    return environment.get_template(template).render(
        data_json=safe_json(data),
        scripts=[_static(name) for name in STATIC] + [_static(script)],
        styles=[_static(name) for name in STYLES],
        generated=data["overview"]["manifest"].get("version", ""),
    )


def build_report(con: duckdb.DuckDBPyConnection, detection: Detection, out: str | Path,
                 version: str, tables: group_tables.GroupTables | None = None) -> Path:
    """Write the report page of ``detection`` (posts and the ingest log from ``con``)."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(collect(con, detection, version, tables)), encoding="utf-8")
    return path


def write_report(detection: Detection, out: Path, context: WriteContext) -> None:
    """report.html (a registered writer: sockscope.plugins.WRITERS)."""
    build_report(context.con, detection, out / "report.html", context.version, context.tables)


def write_byline_report(detection: Detection, out: Path, context: WriteContext) -> None:
    """bylines.html, when the run compared bylines (a registered writer)."""
    from sockscope.report.bylines import build_bylines_report

    if detection.bylines is not None:
        build_bylines_report(detection.bylines, detection.manifest(context.version),
                             out / "bylines.html")


BUILTIN = [("report", write_report), ("byline report", write_byline_report)]
