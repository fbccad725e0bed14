"""sockscope side by side with coordination-network-toolkit, on the same simulated data.

    python benchmarks/peers.py               # 1e5 and 1e6 posts
    python benchmarks/peers.py 1e5 1e6 1e7   # add the 1e7-post world (about half an hour)

For each size, one simulated archive (``sockscope simulate``, about 48 posts per
account) goes through, in one run:

(a) coordination-network-toolkit 1.5.2 from PyPI, in its own virtual environment
    (made once under ~/.cache/sockscope-bench/): ``preprocess`` of its CSV layout, then
    ``compute co_retweet``, ``co_tweet`` and ``co_link`` at a 60 s window;
(b) sockscope on DuckDB with the same three behaviours (co-repost, co-text, co-url at
    60 s; no amplification, no persona signals), end to end from the archive CSV;
(c) sockscope's full default run;
(d) sockscope on Spark in local mode, when ``--engine spark`` is available.

Each step runs in a child process; wall time is measured around it and peak memory is
the child's maximum resident set (``wait4``). The peer's input CSV is written from the
archive before its clock starts (its own layout: message_id, user_id, username,
repost_id, reply_id, message, timestamp, urls). Ratios are peer time / our time.

The check: on the smallest world, the peer's co-retweet pairs (weight >= 1, self-loops
removed, both directions folded) must be exactly the pairs sockscope's co-repost stage
enumerates at 60 s before any statistics, with the neighbour cap lifted so that no
pair is left out by design.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEER = "coordination-network-toolkit==1.5.2"
PEER_VENV = Path.home() / ".cache" / "sockscope-bench" / "peer-venv"
WINDOW = 60
SAME_BEHAVIOURS = ["--traces", "co-repost,co-text,co-url", "--window", str(WINDOW),
                   "--no-amplification", "--no-persona"]


def timed(command: list[str], log: Path) -> tuple[float, int]:
    """Run ``command``; wall seconds and peak resident bytes of the child, as GNU time
    reports them (a child forked from this process would inherit its high-water mark)."""
    memory = log.with_suffix(".maxrss")
    start = time.perf_counter()
    with open(log, "ab") as sink:
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(memory), *command],
                              stdout=sink, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{log.read_text()[-3000:]}")
    return seconds, int(memory.read_text().split()[-1]) * 1024


def peer_python() -> Path:
    """The peer's interpreter, in a virtual environment of its own (made once)."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEER], check=True)
    return python


