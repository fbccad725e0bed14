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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sockscope.authorship.calibration import (
    Calibrated,
    Decision,
    Fused,
    Tempered,
    decide,
    pan_metrics,
    reliability,
)
from sockscope.authorship.calibration_set import Shape, covers, description, language_share
from sockscope.authorship.calibration_set import problems as shipped_problems
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
    genre: str = ""  # where the problem comes from, when it comes from several


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


def fit_on_problems(problems: list[Problem], seed: int = 0, also: Sequence[str] = ()
                    ) -> tuple[list, list[Calibrated] | list[Tempered], Fused | Tempered]:
    """Verifiers fitted on the problems' texts and ``also`` (vocabulary, IDF, impostors)
    and calibrated on the problems' answers: each verifier alone, and fused. Problems
    from several genres (the shipped set) temper every calibration for a change of
    genre and judge the fusion candidates on held-out genres (``calibration.Tempered``):
    the question judged is from none of them."""
    verifiers = [v.fit([*also, *texts_of(problems)]) for v in default_verifiers(seed)]
    scores, truth = labelled_pairs(problems, verifiers)
    names = [v.name for v in verifiers]
    genres = [p.genre for p in problems]
    if len(set(genres)) > 1:
        single = [Tempered.single().fit(scores[:, i], truth, genres)
                  for i in range(len(verifiers))]
        return verifiers, single, Tempered.fused(names, seed).fit(scores, truth, genres)
    single = [Calibrated().fit(scores[:, i], truth) for i in range(len(verifiers))]
    return verifiers, single, Fused(names).fit(scores, truth, seed)


@lru_cache(maxsize=16)
def fit_on_shipped(shape: Shape, seed: int = 0) -> tuple[list, list[Tempered], Tempered]:
    """``fit_on_problems`` on the shipped set's problems of ``shape`` (kept: questions
    of one shape share them)."""
    return fit_on_problems(shipped_as_problems(shape, seed), seed)


def shipped_as_problems(shape: Shape, seed: int = 0) -> list[Problem]:
    """The shipped calibration set's problems of ``shape``, each with its genre (the
    collection it was cut from)."""
    return [Problem(f"shipped-{i:03d}", known, unknown, same, collection)
            for i, (known, unknown, same, collection)
            in enumerate(shipped_problems(shape, seed))]


def verify(known: list[str], unknown: str, background: Path | None, seed: int = 0) -> Decision:
    """One question: did the writer of ``known`` also write ``unknown``? Calibrated on
    a background corpus when one is given, else on the shipped calibration set cut to
    the question's shape (``calibration_set``). The shipped set is English prose: for
    texts in another language (``calibration_set.covers``) the scores are reported and
    the answer is "no answer"."""
    words_known, words_unknown = word_count(" ".join(known)), word_count(unknown)
    if background is not None:
        verifiers, single, fused = fit_on_problems(answered_problems(background), seed)
        calibration = f"background: {background}"
    else:
        share = language_share([*known, unknown])
        if not covers(share):
            verifiers = [v.fit([*known, unknown]) for v in default_verifiers(seed)]
            scores = {v.name: round(float(v.score(known, unknown)), 4) for v in verifiers}
            calibration = (f"none: {share:.0%} of the words are among the shipped English "
                           f"set's 100 most frequent (English prose: about half); give "
                           f"--background in the texts' language")
            # "not enough text" under calibration.MIN_WORDS, else "no answer"
            return decide(0.5, words_known, words_unknown, scores, calibration=calibration)
        shape = Shape.of(known, unknown)
        verifiers, single, fused = fit_on_shipped(shape, seed)
        calibration = description(shape, fused.temperature_)
    raw = np.array([[v.score(known, unknown) for v in verifiers]])
    scores = {v.name: round(float(model.predict_proba(raw[:, i])[0]), 4)
              for i, (v, model) in enumerate(zip(verifiers, single, strict=True))}
    return decide(float(fused.predict_proba(raw)[0]), words_known, words_unknown, scores,
                  outside=fused.outside(raw), calibration=calibration)
