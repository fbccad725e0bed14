"""Membership of many integers in a few: which positions of a large array hold one of a
small sorted set of values (the pairs that meet often enough; the texts in shared LSH
buckets). A binary search per value costs a cache miss per step; a lookup table on the
values' hashed bits rules most of them out at once, and only the rest are searched."""

from __future__ import annotations

import numpy as np

LOOKUP_BITS = 24  # a 16 MB table
MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of value * MIX


def members_of(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions (ascending) of ``values`` that are in ``wanted`` (sorted, distinct);
    both arrays of one integer type."""
    if len(wanted) == 0 or len(values) == 0:
        return np.empty(0, dtype=np.int64)
    table = np.zeros(1 << LOOKUP_BITS, dtype=bool)
    table[_slot(wanted)] = True
    maybe = np.flatnonzero(table[_slot(values)])
    where = np.minimum(np.searchsorted(wanted, values[maybe]), len(wanted) - 1)
    return maybe[wanted[where] == values[maybe]]


def _slot(values: np.ndarray) -> np.ndarray:
    """Each value's slot in the lookup table (values of any 64-bit or smaller integer
    type; structured values such as pair codes spread over every slot)."""
    with np.errstate(over="ignore"):
        mixed = values.astype(np.uint64, copy=False) * MIX
    return (mixed >> np.uint64(64 - LOOKUP_BITS)).astype(np.intp)
