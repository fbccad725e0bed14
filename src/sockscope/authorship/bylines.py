"""Byline analysis: which bylines share a writer, which are written by several hands.

1. **Profiles.** Each byline's articles are pooled (short texts pooled to a usable
   length); verifiers are fitted on the corpus itself, so other bylines are the
   impostors.
2. **Calibration.** With ``--background`` (a PAN-layout corpus of other writers) the
   verifiers are calibrated on its answered problems. Otherwise on the corpus itself:
   each byline split in two halves is a same-writer pair, halves of two different
   bylines a different-writer pair. These labels are noisy. A byline may be a team, and
   two bylines may share a writer, which is exactly what is looked for. Judged pairs are
   scored on the same footing (half of one byline against half of the other, both ways),
   so text length means the same in both. The correction is
   to fit once, drop the different-byline pairs the first fit finds most likely the same
   writer (the top ``TRIM`` share), and fit again.
3. **Candidates.** Comparing every pair is quadratic. Each byline is compared in full
   with its ``CANDIDATES`` nearest bylines by character n-gram profile, and with every
   byline it shares passages with, so 10,000 bylines cost about 200,000 verifications.
4. **Reuse.** Sentences of 8 words or more are grouped into near-duplicate families
   (the machinery of co-text-near). A family spanning two bylines is a reused passage.
5. **Clusters and hands.** Bylines joined by a "same" decision, or by ``REUSE_LINK``
   or more shared passages, form clusters (Leiden). Whether a byline has several hands
   is a test of its own (``authorship.hands``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import duckdb
import igraph as ig
import leidenalg
import numpy as np
import pyarrow as pa

from sockscope.authorship.calibration import Calibrated, Fused, decide
from sockscope.authorship.features import word_count
from sockscope.authorship.hands import Hands, find_hands
from sockscope.authorship.verifiers import CharNgramCosine, default_verifiers
from sockscope.errors import SockscopeError
from sockscope.model.bylines import BylineResult

CANDIDATES = 20
EXACT_RANKING = 2_000  # bylines ranked on their full profiles; more: on a projection
PROJECTED_DIMS = 256
VECTORS_KEPT = 4_096  # article vectors kept while estimating hands (120 KB each)
TRIM = 0.05
REUSE_LINK = 2
MIN_PASSAGE_WORDS = 8
PASSAGE_PAIRS_PER_FAMILY = 50
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n{2,}")


def analyse_bylines(con: duckdb.DuckDBPyConnection, background: Path | None = None,
                    seed: int = 1) -> BylineResult:
    """Analyse the ``articles`` table of ``con``."""
    _PREPARED.clear()
    try:
        return _analyse(con, background, seed)
    finally:
        _PREPARED.clear()


def _analyse(con: duckdb.DuckDBPyConnection, background: Path | None, seed: int
             ) -> BylineResult:
    rows = con.execute(
        """SELECT article_id, byline, outlet, published_at, text FROM articles
           WHERE text IS NOT NULL ORDER BY byline, published_at NULLS LAST, article_id"""
    ).fetchall()
    titles = dict(con.execute(
        "SELECT article_id, struct_pack(title := title, url := url) FROM articles").fetchall())
    if not rows:
        raise SockscopeError("no articles to analyse; ingest an article corpus first "
                             "(byline, outlet, published_at, title, text)")
    by_byline: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_byline[row[1]].append(row)
    names = sorted(by_byline)
    texts = {b: [r[4] for r in by_byline[b]] for b in names}
    notes: list[str] = []
    verifiers, single, fused, calibration = _calibrated_verifiers(texts, background, seed,
                                                                  notes)
    passages, shared = _reused_passages(by_byline)
    candidates = _candidate_pairs(texts, verifiers, shared)
    pair_rows = []
    # every candidate's raw scores first, then each calibrated model once over all
    raw = _scores(verifiers, [(texts[a], texts[b]) for a, b in candidates])
    fused_p = fused.predict_proba(raw) if len(raw) else np.zeros(0)
    single_p = [m.predict_proba(raw[:, i]) if len(raw) else np.zeros(0)
                for i, m in enumerate(single)]
    words = {b: word_count(" ".join(texts[b])) for b in names}
    for row, (a, b) in enumerate(candidates):
        decision = decide(float(fused_p[row]), words[a], words[b],
                          {v.name: round(float(p[row]), 4)
                           for v, p in zip(verifiers, single_p, strict=True)})
        pair_rows.append({"byline_a": a, "byline_b": b, "same_writer": decision.same_writer,
                          "decision": decision.decision, "words_a": decision.words_known,
                          "words_b": decision.words_unknown,
                          "shared_passages": shared.get((a, b), 0), **decision.scores,
                          "agreeing": "|".join(decision.agreeing),
                          "disagreeing": "|".join(decision.disagreeing)})
    clusters = _clusters(names, pair_rows, seed)
    pairs_of: dict[str, list[dict]] = defaultdict(list)  # each byline's pairs, indexed once
    for pair in pair_rows:
        pairs_of[pair["byline_a"]].append(pair)
        pairs_of[pair["byline_b"]].append(pair)
    found, fit = _hands(by_byline, verifiers)
    hands, article_cluster = found.count, found.hand_of
    if found.note:
        notes.append(found.note)
    byline_table = pa.table({
        "byline": names,
        "articles": [len(by_byline[b]) for b in names],
        "words": [words[b] for b in names],
        "outlets": [len({r[2] for r in by_byline[b] if r[2]}) for b in names],
        "first_published": [min((r[3] for r in by_byline[b] if r[3]), default=None)
                            for b in names],
        "last_published": [max((r[3] for r in by_byline[b] if r[3]), default=None)
                           for b in names],
        "cluster_id": [clusters[b] for b in names],
        "hands": [hands[b] for b in names],
        "hands_p": pa.array([found.p_value[b] for b in names], pa.float64()),
        "signals": [_signals(b, pairs_of[b], hands[b]) for b in names],
    })
    article_table = pa.table({
        "article_id": [r[0] for r in rows], "byline": [r[1] for r in rows],
        "title": [(titles.get(r[0]) or {}).get("title") for r in rows],
        "url": [(titles.get(r[0]) or {}).get("url") for r in rows],
        "outlet": [r[2] for r in rows], "published_at": [r[3] for r in rows],
        "hand": [article_cluster[r[0]] for r in rows],
        "words": [word_count(r[4]) for r in rows],
        "writer_cluster": [f"{clusters[r[1]]}-{article_cluster[r[0]]}" for r in rows],
        "byline_fit": [fit[r[0]] for r in rows],
    })
    pairs = (pa.Table.from_pylist(pair_rows) if pair_rows else pa.table(
        {"byline_a": pa.array([], pa.string()), "byline_b": pa.array([], pa.string())}))
    explanations = _explanations(verifiers[0], texts, pair_rows)
    return BylineResult(byline_table, pairs, article_table, passages, notes, explanations,
                        calibration)


def _calibrated_verifiers(texts: dict[str, list[str]], background: Path | None, seed: int,
                          notes: list[str]):
    """Verifiers fitted on the corpus's own texts (the texts judged define the features),
    calibrated on the corpus's own pairs, a background's labelled problems, or both:
    with both, each fusion candidate is tried with and without the background's pairs
    and judged on the corpus's own held-out pairs (``calibration.Fused``). Returns the
    verifiers, each one's calibration, the fused verifier and which calibration it was."""
    corpus = [t for ts in texts.values() for t in ts]
    names = sorted(b for b, ts in texts.items() if len(ts) >= 2)
    if len(names) < 3:  # nothing to calibrate on here: a background, or the shipped set
        return _calibrated_elsewhere(texts, corpus, background, seed, notes)
    extra = problems = None
    if background is not None:
        from sockscope.authorship.pan import answered_problems, labelled_pairs

        problems = answered_problems(background)
    verifiers = [v.fit(corpus) for v in default_verifiers(seed)]
    if problems is not None:
        extra = labelled_pairs(problems, verifiers)
    rng = np.random.default_rng(seed)
    calibration_pairs, truth = [], []
    for b in names:
        calibration_pairs.append((texts[b], texts[b]))
        truth.append(True)
        for other in rng.choice([n for n in names if n != b], size=min(2, len(names) - 1),
                                replace=False):
            calibration_pairs.append((texts[b], texts[other]))
            truth.append(False)
    raw = _scores(verifiers, calibration_pairs)
    truth = np.array(truth)
    first = Calibrated().fit(raw, truth)
    # noisy labels: drop the different-byline pairs the first fit finds most alike
    p = first.model_.predict_proba(raw)[:, 1]
    negatives = np.flatnonzero(~truth)
    cut = np.quantile(p[negatives], 1 - TRIM) if len(negatives) else 1.0
    keep = truth | (p < cut)
    notes.append(f"calibrated on the corpus itself: {int(truth.sum())} byline halves as "
                 f"same-writer pairs, {int((~truth).sum())} halves of different bylines as "
                 f"different-writer pairs ({int((~keep).sum())} most alike of those dropped "
                 "as likely shared writers)")
    fused = Fused([v.name for v in verifiers]).fit(raw[keep], truth[keep], seed, extra)
    notes.append(fused.describe())
    calibration = "self"
    if extra is not None:
        used = "kept" if fused.with_extra_ else "left out: they ranked this corpus's own " \
            "held-out pairs worse"
        notes.append(f"background {background}: {len(extra[1])} labelled problems, {used}")
        if fused.with_extra_:
            raw = np.vstack([raw[keep], extra[0]])
            truth, keep = np.r_[truth[keep], extra[1]], np.ones(len(raw), bool)
            calibration = f"self + background: {background}"
    single = [Calibrated().fit(raw[keep, i], truth[keep]) for i in range(len(verifiers))]
    return verifiers, single, fused, calibration


