"""From scores to decisions: calibrated probabilities, a learned no-answer band, and a
fused verifier.

- **Platt scaling**: a logistic regression from a verifier's score to the probability
  that the writer is the same, fitted on labelled pairs (same writer / different
  writers) whose writers are not those being judged.
- **No-answer band**: probabilities inside ``(low, high)`` become exactly 0.5 ("no
  answer"); the band is the one that maximises c@1 on the calibration pairs (PAN's
  measure, which rewards leaving hard cases unanswered over getting them wrong).
- **Fusion** (stacking): a logistic regression over all verifiers' scores.
- **Too little text**: a decision resting on fewer than ``MIN_WORDS`` words of the
  unknown text (or of the known texts together) is "not enough text", not a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

MIN_WORDS = 50
NO_ANSWER = 0.5


@dataclass(frozen=True)
class Band:
    low: float = NO_ANSWER
    high: float = NO_ANSWER

    def apply(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=np.float64).copy()
        p[(p > self.low) & (p < self.high)] = NO_ANSWER
        return p


def c_at_1(p: np.ndarray, truth: np.ndarray) -> float:
    """PAN's c@1: correct answers, plus unanswered ones credited at the accuracy rate."""
    p, truth = np.asarray(p), np.asarray(truth).astype(bool)
    n = len(p)
    unanswered = np.count_nonzero(p == NO_ANSWER)
    correct = np.count_nonzero(((p > NO_ANSWER) & truth) | ((p < NO_ANSWER) & ~truth))
    return (correct + unanswered * correct / n) / n if n else 0.0


def learn_band(p: np.ndarray, truth: np.ndarray) -> Band:
    """The band around 0.5 that maximises c@1 on calibration pairs (no band if none
    helps)."""
    p = np.asarray(p, dtype=np.float64)
    lows = np.unique(np.concatenate([[NO_ANSWER], p[p < NO_ANSWER]]))
    highs = np.unique(np.concatenate([[NO_ANSWER], p[p > NO_ANSWER]]))
    best, best_score = Band(), c_at_1(p, truth)
    for low in lows[-25:]:  # the 25 closest candidates on each side
        for high in highs[:25]:
            band = Band(float(low), float(high))
            score = c_at_1(band.apply(p), truth)
            if score > best_score + 1e-12:
                best, best_score = band, score
    return best


class Calibrated:
    """A score-to-probability map (Platt) with a no-answer band, for one score column or
    (fusion) several."""

    def fit(self, scores: np.ndarray, truth: np.ndarray) -> Calibrated:
        scores = np.atleast_2d(np.asarray(scores, dtype=np.float64).T).T
        truth = np.asarray(truth).astype(int)
        # scores are standardised and the fit barely regularised: Platt scaling maps a
        # score to a probability, it should not shrink it towards 0.5
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(C=1e4,
                                                                         max_iter=1_000))
        if len(set(truth)) < 2:
            raise ValueError("calibration needs same-writer and different-writer pairs")
        self.model_.fit(scores, truth)
        self.band_ = learn_band(self.model_.predict_proba(scores)[:, 1], truth)
        return self

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of the same writer, 0.5 inside the no-answer band."""
        scores = np.atleast_2d(np.asarray(scores, dtype=np.float64).T).T
        return self.band_.apply(self.model_.predict_proba(scores)[:, 1])


@dataclass(frozen=True)
class Decision:
    """One verification: the probability, the decision and the words it rests on."""

    same_writer: float
    decision: str  # same | different | no answer | not enough text
    words_known: int
    words_unknown: int
    scores: dict[str, float]

    def as_dict(self) -> dict:
        return {"same_writer": self.same_writer, "decision": self.decision,
                "words_known": self.words_known, "words_unknown": self.words_unknown,
                **self.scores}


def decide(p: float, words_known: int, words_unknown: int,
           scores: dict[str, float], min_words: int = MIN_WORDS) -> Decision:
    if min(words_known, words_unknown) < min_words:
        return Decision(NO_ANSWER, "not enough text", words_known, words_unknown, scores)
    label = "same" if p > NO_ANSWER else "different" if p < NO_ANSWER else "no answer"
    return Decision(round(float(p), 4), label, words_known, words_unknown, scores)


def pan_metrics(p: Sequence[float], truth: Sequence[bool]) -> dict[str, float]:
    """AUC, c@1, F0.5u, Brier (as 1 - loss), AUC x c@1 (PAN 2014's final score) and the
    mean of the first four (PAN 2020's overall)."""
    from sklearn.metrics import roc_auc_score

    p, truth = np.asarray(p, dtype=np.float64), np.asarray(truth).astype(bool)
    auc = float(roc_auc_score(truth, p)) if len(set(truth)) == 2 else float("nan")
    c1 = c_at_1(p, truth)
    tp = np.count_nonzero((p > NO_ANSWER) & truth)
    fp = np.count_nonzero((p > NO_ANSWER) & ~truth)
    fn = np.count_nonzero((p < NO_ANSWER) & truth)
    nu = np.count_nonzero(p == NO_ANSWER)
    f05u = 1.25 * tp / (1.25 * tp + 0.25 * (fn + nu) + fp) if tp else 0.0
    brier = 1 - float(np.mean((p - truth) ** 2))
    return {"auc": round(auc, 4), "c@1": round(c1, 4), "f0.5u": round(f05u, 4),
            "brier": round(brier, 4), "auc*c@1": round(auc * c1, 4),
            "overall": round(float(np.mean([auc, c1, f05u, brier])), 4)}
