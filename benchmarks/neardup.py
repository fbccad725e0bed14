"""Near-duplicate text detection at scale, and coordination-network-toolkit's
co_similar_tweet on the same posts.

    python benchmarks/neardup.py              # 1e5 and 1e6 posts; the toolkit at 1e5
    python benchmarks/neardup.py 1e7          # chosen sizes
    CNT_MAX=0 python benchmarks/neardup.py    # skip the toolkit

Posts are generated in DuckDB: texts of 10-20 words drawn with Zipf's law (s = 1) from
a 50,000-word vocabulary, spread over 14 days. One post in a hundred belongs to a
planted family of 20: a base text posted by 20 accounts within five minutes, each copy
with one word replaced. Recall counts planted pairs whose true shingle Jaccard is at
least 0.7 (measured on a sample of families) that end up in the same cluster.
sockscope's time covers text normalisation, MinHash/LSH clustering and the windowed
co-actions of the co-text-near trace; the toolkit's covers its preprocessing and
co_similar_tweet (time window 300 s, similarity threshold 0.7).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FAMILY = 20
FAMILY_SHARE = 0.01
SAMPLE_FAMILIES = 500

POSTS_SQL = """
    WITH base AS (
        SELECT i, (i < {planted}) AS planted, i // {family} AS family,
               CAST(10 + hash(i, 'len') % 11 AS BIGINT) AS n_words
        FROM range({n}) t(i)
    ), words AS (
        SELECT i, planted, family,
               list_transform(range(CASE WHEN planted THEN 14 ELSE n_words END),
                   lambda k: 'w' || CAST(floor(exp((hash(CASE WHEN planted THEN family
                       ELSE i + 1000000000 END, k) % 1000000000) / 1e9 * ln(50000))) AS BIGINT)
               ) AS ws
        FROM base
    )
    SELECT 'p' || i AS post_id,
           'u' || (CASE WHEN planted THEN i ELSE hash(i, 'acc') % {accounts} END) AS account_id,
           TIMESTAMP '2024-03-04' + to_seconds(CASE WHEN planted
               THEN CAST(hash(family, 't') % (13 * 86400) + hash(i, 'd') % 300 AS BIGINT)
               ELSE CAST(hash(i, 't') % (14 * 86400) AS BIGINT) END) AS created_at,
           array_to_string(CASE WHEN planted AND i % {family} <> 0
               THEN list_transform(ws, lambda w, k:
                        CASE WHEN k - 1 = CAST(hash(i, 'e') % 14 AS BIGINT)
                             THEN 'edit' || i ELSE w END)
               ELSE ws END, ' ') AS text,
           planted, family
    FROM words
