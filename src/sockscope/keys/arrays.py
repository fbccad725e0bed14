"""NumPy building blocks shared by co-action enumeration and LSH.

- ``members_of``: which positions of a large array hold one of a small sorted set of
  values (the pairs that meet often enough; the texts in shared LSH buckets). A binary
  search per value costs a cache miss per step; a lookup table on the values' hashed
  bits rules most of them out at once, and only the rest are searched.
- ``repeated``: the distinct values of a sorted array that occur at least k times.
- ``prefix_steps``: for step = 1, 2, ..., the positions whose count reaches the step, as
  prefixes of one sort (each action's next ``step``-th neighbour; each text's
  ``step``-th later bucket-mate), so no step rescans every position.
"""

from __future__ import annotations

from collections.abc import Iterator

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


def repeated(sorted_values: np.ndarray, times: int = 2) -> np.ndarray:
    """The distinct values of ``sorted_values`` that occur at least ``times`` times: a
    value whose run is that long equals the value ``times - 1`` places further on."""
    span = times - 1
    often = sorted_values[:len(sorted_values) - span][
        sorted_values[span:] == sorted_values[:len(sorted_values) - span]]
    if len(often) == 0:
        return often
    return often[np.concatenate([[True], often[1:] != often[:-1]])]


def prefix_steps(counts: np.ndarray, last: int) -> Iterator[tuple[int, np.ndarray]]:
    """(step, positions with ``counts >= step``) for step = 1 .. ``last``, stopping when
    none is left; positions in ascending order of ``-counts``, ties by position."""
    order = np.argsort(-counts, kind="stable")
    having = len(counts) - np.cumsum(np.bincount(counts, minlength=last + 1))
    for step in range(1, last + 1):
        positions = order[:having[step - 1]]
        if len(positions) == 0:
            return
        yield step, positions


def _slot(values: np.ndarray) -> np.ndarray:
    """Each value's slot in the lookup table (values of any 64-bit or smaller integer
    type; structured values such as pair codes spread over every slot)."""
    with np.errstate(over="ignore"):
        mixed = values.astype(np.uint64, copy=False) * MIX
    return (mixed >> np.uint64(64 - LOOKUP_BITS)).astype(np.intp)
