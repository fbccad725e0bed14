"""Authorship: tokenisation in several scripts, verifiers on writers with known
answers, calibration and the no-answer band, PAN metrics and the commands."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sockscope import api
from sockscope.authorship.calibration import (
    Band,
    Calibrated,
    Fused,
    Tempered,
    c_at_1,
    decide,
    learn_band,
    pan_metrics,
)
from sockscope.authorship.features import distort, most_frequent_words
from sockscope.authorship.tokens import words
from sockscope.authorship.verifiers import default_verifiers
from sockscope.cli import app

from .conftest import SHARED_DATA, needs

TOKENS = [
    ("Greek keeps accents and final sigma", "Γειά σου Κόσμε, τι κάνεις;",
     ["γειά", "σου", "κόσμε", "τι", "κάνεις"]),
    ("Dutch elision and a contraction", "Het is 's avonds koud. Don't!",
     ["het", "is", "s", "avonds", "koud", "don't"]),
    ("Persian keeps the zero-width non-joiner inside a word", "می\u200cخواهم بروم",
     ["می\u200cخواهم", "بروم"]),
    ("Spanish inverted marks are punctuation", "¿Qué tal, señor?", ["qué", "tal", "señor"]),
    ("decomposed accents are composed", "cafe\u0301 ole\u0301", ["café", "olé"]),
]


@pytest.mark.parametrize("case, text, expected", TOKENS, ids=[t[0] for t in TOKENS])
def test_words(case, text, expected):
    assert words(text) == expected, case


def test_text_distortion_masks_topic_words():
    assert distort("The bridge, said the mayor, is late.", {"the", "is", "said"}) == \
        "The ******, said the *****, is ****."


_TEXT = st.text(st.sampled_from("aAbéÉ1 _'’,.\n\u200c\u0301Σς-"), max_size=60)


@given(_TEXT, st.sets(st.sampled_from(["a", "ab", "é", "b'a", "1", "σς"])))
def test_text_distortion_is_the_per_word_substitution(text, keep):
    """Distortion changes nothing but the words outside ``keep``, each to as many
    asterisks as it has characters (the definition, checked match by match)."""
    from sockscope.authorship.tokens import _WORD

    expected = _WORD.sub(lambda m: m.group(0) if m.group(0).lower() in keep
                         else "*" * len(m.group(0)), text)
    assert distort(text, keep) == expected
    assert len(distort(text, keep)) == len(text)


def _reference_counts(text: str) -> dict[int, int]:
    """The hashed character 2-5-gram counts, one n-gram at a time in Python integers:
    the lower-cased text with runs of white space folded, each n-gram's code points
    hashed multiplicatively from n, mixed, and kept modulo the number of buckets."""
    import re

    from sockscope.authorship.features import CHAR_NGRAMS
    from sockscope.authorship.ngrams import HASH_BUCKETS

    mask, multiplier = (1 << 64) - 1, 0x9E3779B97F4A7C15
    folded = [ord(c) for c in re.sub(r"\s\s+", " ", text.lower())]
    counts: dict[int, int] = {}
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        for start in range(len(folded) - n + 1):
            value = n
            for code in folded[start:start + n]:
                value = ((value * multiplier) & mask) ^ code
            value ^= value >> 29
            value = (value * multiplier) & mask
            value ^= value >> 32
            bucket = value & (HASH_BUCKETS - 1)
            counts[bucket] = counts.get(bucket, 0) + 1
    return counts


@given(st.text(st.sampled_from("aAbéΣς \t\n\u200c'.,1漢"), max_size=40))
def test_character_ngram_counts_are_each_ngram_hashed_and_counted(text):
    """The vectorised counting (every n-gram's hash as array operations, buckets sorted
    as 32-bit integers) gives each bucket the count of the n-grams hashed into it."""
    from sockscope.authorship.ngrams import char_counts

    row = char_counts(text)
    assert dict(zip(row.indices.tolist(), row.data.astype(int).tolist(),
                    strict=True)) == _reference_counts(text)


def _writer(seed: int, topic_seed: int = 0):
    """A writer: a personal set of function-word habits and punctuation, and topics."""
    rng = np.random.default_rng(seed)
    function = ["the", "of", "and", "to", "a", "in", "that", "is", "it", "for", "on", "with",
                "as", "but", "which", "however", "indeed", "thus", "rather", "quite"]
    habit = rng.dirichlet(np.full(len(function), 0.6))
    marks = [",", ";", " -", ":", "!"]
    mark_habit = rng.dirichlet(np.full(len(marks), 0.5))
    topics = np.random.default_rng(1000 + topic_seed)

    def text(words_count: int = 600) -> str:
        out = []
        for _ in range(words_count):
            if rng.random() < 0.45:
                out.append(function[rng.choice(len(function), p=habit)])
            else:
                out.append(f"topic{topics.integers(0, 400)}")
            if rng.random() < 0.08:
                out[-1] += marks[rng.choice(len(marks), p=mark_habit)]
        return " ".join(out) + "."
    return text


@pytest.fixture(scope="module")
def problems():
    return pan_problems()


def pan_problems():
    """60 verification problems over 30 synthetic writers, half same-writer."""
    writers = [_writer(s, s % 5) for s in range(30)]
    out = []
    for i in range(60):
        a = i % 30
        b = a if i % 2 == 0 else (a + 7) % 30
        out.append(([writers[a](), writers[a]()], writers[b](), a == b))
    return out


def test_each_verifier_separates_two_different_writers(problems):
    reference = [t for known, unknown, _ in problems[:40] for t in (*known, unknown)]
    for verifier in default_verifiers():
        verifier.fit(reference)
        same = [verifier.score(k, u) for k, u, s in problems[40:] if s]
        different = [verifier.score(k, u) for k, u, s in problems[40:] if not s]
        assert np.mean(same) > np.mean(different), verifier.name
        assert min(same) > np.median(different), verifier.name


def test_calibrated_probabilities_are_sensible(problems):
    reference = [t for known, unknown, _ in problems for t in (*known, unknown)]
    verifier = default_verifiers()[0].fit(reference)
    scores = np.array([verifier.score(k, u) for k, u, _ in problems])
    truth = np.array([s for _, _, s in problems])
    model = Calibrated().fit(scores[:40], truth[:40])
    p = model.predict_proba(scores[40:])
    assert ((p >= 0) & (p <= 1)).all()
    assert p[truth[40:]].mean() > 0.6 > 0.4 > p[~truth[40:]].mean()


def _genres(shift: float, rng: np.random.Generator):
    """Two verifier scores of 100 pairs in each of three genres; in genre g the
    same-writer pairs score higher by 1 + g * shift (genres that separate unlike)."""
    scores, truth, genres = [], [], []
    for g in range(3):
        same = np.arange(100) % 2 == 0
        gap = 1 + g * shift
        scores.append(rng.normal(0, 1, (100, 2)) + np.where(same, gap, 0)[:, None])
        truth.append(same)
        genres += [f"g{g}"] * 100
    return np.vstack(scores), np.concatenate(truth), genres


def test_tempering_measures_how_much_a_change_of_genre_costs():
    rng = np.random.default_rng(3)
    alike = Tempered.fused(["a", "b"]).fit(*_genres(0.0, rng))
    unlike = Tempered.fused(["a", "b"]).fit(*_genres(3.0, rng))
    # genres that separate pairs alike need no tempering; unlike ones do
    assert alike.temperature_ < 1.2 < 1.5 < unlike.temperature_
    # the hardest move between genres sets it
    assert unlike.temperature_ == max(unlike.by_genre_.values())
    assert set(unlike.by_genre_) == {"g0", "g1", "g2"}
    scores = rng.normal(0, 2, (50, 2))
    tempered, fused = unlike.probability(scores), unlike.model_.probability(scores)
    # less certain on both sides, and the order of pairs unchanged
    assert (np.abs(tempered - 0.5) <= np.abs(fused - 0.5) + 1e-12).all()
    assert (np.argsort(tempered, kind="stable") == np.argsort(fused, kind="stable")).all()
    assert "tempered for another genre" in unlike.describe()
    # one verifier's own calibration is tempered the same way
    one = Tempered.single().fit(*(lambda x, y, g: (x[:, 0], y, g))(*_genres(3.0, rng)))
    assert one.temperature_ > 1.5
    assert (np.abs(one.probability(scores[:, 0]) - 0.5)
            <= np.abs(one.model_.probability(scores[:, 0]) - 0.5) + 1e-12).all()


def test_fusion_chosen_across_genres_keeps_what_holds_in_a_genre_not_fitted_on():
    # verifier a separates pairs a little in every genre; b a lot in two genres and the
    # wrong way round in the third. Random folds see b's two good genres in every
    # training fold and keep stacking; holding each genre out shows b failing in one
    rng = np.random.default_rng(7)
    scores, truth, genres = [], [], []
    for g, gap_b in enumerate([2.5, 2.5, -2.5]):
        same = np.arange(100) % 2 == 0
        a = rng.normal(0, 1, 100) + np.where(same, 1.0, 0)
        b = rng.normal(0, 1, 100) + np.where(same, gap_b, 0)
        scores.append(np.c_[a, b])
        truth.append(same)
        genres += [f"g{g}"] * 100
    scores, truth = np.vstack(scores), np.concatenate(truth)
    assert Fused(["a", "b"]).fit(scores, truth).choice_ == "stacked"
    across = Fused(["a", "b"]).fit(scores, truth, genres=genres)
    assert across.choice_ == "a"
    assert across.cv_auc_[("a", False)] > across.cv_auc_[("stacked", False)]


def test_no_answer_band_is_exactly_one_half():
    band = Band(0.4, 0.65)
    assert band.apply(np.array([0.1, 0.41, 0.5, 0.64, 0.9])).tolist() == [0.1, 0.5, 0.5, 0.5,
                                                                          0.9]
    # a band is learned only where leaving cases unanswered raises c@1
    p = np.array([0.9, 0.8, 0.55, 0.45, 0.2, 0.1])
    truth = np.array([True, True, False, True, False, False])
    band = learn_band(p, truth)
    assert band.low <= 0.45 and band.high >= 0.55
    assert c_at_1(band.apply(p), truth) > c_at_1(p, truth)


def test_too_little_text_is_not_a_guess():
    decision = decide(0.93, 800, 20, {"x": 1.0})
    assert (decision.decision, decision.same_writer) == ("not enough text", 0.5)
    assert decide(0.93, 800, 400, {}).decision == "same"
    assert decide(0.5, 800, 400, {}).decision == "no answer"


def test_pan_metrics_on_known_answers():
    p = np.array([0.9, 0.7, 0.5, 0.3, 0.2, 0.6])
    truth = np.array([True, True, True, False, False, False])
    metrics = pan_metrics(p, truth)
    # 4 correct of 6, 1 unanswered: c@1 = (4 + 1 * 4 / 6) / 6
    assert metrics["c@1"] == round((4 + 4 / 6) / 6, 4)
    # tp 2, fp 1, fn 0, unanswered 1: F0.5u = 1.25*2 / (1.25*2 + 0.25*1 + 1)
    assert metrics["f0.5u"] == round(2.5 / (2.5 + 0.25 + 1), 4)
    assert metrics["brier"] == round(1 - np.mean((p - truth) ** 2), 4)
    assert metrics["auc*c@1"] == round(metrics["auc"] * metrics["c@1"], 4)


def test_most_frequent_words_culling():
    texts = ["a a a b c", "a b d", "a e"]
    assert most_frequent_words(texts, 3) == ["a", "b", "c"]
    assert most_frequent_words(texts, 3, culling=0.6) == ["a", "b"]


def _pan_corpus(folder, problems):
    lines = []
    for i, (known, unknown, same) in enumerate(problems):
        problem = folder / f"XX{i:03d}"
        problem.mkdir(parents=True)
        for j, text in enumerate(known, start=1):
            (problem / f"known{j:02d}.txt").write_text(text, encoding="utf-8")
        (problem / "unknown.txt").write_text("\ufeff" + unknown, encoding="utf-8")
        lines.append(f"XX{i:03d} {'Y' if same else 'N'}")
    (folder / "truth.txt").write_text("\n".join(lines) + "\n")


def test_eval_pan_and_verify_commands(tmp_path, problems):
    _pan_corpus(tmp_path / "corpus", problems)
    result = CliRunner().invoke(app, ["eval-pan", str(tmp_path / "corpus"), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert set(metrics) == {"cosine_delta", "char_ngrams", "impostors", "compression",
                            "fused"}
    assert set(metrics["fused"]) == {"auc", "c@1", "f0.5u", "brier", "auc*c@1", "overall",
                                     "fusion", "reliability"}
    assert metrics["fused"]["auc"] > 0.9  # the synthetic writers are clearly distinct
    # the reliability curve covers every problem once, bins in order
    curve = metrics["fused"]["reliability"]
    assert sum(b["pairs"] for b in curve) == len(problems)
    assert [b["bin"] for b in curve] == sorted(b["bin"] for b in curve)
    assert "folds" in metrics["fused"]["fusion"]
    known, unknown, same = problems[0]
    (tmp_path / "k1.txt").write_text(known[0])
    (tmp_path / "k2.txt").write_text(known[1])
    (tmp_path / "u.txt").write_text(unknown)
    result = CliRunner().invoke(app, ["verify", "--known", str(tmp_path / "k1.txt"),
                                      "--known", str(tmp_path / "k2.txt"), "--unknown",
                                      str(tmp_path / "u.txt"), "--background",
                                      str(tmp_path / "corpus"), "--json"])
    assert result.exit_code == 0, result.output
    # one flag before several files, as a shell glob gives them, is the same question
    globbed = CliRunner().invoke(app, ["verify", "--known", str(tmp_path / "k1.txt"),
                                       str(tmp_path / "k2.txt"), "--unknown",
                                       str(tmp_path / "u.txt"), "--background",
                                       str(tmp_path / "corpus"), "--json"])
    assert globbed.exit_code == 0, globbed.output
    assert globbed.output == result.output
    decision = json.loads(result.output)
    assert {"same_writer", "decision", "words_known", "words_unknown", "cosine_delta",
            "char_ngrams", "impostors", "compression"} <= set(decision)
    assert same and decision["decision"] == "same" and decision["same_writer"] > 0.5
    # the verifiers on the side of "same" are named as agreeing, the others disagreeing
    agreeing = set(filter(None, decision["agreeing"].split("|")))
    disagreeing = set(filter(None, decision["disagreeing"].split("|")))
    assert agreeing == {n for n in ("cosine_delta", "char_ngrams", "impostors", "compression")
                        if decision[n] > 0.5}
    assert disagreeing == {n for n in ("cosine_delta", "char_ngrams", "impostors",
                                       "compression") if decision[n] < 0.5}
    assert agreeing
    bare = CliRunner().invoke(app, ["verify", "--known", str(tmp_path / "k1.txt"),
                                    "--unknown", str(tmp_path / "u.txt"), "--json"])
    bare_decision = json.loads(bare.output)
    # no background: calibrated on the shipped set (these synthetic writers write in
    # English function words), and the manifest of the answer says so
    assert bare_decision["calibration"].startswith("shipped: public-domain English prose")
    assert decision["calibration"] == f"background: {tmp_path / 'corpus'}"


def _byline_corpus(path):
    """Eight writers. Writers 0 and 1 each hide behind two invented bylines; one persona
    is written by writers 2 and 3 in turn; everyone else writes under one name. Two
    bylines of writer 0 reuse a passage."""
    import csv as _csv

    writers = [_writer(100 + s, s) for s in range(8)]
    plan = {"Anna Berg": [0], "Tom Reyes": [0], "Lina Park": [1], "Omar Said": [1],
            "Team Voice": [2, 3], "Eva Noor": [4], "Ivan Holt": [5], "Sara Vidal": [6],
            "Ken Mori": [7]}
    rows = []
    for byline, hands in plan.items():
        for k in range(8):
            text = writers[hands[k % len(hands)]](500)
            if byline in ("Anna Berg", "Tom Reyes") and k == 0:
                text += (" The harbour tender was rigged from the start, and everyone in the "
                         "council knew it long before the vote.")
            rows.append([byline, "Daily Example", f"2024-03-{k + 1:02d}", f"{byline} {k}",
                         text])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = _csv.writer(handle)
        writer.writerow(["byline", "outlet", "published_at", "title", "text"])
        writer.writerows(rows)


def test_bylines_recover_shared_writers_and_a_two_writer_persona(tmp_path):
    import csv as _csv

    import pyarrow.parquet as pq

    _byline_corpus(tmp_path / "articles.csv")
    result = CliRunner().invoke(app, ["bylines", str(tmp_path / "articles.csv"), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "bylines.csv", newline="") as handle:
        bylines = {r["byline"]: r for r in _csv.DictReader(handle)}
    cluster = {b: r["cluster_id"] for b, r in bylines.items()}
    assert cluster["Anna Berg"] == cluster["Tom Reyes"]
    assert cluster["Lina Park"] == cluster["Omar Said"]
    assert cluster["Anna Berg"] != cluster["Lina Park"]
    loners = ["Eva Noor", "Ivan Holt", "Sara Vidal", "Ken Mori"]
    assert len({cluster[b] for b in loners}) == len(loners)
    assert bylines["Team Voice"]["hands"] == "2"
    assert all(bylines[b]["hands"] == "1" for b in loners)
    with open(tmp_path / "out" / "byline_pairs.csv", newline="") as handle:
        pairs = {(r["byline_a"], r["byline_b"]): r for r in _csv.DictReader(handle)}
    pair = pairs[("Anna Berg", "Tom Reyes")]
    assert pair["decision"] == "same" and pair["shared_passages"] == "1"
    assert {"same_writer", "words_a", "words_b", "cosine_delta", "char_ngrams", "impostors",
            "compression"} <= set(pair)
    passages = pq.read_table(tmp_path / "out" / "passages.parquet").to_pylist()
    assert passages and "harbour tender was rigged" in passages[0]["passage_a"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"]["bylines"] == 9 and "calibrated on the corpus itself" in \
        manifest["notes"][0]


def test_candidates_ranked_in_a_projection_match_the_full_ranking(monkeypatch):
    # large corpora rank candidates in a 256-dimensional random projection; on 40
    # bylines of 20 writers, each byline's sibling (same writer) is still a candidate
    from sockscope.authorship import bylines
    from sockscope.authorship.verifiers import default_verifiers

    texts = {}
    for writer in range(20):
        write = _writer(100 + writer)
        for copy in range(2):
            texts[f"b{writer:02d}-{copy}"] = [write() for _ in range(4)]
    verifiers = [v.fit([t for ts in texts.values() for t in ts]) for v in default_verifiers()]
    monkeypatch.setattr(bylines, "CANDIDATES", 3)
    full = set(bylines._candidate_pairs(texts, verifiers, {}))
    monkeypatch.setattr(bylines, "EXACT_RANKING", 0)
    projected = set(bylines._candidate_pairs(texts, verifiers, {}))
    siblings = {(f"b{w:02d}-0", f"b{w:02d}-1") for w in range(20)}
    # (beyond the siblings the other writers are about equally far: near ties)
    assert siblings <= full and siblings <= projected
    assert len(projected) <= 40 * 3


def test_articles_csv_keeps_title_url_and_hand(tmp_path):
    import csv

    with open(tmp_path / "a.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["byline", "outlet", "published_at", "title", "url", "text"])
        writers = [_writer(900 + s, s) for s in range(3)]
        for b in range(3):
            for k in range(4):
                out.writerow([f"Byline {b}", "Daily", f"2024-05-{k + 1:02d}", f"Title {b}-{k}",
                              f"https://daily.example/{b}/{k}", writers[b](250)])
    result = CliRunner().invoke(app, ["bylines", str(tmp_path / "a.csv"), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "articles.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {"title", "url", "hand"} <= set(rows[0])
    first = next(r for r in rows if r["byline"] == "Byline 1" and r["title"] == "Title 1-2")
    assert first["url"] == "https://daily.example/1/2" and first["hand"] in ("0", "1", "2")


@needs(SHARED_DATA / "pan14-av-train" / "en_essays")
def test_many_single_article_bylines_with_a_background_corpus(tmp_path):
    # 200 bylines of one article each: the verifiers come from the background corpus,
    # every byline is compared with its nearest neighbours, none is left out
    import csv as csv_module

    texts = sorted((SHARED_DATA / "pan14-av-train" / "en_essays").glob("*/*.txt"))[:200]
    path = tmp_path / "articles.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv_module.writer(handle)
        writer.writerow(["byline", "outlet", "published_at", "title", "text"])
        for number, text in enumerate(texts):
            writer.writerow([f"Writer {number}", "The Post", "2021-01-01", f"T {number}",
                             text.read_text(encoding="utf-8", errors="replace")])
    result = api.bylines([path], tmp_path / "out",
                         background=SHARED_DATA / "pan14-av-train" / "en_essays")
    assert result.bylines.num_rows == len(texts)
    assert result.pairs.num_rows >= len(texts)  # each compared with its neighbours
    assert set(result.bylines["hands"].to_pylist()) == {1}


def test_the_byline_report_is_the_same_on_a_rerun(tmp_path):
    from sockscope.lab.faults import _articles

    corpus = _articles(tmp_path, "2021-05-01")  # four bylines of three articles
    for name in ("a", "b"):
        result = CliRunner().invoke(app, ["bylines", str(corpus),
                                          "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "report.html").read_bytes() == \
        (tmp_path / "b" / "report.html").read_bytes()
