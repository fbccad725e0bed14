"""Bylines a reporter can trust: the hands test (team personas split, one writer whose
topics vary not), the fused verifier against its parts, a background that may not make
things worse, and probabilities that stay short of certainty on a few dozen pairs."""

from __future__ import annotations

import json

import numpy as np
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from sockscope.authorship.calibration import Calibrated, Fused
from sockscope.authorship.hands import find_hands
from sockscope.cli import app

from .test_authorship import _byline_corpus, _pan_corpus, pan_problems

NAMES = ["cosine_delta", "char_ngrams", "impostors", "compression"]


FUNCTION = ["the", "of", "and", "to", "a", "in", "that", "is", "it", "for", "on", "with",
            "as", "but", "which", "however", "indeed", "thus", "rather", "quite"]


def _styled_writer(seed: int):
    """A writer's habits (function words, punctuation) writing on any beat: a beat is a
    vocabulary of its own with Zipfian word frequencies, so its commonest words are
    among the corpus's most frequent, as topic words are in real news."""
    rng = np.random.default_rng(seed)
    habit = rng.dirichlet(np.full(len(FUNCTION), 0.6))
    marks = [",", ";", " -", ":", "!"]
    mark_habit = rng.dirichlet(np.full(len(marks), 0.5))
    zipf = 1 / np.arange(1, 301)
    zipf /= zipf.sum()

    def text(beat: str, words_count: int = 500) -> str:
        out = []
        for _ in range(words_count):
            out.append(FUNCTION[rng.choice(len(FUNCTION), p=habit)] if rng.random() < 0.45
                       else f"{beat}{rng.choice(300, p=zipf)}")
            if rng.random() < 0.08:
                out[-1] += marks[rng.choice(len(marks), p=mark_habit)]
        return " ".join(out) + "."
    return text


def test_hands_split_team_personas_and_not_one_writer_whose_topics_change():
    rng = np.random.default_rng(7)
    bylines: dict[str, list[tuple[str, str]]] = {}
    writer_of: dict[str, int] = {}

    def add(byline: str, texts: list[tuple[int, str]]) -> None:
        bylines[byline] = []
        for k, (writer, text) in enumerate(texts):
            bylines[byline].append((f"{byline}#{k}", text))
            writer_of[f"{byline}#{k}"] = writer

    beats = ["politics", "sport", "economy", "culture", "science"]
    for w in range(10):  # one writer each; the even ones change beat halfway
        write = _styled_writer(200 + w)
        add(f"single-{w}", [(w, write(beats[w % 5] if k < 4 or w % 2 else beats[(w + 1) % 5]))
                            for k in range(8)])
    for t in range(3):  # teams of two writers on one beat, taking turns in a random rota
        pair = _styled_writer(300 + 2 * t), _styled_writer(301 + 2 * t)
        turns = rng.permutation([0] * 4 + [1] * 4)
        add(f"team-{t}", [(20 + 2 * t + k, pair[k](beats[t])) for k in turns])
    hands = find_hands(bylines)
    for t in range(3):
        team = f"team-{t}"
        assert hands.count[team] == 2 and hands.p_value[team] < 0.05, team
        # each hand is one writer's, and each writer one hand
        pairs = {(hands.hand_of[a], writer_of[a]) for a, _ in bylines[team]}
        assert len(pairs) == 2 and len({h for h, _ in pairs}) == 2
    for w in range(10):
        assert hands.count[f"single-{w}"] == 1, (w, hands.p_value[f"single-{w}"])
        assert {hands.hand_of[a] for a, _ in bylines[f"single-{w}"]} == {1}
    assert "tested 13 bylines" in hands.note


def test_hands_are_not_tested_without_a_corpus_to_judge_against():
    bylines = {f"b{i}": [(f"b{i}#{k}", f"text {i} {k}") for k in range(5)] for i in range(3)}
    hands = find_hands(bylines)
    assert set(hands.count.values()) == {1} and set(hands.p_value.values()) == {None}
    assert "not tested" in hands.note


def _scores(rng, n: int, informative: float = 2.0):
    """n labelled pairs: the first column tells same from different, the rest is noise."""
    truth = rng.random(n) < 0.5
    scores = rng.normal(size=(n, 4))
    scores[:, 0] += informative * truth
    return scores, truth


def test_fusion_does_not_rank_below_its_one_informative_verifier():
    # three verifiers of pure noise: equal weights would halve the signal, and stacking
    # fits the noise; on 200 calibration pairs the fusion keeps the informative one
    rng = np.random.default_rng(3)
    losses, mean_kept = 0, 0
    for _ in range(10):
        scores, truth = _scores(rng, 200)
        fused = Fused(NAMES).fit(scores, truth)
        held_scores, held_truth = _scores(rng, 2_000)
        best = roc_auc_score(held_truth, held_scores[:, 0])
        fused_auc = roc_auc_score(held_truth, fused.probability(held_scores))
        losses += fused_auc < best - 0.01
        mean_kept += fused.choice_ == "mean"
    assert losses <= 1 and mean_kept == 0


