"""Reference distributions shared by the kinds of evidence measured against random pairs
of accounts (names, writing, traces, rhythm): sampling the pairs, activity strata, and
empirical upper-tail p-values."""

from __future__ import annotations

import numpy as np


def random_pairs(rows: np.ndarray, count: int, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random pairs of two different entries of ``rows``."""
    i = rng.integers(0, len(rows), count)
    j = (i + rng.integers(1, len(rows), count)) % len(rows)
    return rows[i], rows[j]


def stratum(size: np.ndarray) -> np.ndarray:
    """Activity strata for reference distributions: log2 of the smaller side's amount
    (posts, characters). A quiet account's profile is noisy, so it is compared with
    random pairs as quiet as it, not with the whole population."""
    return np.floor(np.log2(np.maximum(size, 1))).astype(np.int64)


def stratified_tail(null: np.ndarray, null_strata: np.ndarray, observed: np.ndarray,
                    strata: np.ndarray, extrapolate: bool = False) -> np.ndarray:
    """``upper_tail`` within each stratum: each observed value against the random
    pairs of its own stratum (the nearest stratum below that has any, else all); with
    ``extrapolate``, ``extrapolated_tail``."""
    p = np.ones(len(observed))
    levels = np.unique(null_strata)
    tail = extrapolated_tail if extrapolate else upper_tail
    for level in np.unique(strata):
        usable = levels[levels <= level]
        chosen = usable.max() if len(usable) else levels.min()
        rows = strata == level
        p[rows] = tail(np.sort(null[null_strata == chosen]), observed[rows])
    return p


TAIL_SHARE = 0.01  # the top of a null whose exceedances fit the extrapolated tail
TAIL_POINTS = 50  # at least this many exceedances, or no extrapolation


def extrapolated_tail(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """``upper_tail`` up to the top ``TAIL_SHARE`` of ``null`` (sorted); beyond its
    threshold t, ``TAIL_SHARE * exp(-(x - t) / beta)`` with beta the exceedances' mean
    (the maximum-likelihood exponential, the shape-0 generalised Pareto tail of
    Knijnenburg et al. 2009). An empirical null of N values cannot tell p-values below
    1/N apart; the fitted tail can, and as the heavier of the tails similarity nulls
    usually fit, it errs towards larger p-values."""
    p = upper_tail(null, observed)
    top = int(len(null) * TAIL_SHARE)
    if top < TAIL_POINTS:
        return p
    threshold = null[-top - 1]
    beta = float(np.mean(null[-top:] - threshold))
    if beta <= 0:
        return p
    beyond = observed > threshold
    p[beyond] = top / len(null) * np.exp(-(observed[beyond] - threshold) / beta)
    return p


def upper_tail(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Empirical p-values: (1 + null values >= observed) / (1 + null size); ``null``
    sorted."""
    above = len(null) - np.searchsorted(null, observed, side="left")
    return (1 + above) / (1 + len(null))


def share_near(values: np.ndarray, centre: float, radius: float) -> float:
    """The share of ``values`` (sorted) within ``radius`` of ``centre``, at least one:
    how often a random entry falls as close as the one observed."""
    near = (np.searchsorted(values, centre + radius, side="right")
            - np.searchsorted(values, centre - radius, side="left"))
    return max(int(near), 1) / len(values)
