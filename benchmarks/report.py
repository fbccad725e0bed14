"""Report size and responsiveness at scale: N flagged accounts, E evidence rows.

    python benchmarks/report.py                  # 5,000 accounts, 100,000 evidence rows
    python benchmarks/report.py 2000 50000

Result tables are synthesised directly (groups of 50 accounts with dense internal
links and evidence carrying 120-character texts), the page is rendered, and, when
Playwright and Debian's Chromium are available, opened: the table prints the file size,
the time until the page is ready, and the time to open the largest group's evidence.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from sockscope.report import build_report
from sockscope.store.database import connect

GROUP = 50


def synthesise(con, accounts: int, evidence: int) -> None:
    rng = np.random.default_rng(0)
    ids = [f"a{i:06d}" for i in range(accounts)]
    groups = [f"G{i // GROUP + 1:04d}" for i in range(accounts)]
    n_groups = (accounts + GROUP - 1) // GROUP
    con.register("m", pa.table({"account_id": ids, "group_id": groups,
                                "handle": [f"user_{i}" for i in range(accounts)],
                                "score": rng.random(accounts).round(3)}))
    con.execute("CREATE TABLE result_members AS SELECT * FROM m")
    first = np.datetime64("2024-03-04T00:00:00")
    con.register("g", pa.table({
        "group_id": [f"G{i + 1:04d}" for i in range(n_groups)],
        "size": [GROUP] * n_groups, "score": rng.random(n_groups).round(3),
        "p_value": [1e-6] * n_groups, "behaviours": ["co-repost;co-url"] * n_groups,
        "first_seen": [first] * n_groups, "last_seen": [first + np.timedelta64(13, "D")] * n_groups,
        "signals": [""] * n_groups,
        "summary": [f"{GROUP} accounts reposted the same posts" for _ in range(n_groups)]}))
    con.execute("CREATE TABLE result_groups AS SELECT * FROM g")
    a, b = [], []
    for start in range(0, accounts, GROUP):
        members = np.arange(start, min(start + GROUP, accounts))
        for i in members:
            for j in rng.choice(members, size=min(12, len(members)), replace=False):
                if i < j:
                    a.append(ids[i])
                    b.append(ids[j])
    con.register("e", pa.table({"account_a": a, "account_b": b,
                                "behaviour": ["co-repost"] * len(a),
                                "shared_keys": [5] * len(a), "weight": [1.0] * len(a),
                                "p_value": [1e-9] * len(a), "q_value": [1e-6] * len(a)}))
    con.execute("CREATE TABLE result_edges AS SELECT * FROM e")
    pick = rng.integers(0, len(a), size=evidence)
    times = 1709510400 + rng.integers(0, 13 * 86400, size=evidence)
    con.register("v", pa.table({
        "behaviour": ["co-repost"] * evidence,
        "account_a": [a[k] for k in pick], "account_b": [b[k] for k in pick],
        "key": [f"post{k % 20000}" for k in range(evidence)],
        "post_a": [f"pa{k}" for k in range(evidence)],
        "post_b": [f"pb{k}" for k in range(evidence)],
        "time_a": times.astype(float), "time_b": (times + 5).astype(float),
        "dt_s": [5.0] * evidence}))
    con.execute("CREATE TABLE result_evidence AS SELECT * FROM v")
    texts = [" ".join(f"word{w}" for w in rng.integers(0, 5000, size=17)) for _ in range(evidence)]
    con.register("p", pa.table({"post_id": [f"pa{k}" for k in range(evidence)],
                                "account_id": [a[k] for k in pick], "text": texts,
                                "created_at": pa.array(
                                    (times * 1_000_000).astype("datetime64[us]"))}))
    con.execute("""INSERT INTO posts (platform, post_id, account_id, created_at, time_precision_s,
                                      kind, text, urls, hashtags, mentions, media)
                   SELECT 'x', post_id, account_id, created_at, 1, 'post', text, [], [], [], []
                   FROM p""")
    con.execute("CREATE TABLE result_manifest (json VARCHAR)")
    con.execute("INSERT INTO result_manifest VALUES (?)", [json.dumps(
        {"version": "bench", "counts": {"flagged": accounts, "groups": n_groups,
                                        "edges": len(a)},
         "parameters": {"traces": ["co-repost"], "windows_s": {"co-repost": 10},
                        "fdr": 0.01, "seed": 1}, "notes": []})])


def open_in_browser(path: Path) -> tuple[float, float] | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 1200})
        start = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_function("window.sockscopeReport && window.sockscopeReport.ready",
                               timeout=120_000)
        ready = time.perf_counter() - start
        start = time.perf_counter()
        page.evaluate("window.sockscopeReport.showGroup('G0001')")
        page.wait_for_selector("#evidence-table tbody tr")
        group = time.perf_counter() - start
        browser.close()
    return ready, group


def main() -> None:
    accounts = int(float(sys.argv[1])) if len(sys.argv) > 1 else 5_000
    evidence = int(float(sys.argv[2])) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory(prefix="sockscope-report-") as tmp:
        con = connect(Path(tmp) / "run.duckdb")
        synthesise(con, accounts, evidence)
        start = time.perf_counter()
        path = build_report(con, Path(tmp) / "report.html")
        built = time.perf_counter() - start
        size = path.stat().st_size / 1e6
        timing = open_in_browser(path)
        print(f"{'accounts':>9} {'evidence':>9} {'build s':>8} {'size MB':>8} {'ready s':>8} "
              f"{'group s':>8}")
        ready, group = timing if timing else (float("nan"), float("nan"))
        print(f"{accounts:>9,} {evidence:>9,} {built:>8.1f} {size:>8.1f} {ready:>8.2f} "
              f"{group:>8.2f}")


if __name__ == "__main__":
    main()
