"""Taking turns: one account stops and another starts, or two personas are never on at
once.

Two mechanisms leave this trace. Ban evasion: a blocked or suspended account is
replaced by a fresh one that picks up where it stopped (Wikipedia's sockpuppet
investigations read "the new account started editing the day after the block"). Persona
rotation: one person logs out of one persona and into another, so their sessions
interleave but never overlap (Kumar et al., "An Army of Me", WWW 2017: sockpuppets of
one master post at similar times, yet rarely in the same minutes).

- **Hand-over.** Account a (the earlier) was silent over the last ``STOP_MARGIN`` of the
  period, b over the first, and their spans barely overlap. The p-value is the share of
  all accounts whose first post falls as close to a's last post as b's did: a random
  account starting that close to a's stop.
- **A fresh account.** The replacement is made when the block comes: b's account was
  created close to a's last post. The p-value is the share of accounts (with a known
  creation date) created at least that close to it.
- **Sessions apart.** Both active over a common period, their sessions (posts less than
  ``SESSION_GAP_S`` apart) never overlap. Placed independently in that period, the
  expected number of overlapping session pairs is ``sum (len_i + len_j + PAD_S) / L``;
  none at all has probability ``exp(-E)`` (Poisson). Few or short sessions give E near 0
  and no evidence, as they should.
The kind's p-value is the smallest of the three, tripled (Bonferroni).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.operators.nulls import share_near
from sockscope.store.database import arrow_view

STOP_MARGIN = 0.05  # of the period: silent this long at one end means stopped / started
MIN_MARGIN_S = 86_400
OVERLAP_ALLOWED = 0.1  # of the shorter span: a hand-over may overlap this much
SESSION_GAP_S = 1_800
PAD_S = 300  # sessions this close count as on at once


def account_times(con: duckdb.DuckDBPyConnection, accounts: list[str]
                  ) -> dict[str, np.ndarray]:
    """Each account's post times (epoch seconds, sorted)."""
    with arrow_view(con, pa.table({"account_id": pa.array(accounts, pa.string())})) as want:
        rows = con.sql(f"""SELECT account_id, list(epoch(created_at) ORDER BY created_at)
                           FROM posts SEMI JOIN {want} USING (account_id) GROUP BY 1"""
                       ).fetchall()
    return {a: np.asarray(t, dtype=np.float64) for a, t in rows}


def _sessions(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    breaks = np.flatnonzero(np.diff(times) > SESSION_GAP_S)
    starts = times[np.r_[0, breaks + 1]]
    ends = times[np.r_[breaks, len(times) - 1]]
    return starts, ends


def _overlaps(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> int:
    """Session pairs of a and b on at once (within PAD_S / 2 of each other)."""
    half = PAD_S / 2
    a_start, a_end = a[0] - half, a[1] + half
    b_start, b_end = b[0] - half, b[1] + half
    # for each a session: b sessions starting before it ends, minus those ending before
    # it starts (b's sessions are disjoint and sorted)
    return int((np.searchsorted(b_start, a_end, side="right")
                - np.searchsorted(b_end, a_start, side="left")).clip(min=0).sum())


def turn_evidence(con: duckdb.DuckDBPyConnection, pairs: pa.Table,
                  times: dict[str, np.ndarray], created: dict[str, float]
                  ) -> dict[str, np.ndarray]:
    """Per pair: the hand-over gap (seconds, NaN when there is none), the expected and
    observed overlapping sessions, and the kind's p-value."""
    start, end = con.execute("SELECT epoch(min(created_at)), epoch(max(created_at)) "
                             "FROM posts").fetchall()[0]
    firsts = np.sort(con.execute("SELECT epoch(min(created_at)) AS first FROM posts "
                                 "GROUP BY account_id").fetchnumpy()["first"]
                     .astype(np.float64))
    margin = max(MIN_MARGIN_S, STOP_MARGIN * (end - start))
    births = np.sort(np.array([c for c in created.values() if np.isfinite(c)]))
    n = pairs.num_rows
    handover = np.full(n, np.nan)
    expected = np.zeros(n)
    together = np.zeros(n, dtype=np.int64)
    p = np.ones(n)
    sessions: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def sessions_of(account: str) -> tuple[np.ndarray, np.ndarray]:
        if account not in sessions:
            sessions[account] = _sessions(times[account])
        return sessions[account]

    for i, (a, b) in enumerate(zip(pairs["account_a"].to_pylist(),
                                   pairs["account_b"].to_pylist(), strict=True)):
        ta, tb = times.get(a), times.get(b)
        if ta is None or tb is None:
            continue
        if ta[0] > tb[0]:
            ta, tb, a, b = tb, ta, b, a
        p_hand = p_apart = p_fresh = 1.0
        overlap = ta[-1] - tb[0]
        shorter = min(ta[-1] - ta[0], tb[-1] - tb[0])
        if ta[-1] < end - margin and tb[0] > start + margin \
                and overlap <= OVERLAP_ALLOWED * shorter:
            handover[i] = tb[0] - ta[-1]
            p_hand = share_near(firsts, ta[-1], abs(handover[i]))
            born = created.get(b, np.nan)
            if np.isfinite(born) and len(births):
                p_fresh = share_near(births, ta[-1], abs(born - ta[-1]))
        low, high = max(ta[0], tb[0]), min(ta[-1], tb[-1])
        if high - low > SESSION_GAP_S:
            sa, sb = sessions_of(a), sessions_of(b)
            ia = (sa[0] >= low) & (sa[1] <= high)
            ib = (sb[0] >= low) & (sb[1] <= high)
            len_a, len_b = (sa[1] - sa[0])[ia], (sb[1] - sb[0])[ib]
            expected[i] = (ib.sum() * len_a.sum() + ia.sum() * len_b.sum()
                           + PAD_S * ia.sum() * ib.sum()) / (high - low)
            together[i] = _overlaps((sa[0][ia], sa[1][ia]), (sb[0][ib], sb[1][ib]))
            if together[i] == 0:
                p_apart = float(np.exp(-expected[i]))
        p[i] = min(1.0, 3 * min(p_hand, p_apart, p_fresh))
    return {"handover": handover, "expected_together": expected, "together": together,
            "p": p}
