"""Windowed co-actions in SQL: pairs of accounts acting on the same key within W.

Per trace, actions are reduced to the first action of each account on each key. On
each key, actions are ordered in time and every action is paired with the following
actions within W seconds, at most ``cap`` of them: a key touched by 50,000 accounts
in an hour yields at most ``cap`` pairs per action instead of a billion, so the cost
stays near-linear in the number of posts. The exact number of within-W pairs per key
(needed by the null model) is counted separately with a range window, uncapped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sockscope.detect.params import NEIGHBOUR_CAP
from sockscope.detect.scratch import Scratch
from sockscope.detect.traces.base import Trace

# keys are tested in popularity strata: stratum = min(floor(log_BASE(n accounts)), CAP)
STRATUM_BASE = 4
STRATUM_CAP = 5


@dataclass(frozen=True)
class Coactions:
    """What the co-action stage built for one trace: the temp tables ``acts`` (first action
    of each account on each key), ``keys`` (popularity, exact within-window pairs,
    stratum) and ``coacts`` (capped pairs within the window), and their sizes."""

    trace: str
    window_s: int
    actions: int
    accounts: int
    coactions: int
    acts: str = "acts"
    keys: str = "keys"
    coacts: str = "coacts"

    @property
    def hypotheses(self) -> int:
        """Pairs of accounts active in the trace: every one is a tested hypothesis."""
        return self.accounts * (self.accounts - 1) // 2


def stage_actions(scratch: Scratch, trace: Trace, table: str = "acts_raw") -> None:
    """Table ``table``: each account's first action on each key of ``trace``."""
    scratch.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT account_id, key, min(t) AS t, first(post_id ORDER BY t, post_id) AS post_id
        FROM ({trace.actions(scratch)}) WHERE key IS NOT NULL AND account_id IS NOT NULL
        GROUP BY account_id, key
        """
    )


def build_coactions(scratch: Scratch, trace: Trace, window_s: int,
                    cap: int = NEIGHBOUR_CAP) -> Coactions:
    """Create the temp tables ``acts``, ``keys`` and ``coacts`` for one trace."""
    con = scratch.con
    stage_actions(scratch, trace)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE acts AS
        SELECT account_id, key, t, post_id,
               count(*) OVER (PARTITION BY key ORDER BY t
                              RANGE BETWEEN CURRENT ROW AND {window_s} FOLLOWING) - 1 AS ahead,
               row_number() OVER (PARTITION BY key ORDER BY t, account_id) AS r
        FROM acts_raw
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE keys AS
        SELECT key, count(*) AS n, sum(ahead) AS within_pairs,
               least(floor(ln(count(*)) / ln({STRATUM_BASE})), {STRATUM_CAP})::INTEGER AS stratum
        FROM acts GROUP BY key
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE coacts AS
        WITH expanded AS (
            SELECT account_id, key, t, post_id, r, unnest(range(1, least(ahead, {cap}) + 1)) AS j
            FROM acts WHERE ahead > 0
        )
        SELECT CASE WHEN a.account_id < b.account_id THEN a.account_id ELSE b.account_id END
                   AS account_a,
               CASE WHEN a.account_id < b.account_id THEN b.account_id ELSE a.account_id END
                   AS account_b,
               a.key,
               CASE WHEN a.account_id < b.account_id THEN a.post_id ELSE b.post_id END AS post_a,
               CASE WHEN a.account_id < b.account_id THEN b.post_id ELSE a.post_id END AS post_b,
               CASE WHEN a.account_id < b.account_id THEN a.t ELSE b.t END AS time_a,
               CASE WHEN a.account_id < b.account_id THEN b.t ELSE a.t END AS time_b,
               b.t - a.t AS dt
        FROM expanded a JOIN acts b ON b.key = a.key AND b.r = a.r + a.j
        WHERE b.t - a.t <= {window_s} AND a.account_id <> b.account_id
        """
    )
    actions, accounts, coactions = con.execute(
        "SELECT (SELECT count(*) FROM acts), (SELECT count(DISTINCT account_id) FROM acts), "
        "(SELECT count(*) FROM coacts)").fetchall()[0]
    return Coactions(trace.name, window_s, int(actions), int(accounts), int(coactions))
