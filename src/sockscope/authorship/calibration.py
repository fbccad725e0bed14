"""From scores to decisions: calibrated probabilities, a learned no-answer band, and a
fused verifier.

- **Platt scaling**: a logistic regression from a verifier's score to the probability
  that the writer is the same, fitted on labelled pairs (same writer / different
  writers) whose writers are not those being judged. The targets are Platt's (1999)
  prior-corrected ones, (N+ + 1) / (N+ + 2) and 1 / (N- + 2) instead of 1 and 0: with a
  few dozen pairs that separate cleanly, 0/1 targets let the slope grow without bound
  and every far-out pair gets a probability of exactly 1.00.
- **No-answer band**: probabilities inside ``(low, high)`` become exactly 0.5 ("no
  answer"); the band is the one that maximises c@1 on the calibration pairs (PAN's
  measure, which rewards leaving hard cases unanswered over getting them wrong).
- **Fusion**, chosen by cross-validation on the calibration pairs: the mean of the
  standardised scores (equal weights, nothing to overfit), unless stacking (a logistic
  regression over all scores, which can also learn that a topic-driven verifier counts
  against) or one verifier alone ranks the held-out pairs better in 95 % of bootstrap
  resamples (``_clearly_better``). Calibration problems from several genres (the
  shipped set) are held out a genre at a time instead of in random folds.
- **Tempering for another genre** (``Tempered``, the shipped set): log-odds divided by
  the largest temperature that calibrating on all genres but one asks of the one left
  out, so that a question from yet another genre gets no more certainty than such a
  move supports.
- **Agreement**: every decision names the verifiers whose own calibrated probability
  falls on the side of the fused decision, and those on the other side.
- **Too little text**: a decision resting on fewer than ``MIN_WORDS`` words of the
  unknown text (or of the known texts together) is "not enough text", not a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

MIN_WORDS = 50
STACKING_C = 1.0
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
        # one score: standardised and barely regularised, since Platt scaling maps a
        # score to a probability and should not shrink it towards 0.5. Several (stacking):
        # the usual L2 penalty, so that four correlated scores on a hundred pairs do not
        # get large weights of opposite signs
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(
            C=1e4 if scores.shape[1] == 1 else STACKING_C, max_iter=1_000))
        if len(set(truth)) < 2:
            raise ValueError("calibration needs same-writer and different-writer pairs")
        # Platt's targets as sample weights: each pair is a same-writer example with
        # weight t and a different-writer one with weight 1 - t
        positives, negatives = int(truth.sum()), int(len(truth) - truth.sum())
        target = np.where(truth == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
        self.model_.fit(np.vstack([scores, scores]),
                        np.r_[np.ones(len(truth), int), np.zeros(len(truth), int)],
                        logisticregression__sample_weight=np.r_[target, 1 - target])
        self.floor_, self.ceiling_ = 1 / (negatives + 2), (positives + 1) / (positives + 2)
        self.band_ = learn_band(self.probability(scores), truth)
        return self

    def probability(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of the same writer, mapped into Platt's targets
        [1/(N₋+2), (N₊+1)/(N₊+2)]: a hundred calibration pairs cannot support more
        certainty than their smoothed frequencies, however far the logistic curve
        extrapolates (one known text where the calibration problems had five gave
        10⁻⁸). The map is linear, so the order of pairs, and every AUC, is unchanged."""
        return self.floor_ + (self.ceiling_ - self.floor_) * self.curve(scores)

    def curve(self, scores: np.ndarray) -> np.ndarray:
        """The fitted logistic curve, before the bounds. Held-out pairs of several folds
        are ranked together on it: each fold's bounds differ a little, and mapping the
        folds apart would reorder pairs across folds."""
        scores = np.atleast_2d(np.asarray(scores, dtype=np.float64).T).T
        return self.model_.predict_proba(scores)[:, 1]

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of the same writer, 0.5 inside the no-answer band."""
        return self.band_.apply(self.probability(scores))


FUSION_FOLDS = 5


class Fused:
    """The fused verifier: the mean of standardised scores, stacking or one verifier
    alone, chosen on cross-validated probabilities of the calibration pairs
    (``_clearly_better``), refitted on all pairs.

    ``extra`` pairs (a background corpus's labelled problems) may join the training
    folds; each candidate is tried with and without them and judged on the held-out
    pairs of the corpus itself, so they are kept only where they do not rank the
    corpus's own pairs worse (more data must not make the answer worse)."""

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)

    def _columns(self, candidate: str, scores: np.ndarray) -> np.ndarray:
        if candidate == "stacked":
            return scores
        if candidate == "mean":
            return ((scores - self.center_) / self.scale_).mean(axis=1)
        return scores[:, self.names.index(candidate)]

    def fit(self, scores: np.ndarray, truth: np.ndarray, seed: int = 0,
            extra: tuple[np.ndarray, np.ndarray] | None = None,
            genres: Sequence[str] | None = None) -> Fused:
        """``genres`` (problems from several): the candidates are judged on each genre
        held out in turn instead of random folds, so the one kept is the one that ranks
        pairs of a genre it was not fitted on (leave-one-domain-out model selection,
        Gulrajani & Lopez-Paz 2021): the question judged is from yet another."""
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

        scores = np.asarray(scores, dtype=np.float64).reshape(len(truth), -1)
        truth = np.asarray(truth).astype(bool)
        extra_scores, extra_truth = (
            (np.asarray(extra[0], dtype=np.float64).reshape(len(extra[1]), -1),
             np.asarray(extra[1]).astype(bool)) if extra is not None and len(extra[1])
            else (np.zeros((0, scores.shape[1])), np.zeros(0, bool)))
        self.center_, self.scale_ = scores.mean(axis=0), scores.std(axis=0) + 1e-12
        candidates = [(c, with_extra) for with_extra in
                      ([False, True] if len(extra_truth) else [False])
                      for c in ["mean", "stacked", *self.names]]
        folds = min(FUSION_FOLDS, int(truth.sum()), int((~truth).sum()))
        by_genre = genres is not None and len(set(genres)) >= 2
        self.cv_auc_: dict[tuple[str, bool], float] = {}
        if folds >= 2:
            held_out = {c: np.zeros(len(truth)) for c in candidates}
            split = (LeaveOneGroupOut().split(scores, truth, np.asarray(genres)) if by_genre
                     else StratifiedKFold(folds, shuffle=True, random_state=seed
                                          ).split(scores, truth))
            for train, test in split:
                for name, with_extra in candidates:
                    x, y = scores[train], truth[train]
                    if with_extra:
                        x, y = np.vstack([x, extra_scores]), np.r_[y, extra_truth]
                    if len(set(y)) < 2:
                        continue
                    model = Calibrated().fit(self._columns(name, x), y)
                    held_out[(name, with_extra)][test] = model.curve(
                        self._columns(name, scores[test]))
            self.cv_auc_ = {c: round(float(roc_auc_score(truth, held_out[c])), 4)
                            for c in candidates}
        self.choice_, self.with_extra_ = (
            _clearly_better(held_out, truth, candidates, seed) if self.cv_auc_
            else ("stacked", False))
        x, y = scores, truth
        if self.with_extra_:
            x, y = np.vstack([x, extra_scores]), np.r_[y, extra_truth]
        self.low_, self.high_ = x.min(axis=0), x.max(axis=0)
        self.model_ = Calibrated().fit(self._columns(self.choice_, x), y)
        return self

    def outside(self, scores: np.ndarray) -> list[str]:
        """The verifiers whose score for this pair lies beyond every calibration pair's."""
        scores = np.asarray(scores, dtype=np.float64).reshape(-1, len(self.names))
        beyond = ((scores < self.low_) | (scores > self.high_)).any(axis=0)
        return [name for name, out in zip(self.names, beyond, strict=True) if out]

    def probability(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=np.float64).reshape(-1, len(self.names))
        return self.model_.probability(self._columns(self.choice_, scores))

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        return self.model_.band_.apply(self.probability(scores))

    def describe(self) -> str:
        """Which fusion was kept and how each candidate ranked held-out pairs."""
        def label(c: tuple[str, bool]) -> str:
            return f"{c[0]}{' with the background' if c[1] else ''}"

        ranked = ", ".join(f"{label(c)} {a:.3f}" for c, a in sorted(
            self.cv_auc_.items(), key=lambda item: -item[1])[:4])
        return (f"fusion: {label((self.choice_, self.with_extra_))} (cross-validated AUC "
                f"on the calibration pairs, best four: {ranked or 'too few pairs'})")


