"""Vectorised kernels on every core: Arrow's and NumPy's kernels release the GIL, so
cutting an array into one slice per core and running the slices in threads uses the
machine the way DuckDB does, with results identical to one call on the whole array."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pyarrow as pa

T = TypeVar("T")
R = TypeVar("R")

MIN_SLICE = 50_000  # smaller inputs run in one call: threads cost more than they save


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def map_threads(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``, the items run in threads, in order."""
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(cores(), len(items))) as pool:
        return list(pool.map(function, items))


def map_slices(function: Callable[[pa.Array], pa.Array], values: pa.Array) -> pa.Array:
    """``function(values)`` computed on one slice per core (an elementwise function)."""
    parts = min(cores(), len(values) // MIN_SLICE)
    if parts <= 1:
        return function(values)
    step = -(-len(values) // parts)
    slices = [values.slice(start, step) for start in range(0, len(values), step)]
    return pa.concat_arrays(map_threads(function, slices))
