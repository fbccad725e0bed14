"""Operations on simulated operation worlds: quality per seed and collection, and what
linking costs.

    python benchmarks/operations.py                     # seeds 1-3, full and targeted
    python benchmarks/operations.py --accounts 20000    # bigger worlds
    python benchmarks/operations.py cost WORLD_DIR      # detect with and without articles
    python benchmarks/operations.py cost WORLD_DIR --articles 10000   # padded to 10,000

Each world comes from `sockscope simulate --operation` (a desk of 36 accounts with three
invented bylines and their persona accounts, twelve genuine columnists, two with 50 loyal
readers). The quality table prints what issue #24 asks: byline recall (invented bylines
linked at q <= 0.01 to a group mostly of the desk), false links (genuine bylines linked),
persona accounts found in their byline's operation, the desk's share in its operation
and the operation's accounts not of the desk (outsiders),
whether it holds all the bylines, the loyal readers flagged, and whether their columnist
is in an operation. The cost case runs detect on one world twice, in one process each,
with and without the articles, and prints the stages' share: ``bylines`` (the byline
comparison) and ``operations`` (matching articles to posts, links, persona accounts,
operations: the linking). ``--articles N`` pads the world's columns with synthetic
articles (own titles and URLs on the outlets' hosts, 10 per byline) up to N.
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


def quality(accounts: int) -> None:
    print("| seed | collection | F1 | byline recall | false links | personas "
          "| desk share | outsiders | all bylines | readers flagged "
          "| loyal columnist in an operation | detect s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (1, 2, 3):
            for collection in ("full", "targeted"):
                world = Path(tmp) / f"w{seed}{collection}"
                run("simulate", "--out", str(world), "--seed", str(seed), "--accounts",
                    str(accounts), "--collection", collection, "--operation")
                started = time.perf_counter()
                run("detect", str(world / "tweets.csv"), str(world / "users.csv"),
                    str(world / "articles.csv"), "--out", str(world / "r"), "--quiet")
                seconds = time.perf_counter() - started
                m = json.loads(run("evaluate", "--truth", str(world / "truth.csv"), "--result",
                                   str(world / "r"), "--json"))
                op = m["per_operation"]["OP1"]
                print(f"| {seed} | {collection} | {m['f1']:.3f} | {m['byline_recall']:.2f} | "
                      f"{m['false_byline_links']} | {op['persona_accounts_found']}/"
                      f"{op['bylines']} | {op['desk_share']:.3f} | {op['outsiders']} | "
                      f"{op['all_bylines']} | "
                      f"{m.get('fpr_readers', 0):.3f} | "
                      f"{bool(m['loyal_columnists_in_operations'])} | {seconds:.1f} |",
                      flush=True)


def padded(world: Path, total: int, folder: Path) -> Path:
    """The world's articles and synthetic ones up to ``total`` (a CSV in ``folder``)."""
    import csv
    import random

    with open(world / "articles.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    hosts = sorted({r["url"].split("/")[2] for r in rows})
    words = sorted({w for r in rows for w in r["text"].split()[:200]})
    rng = random.Random(1)
    for n in range(len(rows), total):
        title = " ".join(rng.choice(words) for _ in range(8)).title()
        rows.append({"article_id": f"X{n:06d}", "byline": f"Writer {n // 10:05d}",
                     "outlet": hosts[n % len(hosts)], "published_at": rows[n % 50]["published_at"],
                     "title": title, "text": " ".join(rng.choice(words) for _ in range(300)),
                     "url": f"https://{hosts[n % len(hosts)]}/opinion/x-{n}"})
    path = folder / "articles.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def cost(world: Path, articles: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = padded(world, articles, Path(tmp)) if articles else world / "articles.csv"
        figures = {}
        for name, extra in (("posts only", []), ("posts and articles", [str(corpus)])):
            started = time.perf_counter()
            run("detect", str(world / "tweets.csv"), str(world / "users.csv"), *extra,
                "--out", f"{tmp}/{len(figures)}", "--quiet")
            wall = time.perf_counter() - started
            timings = json.loads(Path(f"{tmp}/{len(figures)}/manifest.json").read_text())[
                "timings_s"]
            figures[name] = (wall, timings.get("bylines", 0.0), timings.get("operations", 0.0))
        base = figures["posts only"][0]
        print("| run | wall s | bylines s | operations (linking) s | linking / posts-only "
              "wall | vs posts only |")
        print("|---|---|---|---|---|---|")
        for name, (wall, bylines, operations) in figures.items():
            print(f"| {name} | {wall:.1f} | {bylines:.1f} | {operations:.1f} | "
                  f"{operations / base:.1%} | {wall / base:.2f}x |")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "cost":
        cost(Path(sys.argv[2]), int(sys.argv[sys.argv.index("--articles") + 1])
             if "--articles" in sys.argv else None)
    else:
        accounts = int(sys.argv[sys.argv.index("--accounts") + 1]) \
            if "--accounts" in sys.argv else 8_000
        quality(accounts)
