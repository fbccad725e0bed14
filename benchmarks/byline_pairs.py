"""Byline quality on the project's own byline corpora: pair ranking per verifier, fused,
and a plain n-gram cosine beside them; hands on multi-writer and single-writer bylines.

    python benchmarks/byline_pairs.py                    # every corpus below, seed 1
    python benchmarks/byline_pairs.py --seeds 1,2 --corpora sp_articles,simulated

Corpora:

- **From PAN 2014's training texts** (``../shared/data/pan14-av-train``, real writing):
  the texts of a same-writer problem (its known texts and the unknown one) are one
  writer's, as are a different-writer problem's known texts. Writers are dealt, by seed,
  into three roles, after the two scenarios of invented bylines: a third write under two
  bylines each (sock bylines, half their texts each), a third pair up as teams that
  write a persona byline together (half of each one's texts) and keep a byline of
  their own with the rest, and the rest write under one byline. Writers of different
  problems may be the same person unknown to PAN's labels; that noise counts against
  every method alike.
- **simulated**: the simulator's influence-operation columns (``simulate --operation``):
  three invented bylines written in turn by the desk's two writers, twelve genuine
  columnists (bylines_truth.csv names each column's writer).

For every pair of bylines: each verifier's calibrated probability, the fused one, and
the cosine of the mean character-4-gram vectors of the two bylines' articles (the plain
baseline the issue measured). ROC AUC of "the two bylines share a writer". Hands: the
share of multi-writer bylines split and of single-writer ones split, among bylines with
enough articles to be tested.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

PAN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pan14-av-train"
PAN_CORPORA = ["du_essays", "du_reviews", "en_essays", "en_novels", "gr_articles",
               "sp_articles"]


def pan_writers(corpus: str) -> list[list[str]]:
    """One list of texts per writer, from a PAN-layout corpus."""
    from sockscope.authorship.pan import load_corpus

    writers = []
    for problem in load_corpus(PAN / corpus):
        texts = [*problem.known, problem.unknown] if problem.same else list(problem.known)
        if problem.same is not None and len(texts) >= 2:
            writers.append(texts)
    return writers


def deal(writers: list[list[str]], seed: int) -> tuple[dict[str, list[str]],
                                                        dict[str, set[int]]]:
    """Bylines (name -> texts) and their writers (name -> writer numbers)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(writers))
    third = len(order) // 3
    texts: dict[str, list[str]] = {}
    hands: dict[str, set[int]] = {}

    def add(name: str, items: list[str], who: set[int]) -> None:
        texts[name], hands[name] = items, who

    for w in order[:third]:  # sock bylines
        items = writers[w]
        half = len(items) // 2
        add(f"sock-{w}-a", items[:half], {w})
        add(f"sock-{w}-b", items[half:], {w})
    team = order[third:2 * third]
    for x, y in zip(team[0::2], team[1::2], strict=False):  # team personas
        tx, ty = writers[x], writers[y]
        hx, hy = max(1, len(tx) // 2), max(1, len(ty) // 2)
        persona = tx[:hx] + ty[:hy]  # in the random order of a desk's rota
        add(f"persona-{x}-{y}", [persona[i] for i in rng.permutation(len(persona))], {x, y})
        if len(tx) > hx:
            add(f"own-{x}", tx[hx:], {x})
        if len(ty) > hy:
            add(f"own-{y}", ty[hy:], {y})
    if len(team) % 2:
        add(f"own-{team[-1]}", writers[team[-1]], {team[-1]})
    for w in order[2 * third:]:
        add(f"own-{w}", writers[w], {w})
    return texts, hands


def simulated(seed: int) -> tuple[dict[str, list[str]], dict[str, set[int]]]:
    import csv

    from sockscope.lab.simulate import simulate

    with tempfile.TemporaryDirectory() as tmp:
        simulate(Path(tmp), accounts=2_000, days=14, seed=seed, operation=True)
        with open(Path(tmp) / "articles.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        with open(Path(tmp) / "bylines_truth.csv", newline="", encoding="utf-8") as handle:
            writers = {r["byline"]: r["writers"] for r in csv.DictReader(handle)}
    texts: dict[str, list[str]] = {}
    for row in rows:
        texts.setdefault(row["byline"], []).append(row["text"])
    # bylines_truth.csv names the writer of each column: the desk's W0 and W1 take turns
    # under the invented bylines (by chance, all of a byline's columns may be one's)
    return texts, {b: set(w.split(";")) for b, w in writers.items()}


def analyse(texts: dict[str, list[str]], seed: int):
    from sockscope.authorship import bylines
    from sockscope.store.database import connect, table_from_arrow

    rows = [(f"{b}#{k}", b, t) for b in sorted(texts) for k, t in enumerate(texts[b])]
    start = datetime(2024, 1, 1)
    table = pa.table({
        "article_id": [r[0] for r in rows], "byline": [r[1] for r in rows],
        "outlet": ["Outlet"] * len(rows),
        "published_at": [start + timedelta(days=i) for i in range(len(rows))],
        "title": [r[0] for r in rows], "text": [r[2] for r in rows],
        "url": pa.nulls(len(rows), pa.string())})
    con = connect(None)
    table_from_arrow(con, "staged", table, temp=True)
    con.execute("INSERT INTO articles SELECT article_id, byline, outlet, published_at, title,"
                " text, url FROM staged")
    every_pair = bylines.CANDIDATES
    bylines.CANDIDATES = len(texts)  # judge every pair, for an AUC over all of them
    try:
        return bylines.analyse_bylines(con, seed=seed)
    finally:
        bylines.CANDIDATES = every_pair


def plain_cosine(texts: dict[str, list[str]], a: str, b: str, cache: dict) -> float:
    """Cosine of the mean character-4-gram TF-IDF vectors of two bylines' articles."""
    if "vectorizer" not in cache:
        from sklearn.feature_extraction.text import TfidfVectorizer

        articles = [t for name in sorted(texts) for t in texts[name]]
        cache["vectorizer"] = TfidfVectorizer(analyzer="char", ngram_range=(4, 4),
                                              sublinear_tf=True).fit(articles)
    for name in (a, b):
        if name not in cache:
            mean = np.asarray(cache["vectorizer"].transform(texts[name]).mean(axis=0))[0]
            cache[name] = mean / (np.linalg.norm(mean) or 1.0)
    return float(cache[a] @ cache[b])


def measure(texts: dict[str, list[str]], hands: dict[str, set[int]], seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    result = analyse(texts, seed)
    pairs = result.pairs.to_pylist()
    truth = np.array([bool(hands[p["byline_a"]] & hands[p["byline_b"]]) for p in pairs])
    verifiers = [c for c in result.pairs.column_names
                 if c in ("cosine_delta", "char_ngrams", "impostors", "compression")]
    out = {"bylines": len(texts), "pairs": len(pairs), "same": int(truth.sum())}
    if 0 < truth.sum() < len(truth):
        for name in [*verifiers, "same_writer"]:
            out[name] = roc_auc_score(truth, [p[name] for p in pairs])
        cache: dict = {}
        out["plain_cosine"] = roc_auc_score(
            truth, [plain_cosine(texts, p["byline_a"], p["byline_b"], cache) for p in pairs])
    found = {r["byline"]: r["hands"] for r in result.bylines.to_pylist()}
    multi = [b for b in texts if len(hands[b]) > 1]
    single = [b for b in texts if len(hands[b]) == 1]
    out["multi_split"] = (sum(found[b] > 1 for b in multi), len(multi))
    out["single_split"] = (sum(found[b] > 1 for b in single), len(single))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--corpora", default=",".join([*PAN_CORPORA, "simulated"]))
    args = parser.parse_args()
    columns = ["cosine_delta", "char_ngrams", "impostors", "compression", "same_writer",
               "plain_cosine"]
    print(f"{'corpus':<13}{'seed':>5}{'bylines':>8}{'same':>6}"
          + "".join(f"{c[:12]:>13}" for c in columns) + f"{'multi split':>13}"
          f"{'single split':>14}")
    for corpus in args.corpora.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            texts, hands = (simulated(seed) if corpus == "simulated"
                            else deal(pan_writers(corpus), seed))
            row = measure(texts, hands, seed)
            cells = "".join(f"{row[c]:>13.3f}" if c in row else f"{'-':>13}" for c in columns)
            multi, single = row["multi_split"], row["single_split"]
            print(f"{corpus:<13}{seed:>5}{row['bylines']:>8}{row['same']:>6}{cells}"
                  f"{f'{multi[0]}/{multi[1]}':>13}{f'{single[0]}/{single[1]}':>14}",
                  flush=True)


if __name__ == "__main__":
    main()