MAX_TEMPERATURE = 20.0


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _temper(p: np.ndarray, temperature: float) -> np.ndarray:
    return 1 / (1 + np.exp(-_logit(p) / temperature))


class Tempered:
    """A calibrated model (the fused verifier, or one verifier's Platt curve) whose
    probabilities are tempered for a change of genre: log-odds divided by a temperature
    ≥ 1, learned by fitting the model on all but one genre of the calibration problems
    and judging the one left out, in turn (``fit``): the largest of the genres' own best
    temperatures. A calibration fitted on essays and applied to novels is overconfident
    by as much as genres differ; leaving a genre out measures by how much, on the genres
    at hand, so that the answers to a question from yet another genre are not more
    certain than the hardest such move supports. The order of pairs (every AUC) is
    unchanged."""

    def __init__(self, fit_model: Callable[[np.ndarray, np.ndarray, np.ndarray], Any],
                 ) -> None:
        self.fit_model = fit_model  # (scores, truth, genres) -> a fitted model

    @classmethod
    def fused(cls, names: list[str], seed: int = 0) -> Tempered:
        """The fused verifier, its candidates judged on held-out genres too."""
        return cls(lambda x, y, g: Fused(names).fit(x, y, seed, genres=g))

    @classmethod
    def single(cls) -> Tempered:
        """One verifier's Platt curve."""
        return cls(lambda x, y, g: Calibrated().fit(x, y))

    def fit(self, scores: np.ndarray, truth: np.ndarray, genres: Sequence[str]) -> Tempered:
        from scipy.optimize import minimize_scalar

        scores = np.asarray(scores, dtype=np.float64)
        truth, genres = np.asarray(truth).astype(bool), np.asarray(genres)
        self.model_ = self.fit_model(scores, truth, genres)
        held_out = np.full(len(truth), np.nan)
        for genre in sorted(set(genres)):
            out = genres == genre
            if len(set(truth[~out])) == 2:
                held_out[out] = self.fit_model(scores[~out], truth[~out], genres[~out]
                                               ).probability(scores[out])
        known = ~np.isnan(held_out)

        def fitted(where: np.ndarray) -> float:
            """The temperature that minimises the log loss of the held-out pairs
            ``where``."""
            y = truth[where]

            def loss(temperature: float) -> float:
                p = np.clip(_temper(held_out[where], temperature), 1e-9, 1 - 1e-9)
                return float(-np.mean(y * np.log(p) + (~y) * np.log(1 - p)))

            if len(set(y)) < 2:
                return 1.0
            return float(minimize_scalar(loss, bounds=(1.0, MAX_TEMPERATURE),
                                         method="bounded").x)

        # the largest of the genres' own: the question's genre is none of them, so the
        # answer is kept as uncertain as the hardest move between genres seen
        self.by_genre_ = {g: round(fitted(known & (genres == g)), 3)
                          for g in sorted(set(genres[known]))}
        self.temperature_ = max(self.by_genre_.values(), default=1.0)
        tempered = _temper(held_out[known], self.temperature_)
        self.band_ = learn_band(tempered, truth[known]) if known.any() else Band()
        return self

    def probability(self, scores: np.ndarray) -> np.ndarray:
        return _temper(self.model_.probability(scores), self.temperature_)

    def predict_proba(self, scores: np.ndarray) -> np.ndarray:
        return self.band_.apply(self.probability(scores))

    def outside(self, scores: np.ndarray) -> list[str]:
        return self.model_.outside(scores)

    def describe(self) -> str:
        return (f"{self.model_.describe()}; tempered for another genre: log-odds divided "
                f"by {self.temperature_:.2f} (fitted on all genres but one, in turn)")


