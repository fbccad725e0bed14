"""``--window auto``: estimate a trace's co-action window from the data.

Gaps between consecutive actions on the same key are bimodal where there is
coordination: a burst mode of seconds (accounts acting together) and a human mode of
minutes to hours (people reacting on their own). The window is the valley between the
two modes of the log-gap density, searched between the data's time resolution and one
hour. When the density has no valley there (no burst mode), the trace's default is
kept. The method and the result are recorded in the manifest.
"""

from __future__ import annotations

import duckdb
import numpy as np

MAX_WINDOW_S = 3_600
BINS_PER_DECADE = 8
MIN_GAPS = 100  # fewer gaps than this cannot show two modes: keep the default
# the valley must be this much lower than the lower of its two peaks to count
VALLEY_DEPTH = 0.7


def estimate_window(con: duckdb.DuckDBPyConnection, actions: str, precision_s: int,
                    default: int) -> int:
    """Window in seconds for the actions (account_id, key, t) in table ``actions``."""
    gaps = con.execute(
        f"""
        SELECT t - lag(t) OVER (PARTITION BY key ORDER BY t) AS gap FROM {actions}
        QUALIFY gap IS NOT NULL
        """
    ).fetchnumpy()["gap"]
    return window_from_gaps(np.asarray(gaps, dtype=np.float64), precision_s, default)


def window_from_gaps(gaps: np.ndarray, precision_s: int, default: int) -> int:
    """The valley of the log-gap histogram between the two modes (see module doc)."""
    low = max(float(precision_s), 1.0)
    gaps = gaps[(gaps >= 0) & np.isfinite(gaps)]
    if len(gaps) < MIN_GAPS:
        return max(default, int(precision_s))
    logs = np.log10(np.maximum(gaps, low))
    edges = np.arange(np.log10(low), np.log10(MAX_WINDOW_S * 24) + 1e-9, 1 / BINS_PER_DECADE)
    counts, edges = np.histogram(logs, bins=edges)
    # smooth with a 3-bin moving average so sampling noise does not make valleys
    smooth = np.convolve(counts, np.ones(3) / 3, mode="same")
    upper = np.searchsorted(edges, np.log10(MAX_WINDOW_S)) - 1
    if upper < 2:
        return max(default, int(precision_s))
    burst_peak = int(np.argmax(smooth[:upper]))
    if burst_peak >= upper - 1:
        return max(default, int(precision_s))
    valley = burst_peak + int(np.argmin(smooth[burst_peak:upper]))
    later_peak = smooth[valley:].max()
    if valley == burst_peak or smooth[valley] > VALLEY_DEPTH * min(smooth[burst_peak], later_peak):
        return max(default, int(precision_s))
    return int(round(10 ** edges[valley + 1]))