def _calibrated_elsewhere(texts: dict[str, list[str]], corpus: list[str],
                          background: Path | None, seed: int, notes: list[str]):
    """Too few bylines to calibrate on the corpus itself: verifiers fitted on the corpus
    and the calibration problems' texts, calibrated on the background's labelled
    problems, or without one on the shipped calibration set cut to a byline half's
    shape (the shipped set is English: other languages need a background)."""
    from sockscope.authorship.calibration_set import (
        MAX_KNOWN_TEXTS,
        Shape,
        covers,
        description,
        language_share,
        length_class,
    )
    from sockscope.authorship.pan import answered_problems, fit_on_problems, shipped_as_problems

    why = "fewer than three bylines here have two or more articles"
    if background is not None:
        problems, calibration = answered_problems(background), f"background: {background}"
        source = f"the background corpus {background}"
    else:
        share = language_share(corpus)
        if not covers(share):
            raise SockscopeError(f"{why}, so the corpus cannot calibrate itself, and the "
                                 f"shipped calibration set is English ({share:.0%} of these "
                                 "texts' words are among its 100 most frequent); give "
                                 "--background")
        # a byline half against another: the median half's articles, each of the
        # median article's length, against as many words in one piece
        half = int(np.median([max(1, len(ts) // 2) for ts in texts.values()]))
        article = float(np.median([len(t.split()) for t in corpus]))
        shape = Shape(min(half, MAX_KNOWN_TEXTS), length_class(article),
                      length_class(article * half))
        problems, source = shipped_as_problems(shape, seed), "the shipped calibration set"
    verifiers, single, fused = fit_on_problems(problems, seed, also=corpus)
    if background is None:
        calibration = description(shape, fused.temperature_)
    notes.append(f"calibrated on {source} alone ({len(problems)} labelled problems): {why}")
    notes.append(fused.describe())
    return verifiers, single, fused, calibration


_PREPARED: dict = {}


def _prepared(verifier, texts: list[str], half: int):
    """A verifier's representation of one half of a byline's articles (cached: a byline
    is compared with tens of others). Both halves are prepared as lists of articles:
    the n-gram verifiers sum the articles' cached counts instead of counting a joined
    text again, and the impostors exclude the articles themselves."""
    part = texts[half::2] if len(texts) >= 2 else texts
    key = (id(verifier), half, tuple(texts))
    if key not in _PREPARED:
        _PREPARED[key] = verifier.prepare(part)
    return _PREPARED[key]


def _scores(verifiers, pairs: list[tuple[list[str], list[str]]]) -> np.ndarray:
    """``_pair_scores`` of each pair, one row per pair. (Two threads were tried here:
    zlib and NumPy release the interpreter lock, but the rest of a comparison is Python,
    and the 1,000-byline benchmark went from 119 s to 167-177 s.)"""
    rows = [_pair_scores(verifiers, a, b) for a, b in pairs]
    return np.array(rows).reshape(len(pairs), len(verifiers))


def _pair_scores(verifiers, a: list[str], b: list[str]) -> np.ndarray:
    """Each verifier's score for two bylines on the footing of the calibration pairs:
    half of one byline against half of the other. The two cross pairings (first half of
    one against the second of the other, both ways) are averaged; a symmetric verifier
    (a cosine) also takes the two other pairings, at no cost worth counting, so that all
    of the text counts twice. Passing the same byline twice scores its two halves
    against each other (a same-writer pair)."""
    out = []
    for v in verifiers:
        pairings = [(a, 0, b, 1), (b, 0, a, 1)]
        if v.symmetric and a is not b:
            pairings += [(a, 0, b, 0), (a, 1, b, 1)]
        out.append(np.mean([v.compare(_prepared(v, x, i), _prepared(v, y, j))
                            for x, i, y, j in pairings]))
    return np.array(out)


def _candidate_pairs(texts: dict[str, list[str]], verifiers, shared: dict) -> list:
    """Each byline with its ``CANDIDATES`` nearest by character n-gram profile, and every
    pair that shares passages. Above ``EXACT_RANKING`` bylines the 30,000-dimensional
    profiles are ranked in a ``PROJECTED_DIMS``-dimensional Gaussian random projection
    (Johnson-Lindenstrauss: cosines kept to about +-0.1), so memory and time grow with
    N x 256 instead of N x 30,000; the candidates are then verified in full."""
    names = sorted(texts)
    char = next(v for v in verifiers if isinstance(v, CharNgramCosine))
    projection = None
    rows = []
    for b in names:
        profile = char.prepare(texts[b]).astype(np.float32)
        if len(names) > EXACT_RANKING:
            if projection is None:
                projection = np.random.default_rng(0).standard_normal(
                    (len(profile), PROJECTED_DIMS)).astype(np.float32)
            profile = profile @ projection
            profile /= np.linalg.norm(profile) or 1.0
        rows.append(profile)
    profiles = np.array(rows)
    pairs = set(shared)
    for begin in range(0, len(names), 1_000):
        block = profiles[begin:begin + 1_000] @ profiles.T
        for offset, row in enumerate(block):
            i = begin + offset
            row[i] = -np.inf
            for j in np.argsort(-row, kind="stable")[:CANDIDATES]:
                if np.isfinite(row[j]):
                    pairs.add(tuple(sorted((names[i], names[j]))))
    return sorted(pairs)


EXPLAINED_PAIRS = 300
EXPLAINING_WORDS = 6


def _explanations(delta, texts: dict[str, list[str]], pairs: list[dict]) -> dict:
    """For the most likely shared-writer pairs: the words whose z-scored frequencies
    pull the two bylines' Cosine Delta most together and most apart."""
    out = {}
    top = sorted(pairs, key=lambda p: (-p["same_writer"], p["byline_a"], p["byline_b"]))
    for pair in top[:EXPLAINED_PAIRS]:
        za = delta.prepare(texts[pair["byline_a"]])
        zb = delta.prepare(texts[pair["byline_b"]])
        norm = float(np.linalg.norm(za) * np.linalg.norm(zb)) or 1.0
        contribution = za * zb / norm
        order = np.argsort(contribution, kind="stable")
        words = [*delta.vocabulary_, *delta.marks_]
        out[(pair["byline_a"], pair["byline_b"])] = {
            "together": [words[i] for i in order[::-1][:EXPLAINING_WORDS]
                         if contribution[i] > 0],
            "apart": [words[i] for i in order[:EXPLAINING_WORDS] if contribution[i] < 0]}
    return out


def _reused_passages(by_byline: dict[str, list[tuple]]) -> tuple[pa.Table, dict]:
    """Near-duplicate sentences found under two or more bylines."""
    from sockscope.keys.neardup import near_duplicate_families

    sentences = []
    for byline, articles in by_byline.items():
        for article_id, _, _, _, text in articles:
            for sentence in _SENTENCE.split(text):
                if word_count(sentence) >= MIN_PASSAGE_WORDS:
                    sentences.append((byline, article_id, sentence.strip()))
    families = near_duplicate_families([s for _, _, s in sentences]) if sentences else []
    members: dict[int, list[tuple]] = defaultdict(list)
    for sentence, family in zip(sentences, families, strict=True):
        if family >= 0:
            members[family].append(sentence)
    rows, shared = [], defaultdict(int)
    for family in sorted(members):
        group = members[family]
        if len({b for b, _, _ in group}) < 2:
            continue
        seen_pairs = set()
        count = 0
        for i, (ba, aa, sa) in enumerate(group):
            for bb, ab, sb in group[i + 1:]:
                if ba == bb or count >= PASSAGE_PAIRS_PER_FAMILY:
                    continue
                (ba2, aa2, sa2), (bb2, ab2, sb2) = sorted([(ba, aa, sa), (bb, ab, sb)])
                rows.append({"family": family, "byline_a": ba2, "article_a": aa2,
                             "passage_a": sa2, "byline_b": bb2, "article_b": ab2,
                             "passage_b": sb2})
                count += 1
                if (ba2, bb2) not in seen_pairs:
                    seen_pairs.add((ba2, bb2))
                    shared[(ba2, bb2)] += 1
    schema = pa.schema([("family", pa.int64()), ("byline_a", pa.string()),
                        ("article_a", pa.string()), ("passage_a", pa.string()),
                        ("byline_b", pa.string()), ("article_b", pa.string()),
                        ("passage_b", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema), dict(shared)


def _clusters(names: list[str], pairs: list[dict], seed: int) -> dict[str, str]:
    index = {n: i for i, n in enumerate(names)}
    links = [(index[p["byline_a"]], index[p["byline_b"]], max(p["same_writer"], 0.5))
             for p in pairs if p["decision"] == "same" or p["shared_passages"] >= REUSE_LINK]
    graph = ig.Graph(n=len(names), edges=[(a, b) for a, b, _ in links])
    graph.es["weight"] = [w for _, _, w in links]
    partition = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition,
                                         weights="weight" if links else None, seed=seed)
    ranked = sorted((sorted(names[v] for v in c) for c in partition),
                    key=lambda c: (-len(c), c[0]))
    return {name: f"W{number:04d}" for number, cluster in enumerate(ranked, start=1)
            for name in cluster}


def _hands(by_byline: dict[str, list[tuple]], verifiers
           ) -> tuple[Hands, dict[str, float]]:
    """The hands test (``authorship.hands``) and each article's fit to the rest of its
    byline. Article vectors are made when needed and at most ``VECTORS_KEPT`` are kept:
    holding all of them would take 120 KB per article."""
    char = next(v for v in verifiers if isinstance(v, CharNgramCosine))
    texts = {r[0]: r[4] for rows in by_byline.values() for r in rows}

    @lru_cache(maxsize=VECTORS_KEPT)
    def vector(article: str) -> np.ndarray:
        return char.prepare([texts[article]])

    fit: dict[str, float] = {}
    for rows in by_byline.values():
        ids = [r[0] for r in rows]
        matrix = np.array([vector(i) for i in ids])
        total = matrix.sum(axis=0)
        for k, article in enumerate(ids):
            profile = total - matrix[k] if len(ids) > 1 else matrix[k]
            norm = np.linalg.norm(profile) * np.linalg.norm(matrix[k])
            fit[article] = round(float(profile @ matrix[k] / norm), 4) if norm else None
    hands = find_hands({b: [(r[0], r[4]) for r in rows] for b, rows in by_byline.items()})
    return hands, fit


def _signals(byline: str, pairs: list[dict], hands: int) -> str:
    """The byline's marks for bylines.csv; ``pairs`` are the pairs it is part of."""
    marks = []
    same = sorted((p for p in pairs if p["decision"] == "same"),
                  key=lambda p: -p["same_writer"])
    if same:
        other = [p["byline_b"] if p["byline_a"] == byline else p["byline_a"] for p in same]
        marks.append("shares_writer_with=" + "|".join(other[:5]))
    reused = sum(p["shared_passages"] for p in pairs)
    if reused:
        marks.append(f"shared_passages={reused}")
    if hands > 1:
        marks.append(f"hands={hands}")
    return ";".join(marks)
