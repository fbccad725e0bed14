"""Evaluation on a PAN-layout verification corpus (``sockscope eval-pan DIR``).

A corpus folder holds one folder per problem (``known*.txt`` by one writer and an
``unknown.txt``) and the answers in ``truth.txt`` (``NAME Y|N`` per line) or
``truth.json``. Figures are cross-validated: the problems are split into ``FOLDS``
folds; for each, the verifiers are fitted on the texts of the other folds (vocabulary,
IDF, impostors) and calibrated on their problems' answers, then judge the held-out
problems. The writers of held-out problems are thus never used to fit or calibrate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sockscope.authorship.calibration import (
    MIN_WORDS,
    Calibrated,
    Decision,
    Fused,
    decide,
    pan_metrics,
    reliability,
)
from sockscope.authorship.features import word_count
from sockscope.authorship.verifiers import default_verifiers
from sockscope.errors import SockscopeError

FOLDS = 5


@dataclass(frozen=True)
class Problem:
    name: str
    known: list[str]
    unknown: str
    same: bool | None  # the answer, when known


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig", errors="replace")


def load_corpus(folder: Path) -> list[Problem]:
    """The problems of a PAN-layout folder, with their answers."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SockscopeError(f"{folder}: not a folder")
    answers: dict[str, bool] = {}
    if (folder / "truth.txt").exists():
        for line in _read(folder / "truth.txt").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                answers[parts[0]] = parts[1].upper().startswith("Y")
    elif (folder / "truth.json").exists():
        data = json.loads(_read(folder / "truth.json"))
        for item in data.get("problems", []):
            answers[item["name"]] = str(item["answer"]).upper().startswith("Y")
    problems = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        known = [_read(p) for p in sorted(sub.glob("known*.txt"))]
        if not known or not (sub / "unknown.txt").exists():
            continue
        problems.append(Problem(sub.name, known, _read(sub / "unknown.txt"),
                                answers.get(sub.name)))
    if not problems:
        raise SockscopeError(f"{folder}: no problem folders with known*.txt and unknown.txt")
    return problems


def _scores(verifiers, problems: list[Problem]) -> np.ndarray:
    return np.array([[v.score(p.known, p.unknown) for v in verifiers] for p in problems])


def evaluate_corpus(folder: Path, folds: int = FOLDS, seed: int = 0) -> dict[str, dict]:
    """Cross-validated PAN metrics per verifier and for the fused one."""
    problems = [p for p in load_corpus(folder) if p.same is not None]
    if len({p.same for p in problems}) < 2:
        raise SockscopeError(f"{folder}: needs problems with both answers to evaluate")
    order = np.random.default_rng(seed).permutation(len(problems))
    fold_of = np.empty(len(problems), dtype=int)
    fold_of[order] = np.arange(len(problems)) % folds
    names = [v.name for v in default_verifiers()]
    predictions = {name: np.zeros(len(problems)) for name in [*names, "fused"]}
    probabilities = {name: np.full(len(problems), 0.5) for name in predictions}
    choices: list[str] = []
    for fold in range(folds):
        train = [p for p, f in zip(problems, fold_of, strict=True) if f != fold]
        test_index = np.flatnonzero(fold_of == fold)
        test = [problems[i] for i in test_index]
        reference = texts_of(train)
        verifiers = [v.fit(reference) for v in default_verifiers(seed)]
        train_scores, test_scores = _scores(verifiers, train), _scores(verifiers, test)
        truth = np.array([p.same for p in train])
        for column, name in enumerate(names):
            model = Calibrated().fit(train_scores[:, column], truth)
            predictions[name][test_index] = model.predict_proba(test_scores[:, column])
            probabilities[name][test_index] = model.probability(test_scores[:, column])
        fused = Fused(names).fit(train_scores, truth, seed)
        predictions["fused"][test_index] = fused.predict_proba(test_scores)
        probabilities["fused"][test_index] = fused.probability(test_scores)
        choices.append(fused.choice_)
        too_short = [i for i, p in zip(test_index, test, strict=True)
                     if min(word_count(" ".join(p.known)), word_count(p.unknown)) < 1]
        for name in predictions:
            predictions[name][too_short] = 0.5
            probabilities[name][too_short] = 0.5
    truth = np.array([p.same for p in problems])
    metrics = {name: pan_metrics(p, truth, probabilities[name])
               for name, p in predictions.items()}
    metrics["fused"]["reliability"] = reliability(probabilities["fused"], truth)
    kept = {c: choices.count(c) for c in sorted(set(choices))}
    metrics["fused"]["fusion"] = ", ".join(f"{c} in {n} of {folds} folds"
                                           for c, n in kept.items())
    return metrics


def answered_problems(folder: Path) -> list[Problem]:
    """The answered problems of a PAN-layout corpus used as a background: both answers
    must be present to calibrate on."""
    problems = [p for p in load_corpus(folder) if p.same is not None]
    if len({p.same for p in problems}) < 2:
        raise SockscopeError(f"{folder}: a background corpus needs answered problems of "
                             "both kinds (same and different writer)")
    return problems


def texts_of(problems: list[Problem]) -> list[str]:
    """Every text of the problems, known and unknown."""
    return [t for p in problems for t in (*p.known, p.unknown)]


def labelled_pairs(problems: list[Problem], verifiers) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores and answers of answered problems, scored with ``verifiers`` as fitted
    elsewhere (a background for a byline corpus)."""
    return _scores(verifiers, problems), np.array([p.same for p in problems])


def fit_on_corpus(folder: Path, seed: int = 0) -> tuple[list, list[Calibrated], Fused]:
    """Verifiers fitted on the answered problems' texts of a PAN-layout corpus and
    calibrated on their answers (``sockscope verify --background``)."""
    problems = answered_problems(folder)
    verifiers = [v.fit(texts_of(problems)) for v in default_verifiers(seed)]
    scores, truth = labelled_pairs(problems, verifiers)
    single = [Calibrated().fit(scores[:, i], truth) for i in range(len(verifiers))]
    return verifiers, single, Fused([v.name for v in verifiers]).fit(scores, truth, seed)


def verify(known: list[str], unknown: str, background: Path | None, seed: int = 0) -> Decision:
    """One question: did the writer of ``known`` also write ``unknown``? Calibrated on a
    background corpus when one is given; without one the scores are reported and the
    answer is "no answer" (there is nothing to calibrate them against)."""
    words_known, words_unknown = word_count(" ".join(known)), word_count(unknown)
    if background is None:
        verifiers = [v.fit([*known, unknown]) for v in default_verifiers(seed)]
        scores = {v.name: round(float(v.score(known, unknown)), 4) for v in verifiers}
        if min(words_known, words_unknown) < MIN_WORDS:
            return decide(0.5, words_known, words_unknown, scores)
        return Decision(0.5, "no answer", words_known, words_unknown, scores)
    verifiers, single, fused = fit_on_corpus(background, seed)
    raw = np.array([[v.score(known, unknown) for v in verifiers]])
    scores = {v.name: round(float(model.predict_proba(raw[:, i])[0]), 4)
              for i, (v, model) in enumerate(zip(verifiers, single, strict=True))}
    return decide(float(fused.predict_proba(raw)[0]), words_known, words_unknown, scores,
                  outside=fused.outside(raw))
