"""sockscope side by side with coordination-network-toolkit, on the same simulated data.

    python benchmarks/peers.py               # 1e5 and 1e6 posts
    python benchmarks/peers.py 1e5 1e6 1e7   # add the 1e7-post world (about half an hour)
    python benchmarks/peers.py check WORLD   # only the co-retweet pair check
    python benchmarks/peers.py 1e7 --peer-timeout 600   # stop each peer step after 600 s

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
pair is left out by design -- on the posts with each account's repeated reposts of a
post left out, since sockscope counts an account's first action on a key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEER = "coordination-network-toolkit==1.5.2"
PEER_VENV = Path.home() / ".cache" / "sockscope-bench" / "peer-venv"
WINDOW = 60
CHECK_POSTS = 2_000_000  # the pair check runs the peer twice more, uncapped: small worlds
SAME_BEHAVIOURS = ["--traces", "co-repost,co-text,co-url", "--window", str(WINDOW),
                   "--no-amplification", "--no-persona"]


def timed(command: list[str], log: Path, timeout: float | None = None
          ) -> tuple[float, int, bool]:
    """Run ``command``; wall seconds, peak resident bytes, and whether it finished:
    after ``timeout`` seconds it is stopped, and its time is a lower bound. The peak is
    the larger of the child's as GNU time reports it (a child forked from this process
    would inherit its high-water mark) and the summed resident memory of the child's
    whole process tree, sampled twice a second: Spark's JVM is a grandchild that GNU
    time does not see."""
    memory = log.with_suffix(".maxrss")
    memory.unlink(missing_ok=True)
    start = time.perf_counter()
    with open(log, "ab") as sink:
        child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(memory), *command],
                                 stdout=sink, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        sampled = 0
        deadline = None if timeout is None else start + timeout
        while child.poll() is None:
            sampled = max(sampled, tree_rss(child.pid))
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                return time.perf_counter() - start, 0, False
            time.sleep(0.5)
        code = child.returncode
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{log.read_text()[-3000:]}")
    return seconds, max(int(memory.read_text().split()[-1]) * 1024, sampled), True


def tree_rss(root: int) -> int:
    """Resident bytes of process ``root`` and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    resident: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        resident[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(resident.get(pid, 0) for pid in tree)


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


def run_peer(python: Path, csv: Path, work: Path,
             timeout: float | None) -> dict[str, tuple[float, int, bool]]:
    database = work / "peer.db"
    log = work / "peer.log"
    steps = {"preprocess": [str(python), "-m", "coordination_network_toolkit", str(database),
                            "preprocess", "--format", "csv", str(csv)]}
    for network in ("co_retweet", "co_tweet", "co_link"):
        steps[network] = [str(python), "-m", "coordination_network_toolkit", str(database),
                          "compute", network, "--time_window", str(WINDOW)]
    return {name: timed(command, log, timeout) for name, command in steps.items()}


def run_ours(inputs: list[Path], out: Path, extra: list[str]) -> tuple[float, int, bool]:
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


def check_pairs(python: Path, work: Path, archive: Path) -> str:
    """The peer's co-retweet pairs (every pair, weight >= 1, self-loops removed) against
    the pairs sockscope enumerates before any statistics, neighbour cap lifted. Not
    timed. sockscope counts an account's first action on a key (a repeated repost of
    the same post adds no pair); the peer pairs every repost. So the peer also runs on
    the same posts with each account's repeated reposts of a post left out, where the
    two must agree exactly, and the pairs the repeats add are counted."""
    import sqlite3

    import duckdb

    from sockscope.api import ingest_files
    from sockscope.detect.coaction import build_coactions, named_coactions
    from sockscope.detect.scratch import Scratch
    from sockscope.plugins import TRACES
    from sockscope.store.database import connect

    def peer_pairs(csv: Path, database: Path) -> set[tuple[str, str]]:
        for step in (["preprocess", "--format", "csv", str(csv)],
                     ["compute", "co_retweet", "--time_window", str(WINDOW),
                      "--min_edge_weight", "1"]):
            subprocess.run([str(python), "-m", "coordination_network_toolkit", str(database),
                            *step], check=True, capture_output=True)
        with sqlite3.connect(database) as peer:
            return {tuple(sorted(pair)) for pair in peer.execute(
                "SELECT user_1, user_2 FROM co_retweet_network WHERE user_1 <> user_2")}

    first_only = work / "peer-first-reposts.csv"
    duckdb.execute(
        """COPY (SELECT * EXCLUDE (n) FROM (
               SELECT *, row_number() OVER (PARTITION BY user_id, repost_id
                                            ORDER BY timestamp, message_id) AS n
               FROM read_csv(?, all_varchar = true, header = true))
           WHERE repost_id = '' OR repost_id IS NULL OR n = 1 ORDER BY message_id)
           TO ? (HEADER, QUOTE '"')""", [str(work / "peer.csv"), str(first_only)])
    theirs_all = peer_pairs(work / "peer.csv", work / "check-all.db")
    theirs_first = peer_pairs(first_only, work / "check-first.db")
    con = connect()
    ingest_files(con, [str(archive)])
    with Scratch(con) as scratch:
        built = build_coactions(scratch, TRACES["co-repost"], WINDOW, cap=10**9)
        ours = set(con.execute(
            f"SELECT DISTINCT account_a, account_b FROM ({named_coactions(built)}) "
            f"WHERE dt <= {WINDOW}").fetchall())
    con.close()
    verdict = "identical" if theirs_first == ours else (
        f"DIFFER: {len(theirs_first & ours):,} in both, {len(theirs_first - ours):,} only "
        f"the peer's, {len(ours - theirs_first):,} only ours")
    return (f"co-retweet pairs with each account's first repost of a post: {verdict} "
            f"({len(ours):,} pairs); the peer's pairs on all reposts: {len(theirs_all):,}, "
            f"of which {len(theirs_all - ours):,} come only from repeated reposts and "
            f"{len(ours - theirs_all):,} are ours alone")


def main() -> None:
    if sys.argv[1:2] == ["check"]:  # only the pair check, on a world made earlier
        world = Path(sys.argv[2])
        with tempfile.TemporaryDirectory(prefix="sockscope-peers-") as tmp:
            peer_csv(world / "tweets.csv", Path(tmp) / "peer.csv")
            print(check_pairs(peer_python(), Path(tmp), world / "tweets.csv"))
        return
    sizes = sys.argv[1:] or ["1e5", "1e6"]
    timeout = None
    if "--peer-timeout" in sizes:  # stop each peer step after this many seconds
        at = sizes.index("--peer-timeout")
        timeout = float(sizes[at + 1])
        del sizes[at:at + 2]
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
            peer = run_peer(python, work / "peer.csv", work, timeout)
            if not checked and posts <= CHECK_POSTS:
                checked = check_pairs(python, work, archive)
            peer_total = sum(s for s, _, _ in peer.values())
            peer_peak = max(m for _, m, _ in peer.values())
            peer_done = all(done for *_, done in peer.values())
            same = run_ours(inputs, work / "same", SAME_BEHAVIOURS)
            full = run_ours(inputs, work / "full", [])
            spark_run = run_ours(inputs, work / "spark", ["--engine", "spark"]) if spark else None
            rows.append((posts, peer, peer_total, peer_peak, peer_done, same, full, spark_run))
            _print(rows, checked, spark)


def _print(rows, checked: str, spark: bool) -> None:
    print(f"\n{'posts':>10} | {'run':<44} | {'wall s':>10} | {'peak GiB':>8} | "
          f"{'peer / run':>10}")
    print("-" * 94)
    for posts, peer, peer_total, peer_peak, peer_done, same, full, spark_run in rows:
        for step, (seconds, memory, done) in peer.items():
            shown = f"{seconds:.1f}" if done else f"> {seconds:.0f}"
            peak = f"{memory / 2**30:.2f}" if done else "-"
            print(f"{posts:>10,} |   peer {step:<37} | {shown:>10} | {peak:>8} |"
                  + ("" if done else " stopped"))
        bound = "" if peer_done else "> "
        print(f"{posts:>10,} | (a) peer: preprocess + 3 networks{'':<11} | "
              f"{bound + f'{peer_total:.1f}':>10} | {peer_peak / 2**30:>8.2f} | {1:>10.1f}")
        runs = [("(b) sockscope, same 3 behaviours", same), ("(c) sockscope, full default", full)]
        if spark_run:
            runs.append(("(d) sockscope on Spark local, full default", spark_run))
        for label, (seconds, memory, _) in runs:
            ratio = f"{bound}{peer_total / seconds:.1f}"
            print(f"{posts:>10,} | {label:<44} | {seconds:>10.1f} | {memory / 2**30:>8.2f} | "
                  f"{ratio:>10}")
    if not spark:
        print("(d) not run: this sockscope has no --engine spark, or pyspark is missing")
    if any(not row[4] for row in rows):
        print("'> ': a peer step was stopped at the time limit; its time and the ratio are "
              "lower bounds")
    print(checked or "pair check: not run at these sizes (python benchmarks/peers.py check "
          "WORLD on a world of at most 2e6 posts)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
