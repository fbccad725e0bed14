"""Report size and responsiveness at scale: N flagged accounts, E evidence rows.

    python benchmarks/report.py                  # 5,000 accounts, 100,000 evidence rows
    python benchmarks/report.py 2000 50000

Result tables are synthesised directly (groups of 50 accounts with dense internal
links and evidence carrying 120-character texts), the page is rendered, and, when
Playwright and Debian's Chromium are available, opened: the table prints the file size,
the time until the page is ready, and the time to open the largest group's evidence.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from sockscope.model.detection import Detection, Edge, Group
from sockscope.model.params import DetectParams
from sockscope.output.contract import account_table, evidence_table
from sockscope.report import build_report
from sockscope.store.database import arrow_view, connect

GROUP = 50


def synthesise(con, accounts: int, evidence: int) -> Detection:
    """A Detection with groups of GROUP accounts, dense internal edges and evidence rows
    whose posts carry 17-word texts (the posts are inserted into ``con``)."""
    rng = np.random.default_rng(0)
    ids = [f"a{i:06d}" for i in range(accounts)]
    first = datetime(2024, 3, 4, tzinfo=UTC)
    groups = [Group(group_id=f"G{g + 1:04d}", members=ids[start:start + GROUP],
                    score=round(float(rng.random()), 3), p_value=1e-6,
                    behaviours=[("co-repost", 5, 5.0), ("co-url", 3, 40.0)],
                    first_seen=first, last_seen=first + timedelta(days=13),
                    summary=f"{GROUP} accounts reposted the same posts")
              for g, start in enumerate(range(0, accounts, GROUP))]
    edges = []
    for start in range(0, accounts, GROUP):
        members = np.arange(start, min(start + GROUP, accounts))
        for i in members:
            for j in rng.choice(members, size=min(12, len(members)), replace=False):
                if i < j:
                    edges.append(Edge(ids[i], ids[j], "co-repost", 5, 1.0, 1e-9, 1e-6, 5.0,
                                      5.0, 1709510400.0, 1710633600.0))
    edges.sort(key=lambda e: e.key)
    pick = rng.integers(0, len(edges), size=evidence)
    times = 1709510400 + rng.integers(0, 13 * 86400, size=evidence)
    texts = [" ".join(f"word{w}" for w in rng.integers(0, 5000, size=17)) for _ in range(evidence)]
    with arrow_view(con, pa.table({
        "post_id": [f"pa{k}" for k in range(evidence)],
        "account_id": [edges[k].account_a for k in pick], "text": texts,
        "created_at": pa.array((times * 1_000_000).astype("datetime64[us]"))})) as view:
        con.execute(f"""INSERT INTO posts (platform, post_id, account_id, created_at,
                                           time_precision_s, kind, text, urls, hashtags,
                                           mentions, media)
                        SELECT 'x', post_id, account_id, created_at, 1, 'post', text, [], [],
                               [], [] FROM {view}""")
    with arrow_view(con, pa.table({
        "behaviour": ["co-repost"] * evidence,
        "account_a": [edges[k].account_a for k in pick],
        "account_b": [edges[k].account_b for k in pick],
        "key": [f"post{n % 20000}" for n in range(evidence)],
        "post_a": [f"pa{n}" for n in range(evidence)],
        "post_b": [f"pb{n}" for n in range(evidence)],
        "time_a": times.astype(float), "time_b": (times + 5).astype(float),
        "dt_s": [5.0] * evidence})) as rows:
        table = evidence_table(con, f"SELECT * FROM {rows}")
    return Detection(params=DetectParams(traces=("co-repost",)), edges=edges, groups=groups,
                     evidence=table, accounts=account_table(con, groups, edges),
                     windows={"co-repost": 10}, tests=len(edges))


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
        detection = synthesise(con, accounts, evidence)
        start = time.perf_counter()
        path = build_report(con, detection, Path(tmp) / "report.html", "bench")
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
