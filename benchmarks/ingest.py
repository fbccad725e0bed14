"""Ingest throughput on the information-operations archive CSV.

Generates an archive-format CSV of N rows (30 columns, quoted texts with commas,
quotes and newlines, list-string columns, minute-resolution times), then ingests it
into a fresh DuckDB file in a child process and prints rows/s and peak memory (RSS).

    python benchmarks/ingest.py            # N = 1e5, 1e6
    python benchmarks/ingest.py 100000     # chosen sizes
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

COLUMNS = [
    "tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
    "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "is_retweet", "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count",
    "reply_count", "like_count", "retweet_count", "hashtags", "urls", "user_mentions",
]


def generate(path: Path, rows: int) -> None:
    """Write an archive-format CSV with DuckDB (fast, deterministic)."""
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
          SELECT
            CAST(1100000000000000000 + i AS VARCHAR) AS tweetid,
            md5(CAST(i % 20000 AS VARCHAR)) AS userid,
            'User ' || (i % 20000) AS user_display_name,
            md5(CAST(i % 20000 AS VARCHAR)) AS user_screen_name,
            '' AS user_reported_location,
            CASE WHEN i % 7 = 0 THEN 'bio, with "quotes"' ELSE '' END AS user_profile_description,
            '' AS user_profile_url,
            CAST(i % 5000 AS VARCHAR) AS follower_count,
            CAST(i % 300 AS VARCHAR) AS following_count,
            '2019-11-05' AS account_creation_date,
            'en' AS account_language, 'th' AS tweet_language,
            CASE WHEN i % 3 = 0 THEN 'RT @someone: ' ELSE '' END
              || 'ข้อความ number ' || i || ', with a comma and "a quote"'
              || CASE WHEN i % 11 = 0 THEN chr(10) || 'second line' ELSE '' END
              || ' https://t.co/' || (i % 9973) AS tweet_text,
            strftime(TIMESTAMP '2020-01-01' + INTERVAL (i * 17 % 31536000) SECOND,
                     '%Y-%m-%d %H:%M') AS tweet_time,
            'Twitter for Android' AS tweet_client_name,
            '' AS in_reply_to_userid, '' AS in_reply_to_tweetid, '' AS quoted_tweet_tweetid,
            CASE WHEN i % 3 = 0 THEN 'true' ELSE 'false' END AS is_retweet,
            '' AS retweet_userid,
            CASE WHEN i % 3 = 0 THEN CAST(1000000000000000000 + i % 5000 AS VARCHAR) ELSE ''
              END AS retweet_tweetid,
            'absent' AS latitude, 'absent' AS longitude,
            '0' AS quote_count, '0' AS reply_count, '0' AS like_count, '0' AS retweet_count,
            CASE WHEN i % 2 = 0 THEN '[''tag' || (i % 50) || ''', ''อนาคตใหม่'']' ELSE '[]'
              END AS hashtags,
            CASE WHEN i % 4 = 0 THEN '[''https://example.com/a/' || (i % 1000)
              || '?utm_source=x'']' ELSE '[]' END AS urls,
            '[''' || (i % 777) || ''']' AS user_mentions
          FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',', QUOTE '"', FORCE_QUOTE *)
        """
    )


CHILD = """
import json, resource, sys, time
from sockscope import api
start = time.perf_counter()
result = api.ingest([sys.argv[1]], sys.argv[2])
elapsed = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"kept": result.rows_kept, "skipped": result.rows_skipped,
                  "seconds": elapsed, "peak_mb": peak_kb / 1024}))
"""


def run(rows: int, workdir: Path) -> dict:
    csv_path = workdir / f"archive_{rows}.csv"
    generate(csv_path, rows)
    db_path = workdir / f"run_{rows}.duckdb"
    out = subprocess.run([sys.executable, "-c", CHILD, str(csv_path), str(db_path)],
                         check=True, capture_output=True, text=True)
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    stats["rows"] = rows
    stats["mb"] = csv_path.stat().st_size / 1e6
    return stats


def main() -> None:
    sizes = [int(float(a)) for a in sys.argv[1:]] or [100_000, 1_000_000]
    print(f"{'rows':>10} {'file MB':>8} {'seconds':>8} {'rows/s':>10} {'peak MB':>8} {'kept':>10}")
    with tempfile.TemporaryDirectory(prefix="sockscope-bench-") as tmp:
        for rows in sizes:
            started = time.perf_counter()
            stats = run(rows, Path(tmp))
            assert stats["kept"] == rows, stats
            print(f"{rows:>10,} {stats['mb']:>8.0f} {stats['seconds']:>8.2f} "
                  f"{rows / stats['seconds']:>10,.0f} {stats['peak_mb']:>8.0f} "
                  f"{stats['kept']:>10,}", flush=True)
            del started


if __name__ == "__main__":
    main()
