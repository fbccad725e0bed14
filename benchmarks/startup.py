"""How long the command line takes to start, per command: median and fastest of N runs
of each, as separate processes (the machine is noisy: compare within one run).

    python benchmarks/startup.py            # 15 runs each
    python benchmarks/startup.py --runs 30

Prints a table: ``sockscope --help``, ``--version``, ``info`` on a small run database,
and, for comparison, importing the whole API (what every command paid before the
command line imported it lazily).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("sockscope")


def timed(command: list[str], runs: int) -> tuple[float, float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "run.duckdb"
        fixture = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bad_archive.csv"
        subprocess.run([str(SCRIPT), "ingest", str(fixture), "--db", str(db), "--quiet"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        cases = [
            ("sockscope --help", [str(SCRIPT), "--help"]),
            ("sockscope --version", [str(SCRIPT), "--version"]),
            ("sockscope detect --help", [str(SCRIPT), "detect", "--help"]),
            ("sockscope info --db (3 posts)", [str(SCRIPT), "info", "--db", str(db)]),
            ("python: import sockscope.api", [sys.executable, "-c", "import sockscope.api"]),
            ("python: nothing (interpreter)", [sys.executable, "-c", "pass"]),
        ]
        print(f"| command | median of {args.runs} (s) | fastest (s) |")
        print("|---|---:|---:|")
        for name, command in cases:
            median, fastest = timed(command, args.runs)
            print(f"| {name} | {median:.3f} | {fastest:.3f} |")


if __name__ == "__main__":
    main()
