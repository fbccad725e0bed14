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
                    strata: np.ndarray) -> np.ndarray:
    """``upper_tail`` within each stratum: each observed value against the random
    pairs of its own stratum (the nearest stratum below that has any, else all)."""
    p = np.ones(len(observed))
    levels = np.unique(null_strata)
    for level in np.unique(strata):
        usable = levels[levels <= level]
        chosen = usable.max() if len(usable) else levels.min()
        rows = strata == level
        p[rows] = upper_tail(np.sort(null[null_strata == chosen]), observed[rows])
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
