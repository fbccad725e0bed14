"""Detection speed and memory, per stage, on simulated worlds and on one hot key.

    python benchmarks/detect.py                 # 1e5 and 1e6 posts, and the hot key
    python benchmarks/detect.py 1e7             # a 1e7-post world (several minutes)
    python benchmarks/detect.py hot             # only the hot key
    python benchmarks/detect.py WORLD_DIR       # a world made with `sockscope simulate`
    python benchmarks/detect.py WORLD_DIR --memory-limit 2GB   # DuckDB's cap (default 5GB)

Worlds come from `sockscope simulate` (about 48 posts per account over 14 days). The
hot key is one post reposted by 50,000 accounts within one hour. Each case runs in a
child process; a sampling thread records the peak resident memory of each stage.
Targets on the 2-core, 24 GB machine: 1e6 posts <= 60 s, 1e7 <= 10 min within 8 GB,
the hot key <= 30 s within 2 GB. DuckDB's memory is capped at 5 GB (--memory-limit);
without a cap it uses up to 80% of the machine's memory before spilling.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

MEMORY_LIMIT = "5GB"  # DuckDB's cap (--memory-limit): the figures in docs/benchmarks.md

# the tables a run writes whose bytes depend only on the input and the parameters
# (manifest.json and report.html hold timings and paths)
RESULT_TABLES = ("accounts.csv", "groups.csv", "edges.csv", "edges.parquet", "evidence.parquet",
                 "persona.parquet")

CHILD = r'''
import json, os, sys, threading, time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
peak = [0]
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE
def sample():
    while True:
        peak[0] = max(peak[0], rss())
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()

stages = {}
def timed(module, name, label):
    fn = getattr(module, name)
    def wrapper(*args, **kwargs):
        peak[0] = rss()
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        key = label(args) if callable(label) else label
        seconds, memory = stages.get(key, (0.0, 0))
        stages[key] = (seconds + time.perf_counter() - start, max(memory, peak[0]))
        return result
    setattr(module, name, wrapper)

from sockscope import api
from sockscope.detect import pipeline as detect
from sockscope.ingest import pipeline as ingest
from sockscope.output import files as output
# the API imports its stages where it calls them: patch them in their own modules
timed(ingest, "ingest_files", "ingest")
timed(detect, "build_coactions", lambda a: f"{a[1].name}: co-actions")
timed(detect, "pair_tests", lambda a: f"{a[1].trace}: null model")
timed(detect, "keep_candidates", lambda a: f"{a[1].trace}: candidates")
timed(detect, "select_edges", "fdr")
timed(detect, "amplification_edges", "amplification")
timed(detect, "attach_to_groups", "attachment")
timed(detect, "find_groups", "groups (Leiden)")
timed(detect, "account_table", "account table")
timed(detect, "build_persona", "persona signals")
timed(detect, "_evidence", "evidence")
timed(detect, "split_audiences", "audiences")
timed(output, "write_results", "write outputs")
start = time.perf_counter()
detection = api.detect(sys.argv[1:-2], sys.argv[-2], memory_limit=sys.argv[-1])
total = time.perf_counter() - start
print("STATS " + json.dumps({"stages": stages, "total": total,
                             "peak": max(m for _, m in stages.values()),
                             "groups": len(detection.groups),
                             "flagged": len(detection.membership)}))
'''


def world(folder: Path, accounts: int) -> list[str]:
    from sockscope.lab.simulate import simulate

    simulate(folder, accounts=accounts, seed=1)
    return [str(folder / "tweets.csv"), str(folder / "users.csv")]


def hot_key(folder: Path, accounts: int = 50_000) -> list[str]:
    """One post reposted by ``accounts`` accounts within one hour (archive layout)."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    seconds = np.sort(rng.uniform(0, 3_600, size=accounts)).astype(int)
    lines = ["tweetid,userid,tweet_time,is_retweet,retweet_tweetid,retweet_userid,tweet_text"]
    lines.append("1,star,2024-03-04 11:59:00,false,,,the post everyone reposts")
    for i, s in enumerate(seconds):
        lines.append(f"{i + 2},u{i:06d},2024-03-04 12:{s // 60:02d}:{s % 60:02d},true,1,star,RT")
    path = folder / "hot.csv"
    path.write_text("\n".join(lines) + "\n")
    return [str(path)]


def run(label: str, inputs: list[str], out: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD, *inputs, str(out), MEMORY_LIMIT],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(f"\n{label}: failed\n{done.stderr[-3000:]}")
        return
    # the child's last line of statistics (what the run itself prints comes before)
    stats = json.loads(done.stdout.rsplit("STATS ", 1)[-1])
    posts = _lines(inputs[0]) - 1 if label == "hot key" else None
    print(f"\n{label}: {stats['total']:.1f} s total, peak {stats['peak'] / 2**30:.2f} GiB, "
          f"{stats['groups']} groups, {stats['flagged']} accounts flagged"
          + (f", {posts:,} posts" if posts else ""))
    print(f"  {'stage':<34} {'seconds':>8} {'peak GiB':>9}")
    for stage, (seconds, memory) in stats["stages"].items():
        print(f"  {stage:<34} {seconds:>8.2f} {memory / 2**30:>9.2f}")
    print("  sha256 of the result tables (the same before and after a speed change):")
    for name in RESULT_TABLES:
        path = out / name
        if path.exists():
            print(f"    {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}  {name}")
    sys.stdout.flush()


def _lines(path: str) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b""))


def main() -> None:
    global MEMORY_LIMIT
    wanted = sys.argv[1:] or ["1e5", "1e6", "hot"]
    if "--memory-limit" in wanted:
        at = wanted.index("--memory-limit")
        MEMORY_LIMIT = wanted[at + 1]
        del wanted[at:at + 2]
    with tempfile.TemporaryDirectory(prefix="sockscope-bench-") as tmp:
        root = Path(tmp)
        for case in wanted:
            if case == "hot":
                run("hot key", hot_key(root / "hot"), root / "hot-out")
                continue
            if Path(case).is_dir():  # a world made earlier with `sockscope simulate`
                inputs = [str(Path(case) / "tweets.csv"), str(Path(case) / "users.csv")]
                run(f"world in {case} ({_lines(inputs[0]) - 1:,} lines of tweets.csv)",
                    inputs, root / "dir-out")
                continue
            posts = int(float(case))
            accounts = max(2_000, posts // 48)
            inputs = world(root / case, accounts)
            count = _lines(inputs[0]) - 1
            run(f"world of {accounts:,} accounts ({count:,} lines of tweets.csv)", inputs,
                root / f"{case}-out")


if __name__ == "__main__":
    main()