"""

CHILD = r'''
import json, os, sys, threading, time
import duckdb
from sockscope.store.database import connect
from sockscope.detect.coaction import build_coactions
from sockscope.keys.neardup import prepare_near_duplicates
from sockscope.detect.scratch import Scratch
from sockscope.plugins import TRACES
from sockscope.detect.traces.co_text import prepare_normalised_texts

PAGE = os.sysconf("SC_PAGE_SIZE")
peak = [0]
def sample():
    while True:
        with open("/proc/self/statm") as f:
            peak[0] = max(peak[0], int(f.read().split()[1]) * PAGE)
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()

con = connect(sys.argv[1])
start = time.perf_counter()
prepare_normalised_texts(con)
normalised = time.perf_counter() - start
stats = prepare_near_duplicates(con)
clustered = time.perf_counter() - start
build_coactions(Scratch(con), TRACES["co-text-near"], 300)
total = time.perf_counter() - start
con.execute("CREATE TABLE bench_clusters AS SELECT n.post_id, nt.cluster FROM norm_texts n "
            "JOIN near_texts nt USING (norm)")
print(json.dumps({"normalise": normalised, "cluster": clustered - normalised,
                  "coactions": total - clustered, "total": total, "peak": peak[0], **stats}))
'''


def make_posts(db: Path, n: int) -> None:
    import duckdb

    from sockscope.store.database import connect

    planted = int(n * FAMILY_SHARE) // FAMILY * FAMILY
    con = connect(db)
    sql = POSTS_SQL.format(n=n, planted=planted, family=FAMILY, accounts=max(1000, n // 50))
    con.execute(f"CREATE TABLE bench_posts AS {sql}")
    con.execute(
        """INSERT INTO posts (platform, post_id, account_id, created_at, time_precision_s, kind,
                              text, urls, hashtags, mentions, media)
           SELECT 'x', post_id, account_id, created_at, 1, 'post', text, [], [], [], []
           FROM bench_posts"""
    )
    con.close()
    del duckdb


def planted_recall(db: Path) -> tuple[float, int]:
    """Share of sampled planted pairs with true Jaccard >= 0.7 found in one cluster."""
    from sockscope.keys.neardup import shingle_sets
    from sockscope.keys.normalize_text import normalize_text
    from sockscope.store.database import connect

    con = connect(db)
    rows = con.execute(
        f"""SELECT b.family, b.post_id, b.text, c.cluster FROM bench_posts b
            LEFT JOIN bench_clusters c USING (post_id)
            WHERE b.planted AND b.family < {SAMPLE_FAMILIES} ORDER BY b.family, b.post_id"""
    ).fetchall()
    con.close()
    families: dict[int, list[tuple[str, str | None]]] = {}
    for family, _post, text, cluster in rows:
        families.setdefault(family, []).append((normalize_text(text), cluster))
    found = total = 0
    for members in families.values():
        sets = shingle_sets([m[0] for m in members])
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                jaccard = len(sets[a] & sets[b]) / max(1, len(sets[a] | sets[b]))
                if jaccard >= 0.7:
                    total += 1
                    found += members[a][1] is not None and members[a][1] == members[b][1]
    return (found / total if total else 0.0), total


def run_toolkit(db: Path, work: Path) -> dict | None:
    """coordination-network-toolkit on the same posts, if it is installed."""
    tool = shutil.which("compute_networks") or str(Path(sys.executable).parent /
                                                   "compute_networks")
    if not Path(tool).exists():
        return None
    from sockscope.store.database import connect

    csv_path = work / "cnt.csv"
    con = connect(db)
    con.execute(f"""COPY (SELECT post_id AS message_id, account_id AS user_id,
                          account_id AS username, '' AS repost_id, '' AS reply_id,
                          text AS message, CAST(epoch(created_at) AS BIGINT) AS timestamp,
                          '' AS urls FROM bench_posts)
                    TO '{csv_path}' (HEADER, DELIMITER ',')""")
    con.close()
    sqlite = work / "cnt.db"
    command = (f"/usr/bin/time -f '%e %M' {tool} {sqlite} preprocess --format csv {csv_path} && "
               f"/usr/bin/time -f '%e %M' {tool} {sqlite} compute co_similar_tweet "
               f"--time_window 300 --similarity_threshold 0.7")
    # (no --output_file: the toolkit's CSV writer fails in 1.5.2; the network is computed
    # and stored in its SQLite database either way, which is what is timed)
    try:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                              timeout=600)
    except subprocess.TimeoutExpired:
        return {"seconds": None}
    times = [line.split() for line in done.stderr.strip().splitlines()
             if len(line.split()) == 2 and line.split()[0].replace(".", "").isdigit()]
    if done.returncode != 0 or len(times) < 2:
        return {"error": done.stderr[-500:]}
    return {"seconds": sum(float(t[0]) for t in times),
            "peak_mb": max(int(t[1]) for t in times) / 1024}


def main() -> None:
    sizes = [int(float(a)) for a in sys.argv[1:]] or [100_000, 1_000_000]
    toolkit_max = int(float(os.environ.get("CNT_MAX", "1e5")))
    print(f"{'posts':>10} {'tool':>22} {'seconds':>8} {'peak MB':>8} {'recall':>7} "
          f"{'pairs':>7} {'clusters':>8}")
    with tempfile.TemporaryDirectory(prefix="sockscope-neardup-") as tmp:
        for n in sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            db = work / "bench.duckdb"
            make_posts(db, n)
            done = subprocess.run([sys.executable, "-c", CHILD, str(db)], check=True,
                                  capture_output=True, text=True)
            stats = json.loads(done.stdout.strip().splitlines()[-1])
            recall, pairs = planted_recall(db)
            print(f"{n:>10,} {'sockscope co-text-near':>22} {stats['total']:>8.1f} "
                  f"{stats['peak'] / 2**20:>8.0f} {recall:>7.3f} {pairs:>7,} "
                  f"{stats['clusters']:>8,}", flush=True)
            print(f"{'':>10} {'':>22} normalise {stats['normalise']:.1f} s, cluster "
                  f"{stats['cluster']:.1f} s, co-actions {stats['coactions']:.1f} s; "
                  f"{stats['candidates']:,} LSH candidates, {stats['verified']:,} verified",
                  flush=True)
            if n <= toolkit_max:
                result = run_toolkit(db, work)
                if result is None:
                    print(f"{'':>10} {'toolkit':>22} not installed")
                elif "error" in result:
                    print(f"{n:>10,} {'co_similar_tweet':>22} failed: {result['error']}")
                elif result.get("seconds") is None:
                    print(f"{n:>10,} {'co_similar_tweet':>22} {'> 600':>8}")
                else:
                    print(f"{n:>10,} {'co_similar_tweet':>22} {result['seconds']:>8.1f} "
                          f"{result['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
