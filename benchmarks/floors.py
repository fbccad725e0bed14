"""How far each detection stage is from the floor its data volume allows.

    python benchmarks/floors.py WORLD_DIR     # a world made with `sockscope simulate`

For each stage, the floor is the one unavoidable operation on the same rows, run by the
same engine on the same machine in the same process:

- ingest: DuckDB reading the CSV files into a table, every field as text (no parsing,
  no checks);
- a trace's actions: one scan of the trace's actions, grouped by (account, key);
- co-actions: one sort of the actions by (key, time) -- the order every windowed
  pairing needs -- plus writing the pair rows kept once;
- the null model: one hash aggregation of those rows by pair.

Shared keys (normalised texts, canonical URLs, near-duplicate families) are shown on
their own, without a floor: they are computations, not data movement.

The table prints the stage, its time, the floor's time and the ratio; a ratio near 1
means the stage does little beyond what its data requires.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sockscope.api import ingest_files
from sockscope.detect.coaction import build_coactions, stage_actions, trace_scales
from sockscope.detect.scratch import Scratch
from sockscope.detect.significance import pair_tests
from sockscope.model.params import DetectParams
from sockscope.plugins import TRACES
from sockscope.store.database import connect


def clock(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    world = Path(sys.argv[1])
    files = [str(world / "tweets.csv"), str(world / "users.csv")]
    con = connect(memory_limit="5GB")
    rows: list[tuple[str, float, float, str]] = []
    floor = clock(lambda: [con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw_{i} AS SELECT * FROM read_csv(?, all_varchar = true)",
        [f]) for i, f in enumerate(files)])
    con.execute("DROP TABLE raw_0; DROP TABLE raw_1")
    rows.append(("ingest", clock(lambda: ingest_files(con, files)), floor, "read CSV as text"))
    params = DetectParams()
    with Scratch(con) as scratch:
        for name in params.traces:
            trace = TRACES[name]
            window = params.window(name)
            first = clock(lambda trace=trace: stage_actions(scratch, trace, "acts_floor"))
            actions = clock(lambda trace=trace: stage_actions(scratch, trace, "acts_floor"))
            if first - actions > 0.05:  # the shared keys (texts, URLs, near-duplicates)
                rows.append((f"{name}: shared keys", first - actions, float("nan"),
                             "built once per run, for every trace that needs them"))
            scan = clock(lambda: con.execute(
                "CREATE OR REPLACE TEMP TABLE floor_scan AS SELECT account_id, key, count(*) "
                "FROM acts_floor GROUP BY ALL"))
            rows.append((f"{name}: actions", actions, scan, "group actions by (account, key)"))
            built: list = []
            total = clock(lambda trace=trace, window=window, built=built: built.append(
                build_coactions(scratch, trace, window, params.neighbour_cap,
                                trace_scales(trace, window, params.window_free),
                                params.min_shared)))
            sort = clock(lambda: con.execute(
                "CREATE OR REPLACE TEMP TABLE floor_sorted AS SELECT * FROM acts_raw "
                "ORDER BY key, t"))
            write = clock(lambda: con.execute(
                "CREATE OR REPLACE TEMP TABLE floor_pairs AS SELECT * FROM coacts"))
            rows.append((f"{name}: co-actions", total - actions, sort + write,
                         f"sort {built[0].actions:,} actions, write the "
                         f"{built[0].coactions:,} pair rows kept"))
            tests = clock(lambda built=built: pair_tests(con, built[0], params.min_shared,
                                                         params.fdr))
            group = clock(lambda: con.execute(
                "CREATE OR REPLACE TEMP TABLE floor_pairs AS SELECT pair, count(*) "
                "FROM coacts GROUP BY pair"))
            rows.append((f"{name}: null model", tests, group, "aggregate the pair rows once"))
    print(f"\n{'stage':<32} {'seconds':>8} {'floor s':>8} {'ratio':>6}  floor operation")
    for stage, seconds, floor_s, what in rows:
        ratio = "" if floor_s != floor_s else f"{seconds / max(floor_s, 1e-3):.1f}"
        floor_text = "" if floor_s != floor_s else f"{floor_s:.2f}"
        print(f"{stage:<32} {seconds:>8.2f} {floor_text:>8} {ratio:>6}  {what}")


if __name__ == "__main__":
    main()
