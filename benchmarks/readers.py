"""Ingest throughput of every reader, side by side, on the same posts.

One set of N synthetic posts (a third reposts, a tenth replies, hashtags, links, Thai
and quoted text) is written in each format's real layout with DuckDB, then each file is
ingested into a fresh DuckDB file in a child process. Prints rows/s, MB/s and peak
memory per reader, measured in one run (compare ratios: the machine is noisy).

    python benchmarks/readers.py            # N = 1e6
    python benchmarks/readers.py 100000
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from ingest import generate as archive_csv  # noqa: E402

POSTS = """
    SELECT i,
        CAST(1400000000000000000 + i AS VARCHAR) AS id,
        CAST(10000 + i % 20000 AS VARCHAR) AS author,
        'user' || (i % 20000) AS handle,
        TIMESTAMP '2021-06-01' + INTERVAL (i * 7 % 2592000) SECOND AS ts,
        i % 3 = 0 AS is_repost, i % 10 = 1 AS is_reply,
        CAST(1400000000000000000 + i % 5000 AS VARCHAR) AS target,
        CAST(10000 + i % 97 AS VARCHAR) AS target_author,
        CASE WHEN i % 3 = 0 THEN 'RT @someone: ' ELSE '' END
          || 'ข้อความ number ' || i || ', with a comma and "a quote"' AS text,
        CASE WHEN i % 4 = 0 THEN ['tag' || (i % 50), 'อนาคตใหม่'] ELSE [] END AS tags,
        CASE WHEN i % 5 = 0 THEN ['https://example.com/a/' || (i % 1000)] ELSE [] END AS links
    FROM range({n}) t(i)
"""

FORMATS = {
    # twarc2 flattened tweets, one per line
    "twitter-v2.jsonl": """
        SELECT id, author AS author_id, strftime(ts, '%Y-%m-%dT%H:%M:%S.000Z') AS created_at,
               text, 'en' AS lang,
               CASE WHEN is_repost THEN [{'type': 'retweeted', 'id': target}]
                    WHEN is_reply THEN [{'type': 'replied_to', 'id': target}]
                    ELSE [] END AS referenced_tweets,
               {'hashtags': list_transform(tags, lambda x: {'tag': x}),
                'urls': list_transform(links, lambda u: {'url': u, 'expanded_url': u})}
                   AS entities
        FROM posts""",
    # API v1.1 tweets, one per line
    "twitter-v1.jsonl": """
        SELECT id AS id_str, strftime(ts, '%a %b %d %H:%M:%S +0000 %Y') AS created_at,
               text AS full_text, {'id_str': author, 'screen_name': handle} AS "user",
               CASE WHEN is_reply THEN target END AS in_reply_to_status_id_str,
               CASE WHEN is_repost THEN {'id_str': target, 'user': {'id_str': target_author}}
                    END AS retweeted_status,
               {'hashtags': list_transform(tags, lambda x: {'text': x}),
                'urls': list_transform(links, lambda u: {'expanded_url': u})} AS entities
        FROM posts""",
    # Pushshift comments and submissions
    "reddit.ndjson": """
        SELECT id, handle AS author, epoch(ts)::BIGINT AS created_utc, 'news' AS subreddit,
               text AS body, CASE WHEN is_reply THEN 't1_' || target ELSE 't3_x' END AS parent_id
        FROM posts""",
}
TABLES = {
    # Hydrator's CSV
    "hydrator.csv": """
        SELECT strftime(ts, '%a %b %d %H:%M:%S +0000 %Y') AS created_at,
               array_to_string(tags, ' ') AS hashtags, array_to_string(links, ' ') AS urls,
               id, CASE WHEN is_reply THEN target END AS in_reply_to_status_id,
               CASE WHEN is_repost THEN target END AS retweet_id, text, author AS user_id,
               handle AS user_screen_name
        FROM posts""",
    # CrowdTangle's CSV
    "crowdtangle.csv": """
        SELECT handle AS "Page Name", handle AS "User Name", author AS "Facebook Id",
               strftime(ts, '%Y-%m-%d %H:%M:%S') || ' EST' AS "Post Created",
               'https://www.facebook.com/' || handle || '/posts/' || id AS "URL",
               text AS "Message", links[1] AS "Link"
        FROM posts""",
    # a generic table read with --map (CooRTweet's layout)
    "table.csv": """
        SELECT id AS content_id, author AS account_id,
               CASE WHEN is_repost THEN target END AS object_id,
               epoch(ts)::BIGINT AS timestamp_share
        FROM posts""",
}
MAPS = {"table.csv": ["--map", "post_id=content_id", "--map", "account_id=account_id",
                      "--map", "repost_of_post=object_id",
                      "--map", "created_at=timestamp_share"]}

CHILD = r'''
import json, os, sys, threading, time
PAGE = os.sysconf("SC_PAGE_SIZE")
peak = [0]
def sample():
    while True:
        with open("/proc/self/statm") as f:
            peak[0] = max(peak[0], int(f.read().split()[1]) * PAGE)
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
from sockscope.api import ingest
args = sys.argv[1:]
mapping = dict(a.split("=", 1) for a in args[2:][1::2])
start = time.perf_counter()
result = ingest([args[0]], args[1], mapping=mapping or None)
seconds = time.perf_counter() - start
report = result.reports[0]
print(json.dumps({"seconds": seconds, "kept": report.rows_kept, "format": report.format,
                  "skipped": report.rows_skipped, "peak": peak[0]}))
'''


def write_all(folder: Path, n: int) -> dict[str, Path]:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE posts AS {POSTS.format(n=n)}")
    files: dict[str, Path] = {}
    archive = folder / "archive.csv"
    archive_csv(archive, n)
    files["archive.csv"] = archive
    for name, select in FORMATS.items():
        path = folder / name
        con.execute(f"COPY ({select}) TO '{path}' (FORMAT json)")
        files[name] = path
    for name, select in TABLES.items():
        path = folder / name
        con.execute(f"COPY ({select}) TO '{path}' (FORMAT csv, HEADER true)")
        files[name] = path
    return files


def main() -> None:
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="sockscope-readers-") as tmp:
        files = write_all(Path(tmp), n)
        print(f"{n:,} posts per file; one run each on this machine")
        print(f"{'file':<18} {'reader':<18} {'MB':>7} {'seconds':>8} {'rows/s':>10} "
              f"{'MB/s':>7} {'peak MB':>8} {'skipped':>8}")
        for name, path in files.items():
            db = Path(tmp) / f"{name}.duckdb"
            done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(db),
                                   *MAPS.get(name, [])], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{name:<18} failed: {done.stderr.strip().splitlines()[-1]}")
                continue
            stats = json.loads(done.stdout.strip().splitlines()[-1])
            megabytes = path.stat().st_size / 1e6
            print(f"{name:<18} {stats['format']:<18} {megabytes:>7.0f} "
                  f"{stats['seconds']:>8.2f} {stats['kept'] / stats['seconds']:>10,.0f} "
                  f"{megabytes / stats['seconds']:>7.1f} {stats['peak'] / 1e6:>8.0f} "
                  f"{stats['skipped']:>8,}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
