"""Hands: is a byline written by more than one person, and who wrote which article?

A team persona is written by several people in turn (the desks behind invented
commentators share the work); an honest columnist is one person whose topics vary. The
test asks of each byline with ``MIN_ARTICLES`` or more articles:

1. **Style without topic.** Only words found in at least half of the corpus's articles
   count (culling, Hoover 2004): function words are in nearly every article, a beat's
   words only in that beat's, so an honest columnist who changes beat keeps the same
   profile. Two views of it: Cosine Delta on those words and the punctuation, and
   character n-grams of the text with every other word masked (Stamatatos 2017).
2. **Split and compare.** The articles are cut in two by Ward linkage on the masked
   n-gram vectors (Ward keeps both sides sizeable, where average linkage would peel off
   one odd article), and each view compares one side with the other. One writer leaves
   two sides that still look like one writer; two writers leave sides that look like two.
3. **Against this corpus's bylines.** The best split of any byline looks less alike
   than a random one, so the similarity is judged against the same split made in every
   other byline of the corpus, not against a fixed threshold. More articles make both
   sides' profiles steadier, so each similarity is first corrected for the number of
   articles (a Huber regression on its logarithm, given ``MIN_TREND_BYLINES`` bylines
   or more: on fewer, a few teams of one size would tilt it), then z-scored with the
   median and MAD of the corpus's bylines. Both are robust: a third of the bylines can be teams,
   as in a small corpus with an operation, without moving what "one writer" looks like.
   The statistic is the mean of the two verifiers' z-scores (lower similarity, higher
   statistic), itself robustly z-scored; its p-value is the normal upper tail.
4. **Hands.** A byline with p < ``ALPHA`` has two hands, one per side; each side with
   enough articles is tested again in the same way (at ``FURTHER_ALPHA``), up to
   ``MAX_HANDS``. Of bylines by one writer, about ``ALPHA`` are split by chance.

Measured in docs/authorship.md: simulated team personas are split and single writers
are not; real writers are much harder to tell apart with a handful of articles each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.stats import norm

MIN_ARTICLES = 4
CULLING = 0.5  # a style word is in at least this share of the corpus's articles
FIT_TEXTS = 5_000  # articles the culled word list and n-gram weights are learnt from
VECTORS_KEPT = 4_096  # article vectors cached while splitting (120 KB each)
MAX_HANDS = 3
MIN_BYLINES = 6  # fewer testable bylines than this: no corpus to judge one against
ALPHA = 0.05
# a side is a subset chosen by the first split and judged against whole bylines, so a
# further hand needs ten times the evidence (on the simulator's two-writer personas,
# sides by one writer reached p = 0.007-0.03)
FURTHER_ALPHA = ALPHA / 10
MIN_TREND_BYLINES = 30  # fewer: no correction for the number of articles (too unsteady)
MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its SD


@dataclass
class Hands:
    """Writers per byline, each article's hand (1 = the largest) and the p-value of
    "one writer" (None: not tested)."""

    count: dict[str, int] = field(default_factory=dict)
    hand_of: dict[str, int] = field(default_factory=dict)
    p_value: dict[str, float | None] = field(default_factory=dict)
    note: str = ""


def find_hands(bylines: dict[str, list[tuple[str, str]]]) -> Hands:
    """``bylines``: byline -> [(article_id, text)] in publication order."""
    from sockscope.authorship.verifiers import CharNgramCosine, CosineDelta

    text_of = {a: t for rows in bylines.values() for a, t in rows}
    result = Hands()
    for byline, rows in bylines.items():
        result.count[byline] = 1
        result.p_value[byline] = None
        result.hand_of.update({a: 1 for a, _ in rows})
    testable = sorted(b for b, rows in bylines.items() if len(rows) >= MIN_ARTICLES)
    if len(testable) < MIN_BYLINES:
        result.note = (f"hands not tested: {len(testable)} bylines have {MIN_ARTICLES} or "
                       f"more articles; {MIN_BYLINES} are needed to judge one against")
        return result

    texts = sorted(text_of.values())
    sample = [texts[i] for i in np.random.default_rng(0).permutation(len(texts))[:FIT_TEXTS]]
    cosines = [CosineDelta(culling=CULLING).fit(sample),
               CharNgramCosine(culling=CULLING).fit(sample)]
    masked = cosines[1]

    @lru_cache(maxsize=VECTORS_KEPT)
    def vector(article: str) -> np.ndarray:
        return masked.prepare([text_of[article]])

    def similarity(ids: list[str]) -> np.ndarray:
        a, b = _split(ids, vector)
        ta, tb = [text_of[i] for i in a], [text_of[i] for i in b]
        return np.array([v.compare(v.prepare(ta), v.prepare(tb)) for v in cosines])

    ids_of = {b: [r[0] for r in bylines[b]] for b in testable}
    observed = np.array([similarity(ids_of[b]) for b in testable])
    null = _Null(observed, np.log([len(ids_of[b]) for b in testable]))

    def p_value(ids: list[str]) -> float:
        return null.p_value(similarity(ids), np.log(len(ids)))

    for row, byline in enumerate(testable):
        ids = ids_of[byline]
        p = null.p_value(observed[row], np.log(len(ids)))
        result.p_value[byline] = round(p, 6)
        hands = _divide(ids, lambda side: p_value(side) < FURTHER_ALPHA, vector) \
            if p < ALPHA else [ids]
        hands.sort(key=lambda h: (-len(h), ids.index(h[0])))
        result.count[byline] = len(hands)
        result.hand_of.update({a: n for n, hand in enumerate(hands, 1) for a in hand})
    result.note = (f"hands: tested {len(testable)} bylines with {MIN_ARTICLES}+ articles "
                   f"against one another (p < {ALPHA})")
    return result


class _Null:
    """What one writer's split looks like in this corpus: per verifier, a Huber trend of
    the sides' similarity on log(articles) and the MAD of the residuals; then the median
    and MAD of the combined statistic."""

    def __init__(self, similarity: np.ndarray, log_articles: np.ndarray) -> None:
        from sklearn.linear_model import HuberRegressor

        self.trends = []
        residuals = np.zeros_like(similarity)
        for k in range(similarity.shape[1]):
            column = similarity[:, k]
            if len(column) >= MIN_TREND_BYLINES and np.ptp(log_articles) > 0:
                trend = HuberRegressor().fit(log_articles[:, None], column)
                fitted = trend.predict(log_articles[:, None])
            else:
                trend, fitted = None, np.full(len(column), np.median(column))
            self.trends.append(trend)
            residuals[:, k] = column - fitted
        self.scales = np.array([_robust_scale(residuals[:, k])
                                for k in range(residuals.shape[1])])
        self.centers = np.median(residuals, axis=0)
        statistic = self._combined(residuals)
        self.center, self.scale = float(np.median(statistic)), _robust_scale(statistic)
        self.fallback = np.median(similarity, axis=0)

    def _residual(self, similarity: np.ndarray, log_articles: float) -> np.ndarray:
        fitted = np.array([t.predict([[log_articles]])[0] if t is not None else f
                           for t, f in zip(self.trends, self.fallback, strict=True)])
        return similarity - fitted

    def _combined(self, residuals: np.ndarray) -> np.ndarray:
        return -((residuals - self.centers) / self.scales).mean(axis=-1)

    def p_value(self, similarity: np.ndarray, log_articles: float) -> float:
        statistic = self._combined(self._residual(similarity, log_articles))
        return float(norm.sf((statistic - self.center) / self.scale))


def _robust_scale(values: np.ndarray) -> float:
    mad = MAD_TO_SD * float(np.median(np.abs(values - np.median(values))))
    return mad or float(np.std(values)) or 1.0


def _divide(ids: list[str], several: Callable[[list[str]], bool], vector
            ) -> list[list[str]]:
    """Split a team byline into hands, testing each side again while hands are few."""
    hands = list(_split(ids, vector))
    while len(hands) < MAX_HANDS:
        splittable = [h for h in hands if len(h) >= MIN_ARTICLES and several(h)]
        if not splittable:
            break
        largest = max(splittable, key=len)
        hands.remove(largest)
        hands.extend(_split(largest, vector))
    return hands


def _split(ids: list[str], vector) -> tuple[list[str], list[str]]:
    """Two sides by Ward linkage on the articles' style vectors."""
    matrix = np.array([vector(i) for i in ids], dtype=np.float64)
    labels = fcluster(linkage(matrix, method="ward"), t=2, criterion="maxclust")
    if len(set(labels)) < 2:  # identical articles: halves in order
        return ids[0::2], ids[1::2]
    return ([i for i, label in zip(ids, labels, strict=True) if label == 1],
            [i for i, label in zip(ids, labels, strict=True) if label != 1])
