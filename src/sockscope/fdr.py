"""Benjamini-Hochberg false discovery rate control, shared by every test family."""

from __future__ import annotations

import numpy as np


def benjamini_hochberg(p_values: np.ndarray, hypotheses: int | None = None) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    ``hypotheses`` is the total number of hypotheses when the p-values of the others
    (all equal to 1) are not listed; by default, the number of p-values given.
    """
    m = max(len(p_values), hypotheses or 0)
    if len(p_values) == 0:
        return p_values
    order = np.argsort(p_values, kind="stable")
    ranked = p_values[order] * m / np.arange(1, len(p_values) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(len(p_values))
    q[order] = np.minimum(adjusted, 1.0)
    return q