BOOTSTRAPS = 200


def _clearly_better(held_out: dict, truth: np.ndarray, candidates: list, seed: int):
    """The first candidate (the mean of standardised scores, on the corpus's own pairs),
    unless another ranks the held-out pairs better in at least 95 % of bootstrap
    resamples of them. Equal weights are the default because estimated weights lose to
    them out of sample unless the data say clearly otherwise (the "forecast combination
    puzzle": Smith & Wallis 2009, Claeskens et al. 2016); on a hundred pairs the
    cross-validated AUCs of near-equal candidates differ by chance, and a choice made on
    chance differences loses on the pairs judged."""
    rng = np.random.default_rng(seed)
    samples = []
    while len(samples) < BOOTSTRAPS:
        sample = rng.integers(0, len(truth), len(truth))
        if truth[sample].any() and not truth[sample].all():
            samples.append(sample)
    samples = np.array(samples)
    auc = {c: _rank_auc(truth[samples], held_out[c][samples]) for c in candidates}
    default = candidates[0]
    better = [c for c in candidates[1:] if np.mean(auc[c] > auc[default]) >= 0.95]
    return max(better, key=lambda c: (auc[c].mean(), -candidates.index(c))) if better \
        else default


def _rank_auc(truth: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC AUC of each row (Mann-Whitney: the share of positive-negative pairs ranked
    right, ties counted half), all rows at once."""
    from scipy.stats import rankdata

    ranks = rankdata(scores, axis=1)
    positives = truth.sum(axis=1)
    negatives = truth.shape[1] - positives
    rank_sum = np.where(truth, ranks, 0).sum(axis=1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


@dataclass(frozen=True)
class Decision:
    """One verification: the probability, the decision, the words it rests on, and the
    verifiers (by their own calibrated probabilities) that agree and disagree."""

    same_writer: float
    decision: str  # same | different | no answer | not enough text
    words_known: int
    words_unknown: int
    scores: dict[str, float]
    outside: tuple[str, ...] = ()  # verifiers scoring beyond every calibration pair
    calibration: str = ""  # what the probabilities were calibrated on

    def _side(self, sign: int) -> list[str]:
        if self.decision not in ("same", "different"):
            return []
        lean = 1 if self.decision == "same" else -1
        return [name for name, p in self.scores.items()
                if np.sign(p - NO_ANSWER) == lean * sign]

    @property
    def agreeing(self) -> list[str]:
        return self._side(1)

    @property
    def disagreeing(self) -> list[str]:
        return self._side(-1)

    def as_dict(self) -> dict:
        return {"same_writer": self.same_writer, "decision": self.decision,
                "words_known": self.words_known, "words_unknown": self.words_unknown,
                **self.scores, "agreeing": "|".join(self.agreeing),
                "disagreeing": "|".join(self.disagreeing),
                "outside_calibration": "|".join(self.outside),
                "calibration": self.calibration}


def decide(p: float, words_known: int, words_unknown: int,
           scores: dict[str, float], min_words: int = MIN_WORDS,
           outside: list[str] | tuple[str, ...] = (), calibration: str = "") -> Decision:
    if min(words_known, words_unknown) < min_words:
        p, label = NO_ANSWER, "not enough text"
    else:
        label = "same" if p > NO_ANSWER else "different" if p < NO_ANSWER else "no answer"
        p = round(float(p), 4)
    return Decision(p, label, words_known, words_unknown, scores, tuple(outside),
                    calibration)


def pan_metrics(p: Sequence[float], truth: Sequence[bool],
                probability: Sequence[float] | None = None) -> dict[str, float]:
    """AUC, c@1, F0.5u, Brier (as 1 - loss), AUC x c@1 (PAN 2014's final score) and the
    mean of the first four (PAN 2020's overall). ``p`` are the answers (0.5 for no
    answer); AUC and Brier are taken on ``probability`` when given (the calibrated
    probabilities before the no-answer band, so that the band, a decision rule, does
    not tie the pairs it leaves unanswered and hide how they rank)."""
    from sklearn.metrics import roc_auc_score

    p, truth = np.asarray(p, dtype=np.float64), np.asarray(truth).astype(bool)
    ranked = p if probability is None else np.asarray(probability, dtype=np.float64)
    auc = float(roc_auc_score(truth, ranked)) if len(set(truth)) == 2 else float("nan")
    c1 = c_at_1(p, truth)
    tp = np.count_nonzero((p > NO_ANSWER) & truth)
    fp = np.count_nonzero((p > NO_ANSWER) & ~truth)
    fn = np.count_nonzero((p < NO_ANSWER) & truth)
    nu = np.count_nonzero(p == NO_ANSWER)
    f05u = 1.25 * tp / (1.25 * tp + 0.25 * (fn + nu) + fp) if tp else 0.0
    brier = 1 - float(np.mean((ranked - truth) ** 2))
    return {"auc": round(auc, 4), "c@1": round(c1, 4), "f0.5u": round(f05u, 4),
            "brier": round(brier, 4), "auc*c@1": round(auc * c1, 4),
            "overall": round(float(np.mean([auc, c1, f05u, brier])), 4)}


RELIABILITY_BINS = 10


def reliability(probability: Sequence[float], truth: Sequence[bool],
                bins: int = RELIABILITY_BINS) -> list[dict]:
    """The reliability (calibration) curve: per tenth of predicted probability, how
    many pairs, their mean predicted probability and the share that were same-writer."""
    p, truth = np.asarray(probability, dtype=np.float64), np.asarray(truth).astype(bool)
    which = np.minimum((p * bins).astype(int), bins - 1)
    return [{"bin": f"{k / bins:.1f}-{(k + 1) / bins:.1f}", "pairs": int((which == k).sum()),
             "predicted": round(float(p[which == k].mean()), 3),
             "observed": round(float(truth[which == k].mean()), 3)}
            for k in range(bins) if (which == k).any()]
