"""Mutation fuzzing of ingest: hundreds of damaged files, judged for tracebacks, silent
losses and partial --strict databases (see ``sockscope.lab.fuzz``).

    python benchmarks/fuzz.py            # 660 mutants (every mutation x seed file, 3 rounds)
    python benchmarks/fuzz.py 2000 7     # 2,000 mutants, random seed 7

Prints the outcome per mutation and the failures, then each fault case of
``sockscope.lab.faults`` (special files, output paths, ulimit and memory limits, extreme
values, option abuse, terminal injection) run through the command line; exits 1 when
anything failed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sockscope.lab import faults, fuzz


def main() -> None:
    count = int(float(sys.argv[1])) if len(sys.argv) > 1 else 660
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    started = time.perf_counter()
    per_mutation: dict[str, Counter[str]] = {}
    failures = []
    counted = 0
    for verdict in fuzz.judge_all(count, seed):
        counted += verdict.counted
        per_mutation.setdefault(verdict.mutation, Counter())[verdict.outcome] += 1
        if verdict.outcome in fuzz.FAILURES:
            failures.append(verdict)
    seconds = time.perf_counter() - started
    outcomes = ["ingested", "refused", *fuzz.FAILURES]
    print(f"{'mutation':<18}" + "".join(f"{o:>16}" for o in outcomes))
    totals: Counter[str] = Counter()
    for mutation, counts in per_mutation.items():
        totals.update(counts)
        print(f"{mutation:<18}" + "".join(f"{counts[o]:>16,}" for o in outcomes))
    print(f"{'total':<18}" + "".join(f"{totals[o]:>16,}" for o in outcomes))
    print(f"{sum(totals.values()):,} mutants in {seconds:.0f} s; rows read checked against an "
          f"independent count in {counted:,} of the {totals['ingested']:,} ingested")
    for failure in failures[:40]:
        print(f"FAIL {failure.outcome}: {failure.seed} / {failure.mutation}: {failure.detail}")
    print()
    print(f"{'fault case':<36}{'kind':<16}{'outcome':<20}what was said")
    with tempfile.TemporaryDirectory() as tmp:
        for outcome in faults.judge_all(Path(tmp)):
            print(f"{outcome.case:<36}{outcome.kind:<16}{outcome.outcome:<20}"
                  f"{outcome.detail[:100]}")
            if outcome.outcome in faults.FAILURES:
                failures.append(outcome)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
