"""Same operator on simulated worlds with sockmasters: quality per seed, size and
length, and what the analysis costs.

    python benchmarks/operators.py                        # 3 seeds x the worlds below
    python benchmarks/operators.py --worlds 6000x28,10000x60 --seeds 1,2,3
    python benchmarks/operators.py cost WORLD_DIR         # detect with and without it

Each world comes from `sockscope simulate --sockpuppets`: sockmasters whose accounts
take turns (ban evasion: one account after another, each picking up where the last
stopped; rotation: two or three personas, one per session) and patrollers who revert
them minutes later and mass-revert blocked accounts. The quality table prints what
issue #25 asks: sockpuppet recall (flagged in any way), per strategy, the organic
accounts and patrollers the same-operator analysis put in operator groups, the
patrollers and organic accounts flagged in any way (coordinated groups included), and
the adjusted Rand index of operator groups against the true sockmasters. The cost case
runs detect on one world twice, in one process each, with and without the analysis,
and prints its stage time and its share of the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("sockscope")


def run(*args: str) -> str:
    return subprocess.run([str(BIN), *args], check=True, capture_output=True, text=True).stdout


def quality(worlds: list[tuple[int, int]], seeds: list[int]) -> None:
    print("| accounts | days | seed | sockpuppets | recall | ban evasion | rotation "
          "| organic in operator groups | patrollers in operator groups "
          "| patrollers flagged (any) | organic flagged (any) | operator ARI "
          "| same-operator s | detect s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for accounts, days in worlds:
            for seed in seeds:
                world = Path(tmp) / f"w{accounts}-{days}-{seed}"
                run("simulate", "--out", str(world), "--seed", str(seed), "--accounts",
                    str(accounts), "--days", str(days), "--sockpuppets")
                started = time.perf_counter()
                run("detect", str(world / "tweets.csv"), str(world / "users.csv"),
                    "--out", str(world / "r"), "--quiet")
                seconds = time.perf_counter() - started
                m = json.loads(run("evaluate", "--truth", str(world / "truth.csv"), "--result",
                                   str(world / "r"), "--json"))
                stage = json.loads((world / "r" / "manifest.json").read_text()
                                   )["timings_s"].get("same operator", 0.0)
                per = m["sockpuppet_recall_per_strategy"]
                print(f"| {accounts:,} | {days} | {seed} | {m['sockpuppets']} | "
                      f"{m['sockpuppet_recall']:.3f} | {per.get('ban_evasion', 0):.2f} | "
                      f"{per.get('rotation', 0):.2f} | {m['organic_in_operator_groups']} "
                      f"({m['fpr_organic_operators']:.3%}) | "
                      f"{m['patrollers_in_operator_groups']} | {m['fpr_patrollers']:.2f} | "
                      f"{m['fpr_organic']:.3%} | "
                      f"{m['operator_ari']:.3f} | {stage:.1f} | {seconds:.0f} |", flush=True)


def cost(world: Path) -> None:
    print("| run | posts | detect s | same-operator s | share |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("with", []), ("without", ["--no-operators"])):
            out = Path(tmp) / label
            started = time.perf_counter()
            run("detect", str(world / "tweets.csv"), str(world / "users.csv"), "--out",
                str(out), "--quiet", *extra)
            seconds = time.perf_counter() - started
            manifest = json.loads((out / "manifest.json").read_text())
            stage = manifest["timings_s"].get("same operator", 0.0)
            posts = sum(i["rows_kept"] for i in manifest["inputs"]
                        if i["path"].endswith("tweets.csv"))
            print(f"| {label} | {posts:,} | {seconds:.1f} | {stage:.1f} | "
                  f"{stage / seconds:.1%} |", flush=True)


def main(argv: list[str]) -> None:
    if argv[:1] == ["cost"]:
        cost(Path(argv[1]))
        return
    worlds = [(6_000, 28), (10_000, 60), (3_000, 90)]
    seeds = [1, 2, 3]
    for flag, value in zip(argv[::2], argv[1::2], strict=False):
        if flag == "--worlds":
            worlds = [(int(a), int(d)) for a, d in (w.split("x") for w in value.split(","))]
        elif flag == "--seeds":
            seeds = [int(s) for s in value.split(",")]
    quality(worlds, seeds)


if __name__ == "__main__":
    main(sys.argv[1:])