def peer_csv(archive: Path, target: Path) -> None:
    """The archive's posts in the peer's CSV layout (URLs space-separated)."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        """
        COPY (
            SELECT tweetid AS message_id, userid AS user_id, user_screen_name AS username,
                   coalesce(retweet_tweetid, '') AS repost_id,
                   coalesce(in_reply_to_tweetid, '') AS reply_id,
                   coalesce(tweet_text, '') AS message,
                   epoch(tweet_time::TIMESTAMP)::BIGINT AS timestamp,
                   array_to_string(regexp_extract_all(coalesce(urls, ''), '''([^'']*)''', 1),
                                   ' ') AS urls
            FROM read_csv(?, all_varchar = true, header = true)
        ) TO ? (HEADER, QUOTE '"')
        """, [str(archive), str(target)])
    con.close()


def run_peer(python: Path, csv: Path, work: Path) -> dict[str, tuple[float, int]]:
    database = work / "peer.db"
    log = work / "peer.log"
    steps = {"preprocess": [str(python), "-m", "coordination_network_toolkit", str(database),
                            "preprocess", "--format", "csv", str(csv)]}
    for network in ("co_retweet", "co_tweet", "co_link"):
        steps[network] = [str(python), "-m", "coordination_network_toolkit", str(database),
                          "compute", network, "--time_window", str(WINDOW)]
    return {name: timed(command, log) for name, command in steps.items()}


def run_ours(inputs: list[Path], out: Path, extra: list[str]) -> tuple[float, int]:
    command = [sys.executable, "-m", "sockscope", "detect", *map(str, inputs), "--out",
               str(out), "--memory-limit", "5GB", *extra]
    return timed(command, out.parent / f"{out.name}.log")


def spark_available() -> bool:
    done = subprocess.run([sys.executable, "-m", "sockscope", "detect", "--help"],
                          capture_output=True, text=True)
    if "--engine" not in done.stdout:
        return False
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def check_pairs(python: Path, database: Path, archive: Path) -> str:
    """The peer's co-retweet pairs (every pair, weight >= 1) against the pairs sockscope
    enumerates. Not timed."""
    import sqlite3

    subprocess.run([str(python), "-m", "coordination_network_toolkit", str(database),
                    "compute", "co_retweet", "--time_window", str(WINDOW),
                    "--min_edge_weight", "1"], check=True, capture_output=True)
    from sockscope.api import ingest_files
    from sockscope.detect.coaction import build_coactions, named_coactions
    from sockscope.detect.scratch import Scratch
    from sockscope.plugins import TRACES
    from sockscope.store.database import connect

    with sqlite3.connect(database) as peer:
        theirs = {tuple(sorted(pair)) for pair in peer.execute(
            "SELECT user_1, user_2 FROM co_retweet_network WHERE user_1 <> user_2")}
    con = connect()
    ingest_files(con, [str(archive)])
    with Scratch(con) as scratch:
        built = build_coactions(scratch, TRACES["co-repost"], WINDOW, cap=10**9)
        ours = set(con.execute(
            f"SELECT DISTINCT account_a, account_b FROM ({named_coactions(built)}) "
            f"WHERE dt <= {WINDOW}").fetchall())
    con.close()
    if theirs == ours:
        return f"co-retweet pairs: identical ({len(ours):,} pairs)"
    return (f"co-retweet pairs DIFFER: {len(theirs & ours):,} in both, "
            f"{len(theirs - ours):,} only the peer's, {len(ours - theirs):,} only ours")


def main() -> None:
    sizes = sys.argv[1:] or ["1e5", "1e6"]
    python = peer_python()
    spark = spark_available()
    from sockscope.lab.simulate import simulate

    rows = []
    checked = ""
    with tempfile.TemporaryDirectory(prefix="sockscope-peers-") as tmp:
        for size in sizes:
            work = Path(tmp) / size
            work.mkdir()
            simulate(work, accounts=max(2_000, int(float(size)) // 48), seed=1)
            archive = work / "tweets.csv"
            inputs = [archive, work / "users.csv"]
            with open(archive, "rb") as lines:
                posts = sum(1 for _ in lines) - 1
            peer_csv(archive, work / "peer.csv")
            peer = run_peer(python, work / "peer.csv", work)
            if not checked:
                checked = check_pairs(python, work / "peer.db", archive)
            peer_total = sum(s for s, _ in peer.values())
            peer_peak = max(m for _, m in peer.values())
            same = run_ours(inputs, work / "same", SAME_BEHAVIOURS)
            full = run_ours(inputs, work / "full", [])
            spark_run = run_ours(inputs, work / "spark", ["--engine", "spark"]) if spark else None
            rows.append((posts, peer, peer_total, peer_peak, same, full, spark_run))
            _print(rows, checked, spark)


def _print(rows, checked: str, spark: bool) -> None:
    print(f"\n{'posts':>10} | {'run':<44} | {'wall s':>8} | {'peak GiB':>8} | {'peer / run':>10}")
    print("-" * 92)
    for posts, peer, peer_total, peer_peak, same, full, spark_run in rows:
        for step, (seconds, memory) in peer.items():
            print(f"{posts:>10,} |   peer {step:<37} | {seconds:>8.1f} | "
                  f"{memory / 2**30:>8.2f} |")
        print(f"{posts:>10,} | (a) peer: preprocess + 3 networks{'':<11} | {peer_total:>8.1f} | "
              f"{peer_peak / 2**30:>8.2f} | {1:>10.1f}")
        runs = [("(b) sockscope, same 3 behaviours", same), ("(c) sockscope, full default", full)]
        if spark_run:
            runs.append(("(d) sockscope on Spark local, full default", spark_run))
        for label, (seconds, memory) in runs:
            print(f"{posts:>10,} | {label:<44} | {seconds:>8.1f} | {memory / 2**30:>8.2f} | "
                  f"{peer_total / seconds:>10.1f}")
    if not spark:
        print("(d) not run: this sockscope has no --engine spark, or pyspark is missing")
    print(checked)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