def test_equal_weights_stay_when_the_verifiers_are_alike():
    # four equally informative verifiers: nothing is clearly better than their mean
    rng = np.random.default_rng(4)
    truth = rng.random(120) < 0.5
    scores = rng.normal(size=(120, 4)) + 1.0 * truth[:, None]
    fused = Fused(NAMES).fit(scores, truth)
    assert fused.choice_ == "mean"
    held_truth = rng.random(2_000) < 0.5
    held = rng.normal(size=(2_000, 4)) + 1.0 * held_truth[:, None]
    assert roc_auc_score(held_truth, fused.probability(held)) > max(
        roc_auc_score(held_truth, held[:, i]) for i in range(4)) + 0.05


def test_a_background_that_contradicts_the_corpus_is_left_out():
    rng = np.random.default_rng(5)
    scores, truth = _scores(rng, 80)
    garbage, garbage_truth = _scores(rng, 200)
    fused = Fused(NAMES).fit(scores, truth, extra=(garbage, ~garbage_truth))
    assert fused.with_extra_ is False
    assert "with the background" not in fused.describe().split("(")[0]


def test_platt_targets_keep_certainty_short_of_one_on_a_few_pairs():
    rng = np.random.default_rng(0)
    scores = np.r_[rng.normal(2, 0.3, 20), rng.normal(0, 0.3, 20)]
    truth = np.r_[np.ones(20), np.zeros(20)].astype(bool)
    p = Calibrated().fit(scores, truth).probability(scores)
    # cleanly separated pairs: 0/1 targets would drive these to 1.0000 and 0.0000
    assert 0.9 < p.max() < 0.995 and 0.005 < p.min() < 0.1


def test_a_score_far_beyond_the_calibration_pairs_is_not_certainty():
    """One known text against calibration problems with five: the scores fall far below
    every calibration pair's. The logistic curve alone extrapolates to about 10⁻⁸; the
    probability stays within Platt's targets, and the verifiers out of range are named."""
    rng = np.random.default_rng(1)
    truth = np.r_[np.ones(30), np.zeros(30)].astype(bool)
    scores = np.c_[np.r_[rng.normal(0.9, 0.03, 30), rng.normal(0.7, 0.03, 30)],
                   np.r_[rng.normal(0.5, 0.05, 30), rng.normal(0.3, 0.05, 30)]]
    fused = Fused(["impostors", "compression"]).fit(scores, truth)
    far = np.array([[0.0, 0.35]])
    assert fused.model_.curve(fused._columns(fused.choice_, far))[0] < 1e-4
    assert fused.probability(far)[0] >= 1 / 32 - 1e-12
    assert fused.outside(far) == ["impostors"]
    assert fused.outside(scores[:1]) == []
    # the bound is a linear map: the pairs' order, and so every AUC, is kept
    single = Calibrated().fit(scores[:, 0], truth)
    assert np.array_equal(np.argsort(single.probability(scores[:, 0]), kind="stable"),
                          np.argsort(single.curve(scores[:, 0]), kind="stable"))


def test_bylines_with_a_background_keep_the_answer_and_say_which_calibration(tmp_path):
    _byline_corpus(tmp_path / "articles.csv")
    _pan_corpus(tmp_path / "background", pan_problems())
    result = CliRunner().invoke(app, ["bylines", str(tmp_path / "articles.csv"), "--out",
                                      str(tmp_path / "out"), "--background",
                                      str(tmp_path / "background")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["calibration"] in ("self", f"self + background: {tmp_path / 'background'}")
    assert any("60 labelled problems" in note for note in manifest["notes"])
    import csv

    with open(tmp_path / "out" / "bylines.csv", newline="") as handle:
        rows = {r["byline"]: r for r in csv.DictReader(handle)}
    assert rows["Anna Berg"]["cluster_id"] == rows["Tom Reyes"]["cluster_id"]
    assert rows["Lina Park"]["cluster_id"] == rows["Omar Said"]["cluster_id"]
    assert rows["Team Voice"]["hands"] == "2" and float(rows["Team Voice"]["hands_p"]) < 0.05
    with open(tmp_path / "out" / "byline_pairs.csv", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    same = next(p for p in pairs if {p["byline_a"], p["byline_b"]} == {"Anna Berg",
                                                                       "Tom Reyes"})
    assert same["decision"] == "same" and same["agreeing"]


def test_bootstrap_auc_is_the_roc_auc_of_each_resample():
    """The fusion choice's bootstrap ranks all resamples at once; each row's value is
    scikit-learn's ROC AUC of that resample, ties included."""
    from sockscope.authorship.calibration import _rank_auc

    rng = np.random.default_rng(3)
    truth = rng.random((30, 25)) < 0.4
    truth[:, 0], truth[:, 1] = True, False
    scores = np.round(rng.random((30, 25)), 1)  # many ties
    expected = [roc_auc_score(truth[i], scores[i]) for i in range(30)]
    assert np.allclose(_rank_auc(truth, scores), expected, atol=1e-12)
