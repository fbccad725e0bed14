"""Byline analysis at scale: N bylines x 10 articles of ~800 words from synthetic writers
(each writer behind two bylines), timed per verification and end to end.

    python benchmarks/bylines.py              # 100, 300 and 1,000 bylines
    python benchmarks/bylines.py 200 2000

Prints wall time, peak memory and the number of pairs verified per size, and the time
of one verification per verifier.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from sockscope.authorship.bylines import analyse_bylines
from sockscope.authorship.verifiers import default_verifiers
from sockscope.store.database import connect, table_from_arrow

ARTICLES = 10
WORDS = 800


def corpus(bylines: int, seed: int = 0) -> pa.Table:
    """``bylines`` x ARTICLES articles of WORDS words. Bylines 2k and 2k + 1 share a writer:
    45 % of their words are function words drawn from the writer's own habits (a
    Dirichlet draw), the rest topic words drawn uniformly from 3,000. Vectorised: a
    10,000-byline corpus (80 M words) is built in seconds."""
    rng = np.random.default_rng(seed)
    function = np.array(["the", "of", "and", "to", "a", "in", "that", "is", "it", "for",
                         "on", "with", "as", "but", "which", "however", "indeed", "thus",
                         "rather", "quite"])
    vocabulary = np.concatenate([function, [f"topic{i}" for i in range(3_000)]])
    texts = []
    for b in range(bylines):
        habit = np.random.default_rng(seed * 100_000 + b // 2).dirichlet(np.full(20, 0.6))
        size = (ARTICLES, WORDS)
        words = np.where(rng.random(size) < 0.45,
                         rng.choice(20, size=size, p=habit),
                         20 + rng.integers(0, 3_000, size=size))
        texts.extend(" ".join(vocabulary[row]) + "." for row in words)
    total = bylines * ARTICLES
    return pa.table({
        "article_id": [f"a{i // ARTICLES}-{i % ARTICLES}" for i in range(total)],
        "byline": [f"Byline {i // ARTICLES:05d}" for i in range(total)],
        "outlet": [f"Outlet {i // ARTICLES % 40}" for i in range(total)],
        "published_at": [datetime(2024, 1, 1 + i % ARTICLES) for i in range(total)],
        "title": [f"title {i % ARTICLES}" for i in range(total)],
        "text": texts,
        "url": pa.nulls(total, pa.string())})


def main() -> None:
    sizes = [int(float(a)) for a in sys.argv[1:]] or [100, 300, 1_000]
    sample = corpus(20)
    texts = sample["text"].to_pylist()
    print(f"{'verifier':<14}{'ms per verification':>22}")
    for verifier in default_verifiers():
        verifier.fit(texts)
        started = time.perf_counter()
        for i in range(0, 100, 10):
            verifier.score(texts[i:i + 5], texts[i + 5])
        print(f"{verifier.name:<14}{(time.perf_counter() - started) * 100:>22.1f}")
    print(f"\n{'bylines':>8}{'articles':>10}{'pairs':>10}{'seconds':>10}{'peak GB':>10}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            con = connect(Path(tmp) / "b.duckdb")
            table_from_arrow(con, "staged", corpus(size), temp=True)
            con.execute("INSERT INTO articles SELECT article_id, byline, outlet, published_at,"
                        " title, text, url FROM staged")
            started = time.perf_counter()
            result = analyse_bylines(con)
            seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(f"{size:>8,}{size * ARTICLES:>10,}{result.pairs.num_rows:>10,}{seconds:>10.1f}"
              f"{peak:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
