"""The naive reference detector (``sockscope detect --method naive``).

What many research scripts do: count, per pair of accounts, how often they reposted
the same post or posted the same text within 60 seconds; keep pairs with at least 3
such co-actions; call every connected component a coordinated group. No popularity
weighting and no statistics, so viral content and fan communities fool it. It exists
to show how hard the simulated worlds are, and as a floor for the real detector.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import igraph as ig

from sockscope.output.contract import ACCOUNT_COLUMNS, EDGE_COLUMNS, GROUP_COLUMNS, seen_accounts
from sockscope.output.safe_csv import write_csv

WINDOW_S = 60
MIN_SHARED = 3



def detect_naive(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, object]:
    """Run the naive detector on the posts in ``con`` and write the result files."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE naive_pairs AS
        WITH acts AS (
            SELECT account_id, epoch(created_at) AS t, 'co-repost' AS behaviour,
                   repost_of_post AS key
            FROM posts WHERE repost_of_post IS NOT NULL
            UNION ALL
            SELECT account_id, epoch(created_at), 'co-text',
                   lower(regexp_replace(trim(text), '\\s+', ' ', 'g'))
            FROM posts WHERE kind <> 'repost' AND coalesce(trim(text), '') <> ''
        )
        SELECT a.account_id AS account_a, b.account_id AS account_b, a.behaviour,
               count(DISTINCT a.key) AS shared_keys,
               min(abs(b.t - a.t)) AS min_dt_s, median(abs(b.t - a.t)) AS median_dt_s,
               list(DISTINCT a.key)[1:3] AS example_keys,
               min(least(a.t, b.t)) AS first_t, max(greatest(a.t, b.t)) AS last_t
        FROM acts a JOIN acts b
          ON a.key = b.key AND a.behaviour = b.behaviour AND a.account_id < b.account_id
         AND b.t BETWEEN a.t - {WINDOW_S} AND a.t + {WINDOW_S}
        GROUP BY ALL HAVING count(DISTINCT a.key) >= {MIN_SHARED}
        ORDER BY account_a, account_b, behaviour
        """
    )
    edges = con.execute("SELECT * FROM naive_pairs").fetchall()
    names = sorted({e[0] for e in edges} | {e[1] for e in edges})
    index = {name: i for i, name in enumerate(names)}
    graph = ig.Graph(n=len(names), edges=[(index[e[0]], index[e[1]]) for e in edges])
    components = sorted((sorted(c, key=lambda i: names[i]) for c in graph.connected_components()
                         if len(c) >= 2), key=lambda c: (-len(c), names[c[0]]))
    group_of: dict[str, str] = {}
    for number, members in enumerate(components, start=1):
        for member in members:
            group_of[names[member]] = f"G{number:04d}"
    strength: dict[str, int] = {}
    behaviours: dict[str, set[str]] = {}
    for a, b, behaviour, shared, *_ in edges:
        for account in (a, b):
            strength[account] = strength.get(account, 0) + shared
            behaviours.setdefault(account, set()).add(behaviour)
    accounts = seen_accounts(con)
    write_csv(out / "accounts.csv", ACCOUNT_COLUMNS, (
        (acc, handle, acc in group_of, group_of.get(acc, ""), "", strength.get(acc, 0),
         ";".join(sorted(behaviours.get(acc, ()))), "", "")
        for acc, handle in accounts))
    group_rows = []
    for number, members in enumerate(components, start=1):
        ids = {names[m] for m in members}
        inside = [e for e in edges if e[0] in ids and e[1] in ids]
        kinds = sorted({e[2] for e in inside})
        first = min(e[7] for e in inside)
        last = max(e[8] for e in inside)
        span = (time.strftime("%Y-%m-%d", time.gmtime(first)),
                time.strftime("%Y-%m-%d", time.gmtime(last)))
        group_rows.append((f"G{number:04d}", len(ids), sum(e[3] for e in inside), None,
                           ";".join(kinds), span[0], span[1], "",
                           f"{len(ids)} accounts linked by {', '.join(kinds)} "
                           f"(≥{MIN_SHARED} shared items within {WINDOW_S} s), "
                           f"{span[0]} to {span[1]}"))
    write_csv(out / "groups.csv", GROUP_COLUMNS, group_rows)
    write_csv(out / "edges.csv", EDGE_COLUMNS, (
        (a, b, behaviour, shared, shared, None, None, min_dt, median_dt, None,
         " | ".join(map(str, keys)))
        for a, b, behaviour, shared, min_dt, median_dt, keys, *_ in edges))
    manifest = {"method": "naive", "window_s": WINDOW_S, "min_shared": MIN_SHARED,
                "edges": len(edges), "groups": len(components), "flagged": len(group_of),
                "accounts": len(accounts), "seconds": round(time.perf_counter() - started, 2)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest
