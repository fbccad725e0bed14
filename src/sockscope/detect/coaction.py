"""Co-actions: pairs of accounts acting on the same key, at several time scales.

Per trace, actions are reduced to the first action of each account on each key (SQL).
On each key, actions are ordered in time and every action is paired with the following
actions within the widest timed window, at most ``cap`` of them: a key touched by
50,000 accounts in an hour yields at most ``cap`` pairs per action instead of a
billion, so the cost stays near-linear in the number of posts. Accounts and keys are
integer codes and the pairs are enumerated in NumPy (``enumerate_pairs``), keeping only
the pairs that meet often enough to be tested.

A trace is tested at several scales (``Scale``): its own window (seconds for reposts,
minutes for texts), any wider windows it declares (hours for joint participation in
hashtag games), and window-free over the whole period. The window-free scale looks
only at rare keys, touched by at most ``cap + 1`` accounts: there every pair is
enumerated (the cap cannot bind), so the cost is bounded by ``cap / 2`` pairs per
action, and a post that thousands reposted -- which says nothing about who works
together -- is left to the timed scales. Teams that repost the same obscure posts
hours apart (Linvill & Warren's Left/Right Trolls; Pacheco et al. 2021 use co-retweets
without a time window) are seen there.

For keys that are clock bins (the same template in the same minute), the null model
takes a key's popularity to be its family's average per bin rather than the count seen:
otherwise a team that fills the same minutes makes them "popular" and explains itself
away.

The null model needs, per key and scale, how many pairs the enumeration *could* find:
``sum(min(ahead, cap))`` over the key's actions, where ``ahead`` is the number of later
actions within the window (a range window, exact). Counting the same capped pairs on
both sides keeps the test exact on hot keys instead of conservative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sockscope.detect.scratch import Scratch
from sockscope.detect.traces.base import Trace
from sockscope.keys.arrays import members_of, prefix_steps, repeated
from sockscope.model.params import NEIGHBOUR_CAP
from sockscope.store.database import table_from_arrow

# keys are tested in popularity strata: stratum = min(floor(log_BASE(n accounts)), CAP)
STRATUM_BASE = 4
STRATUM_CAP = 5


@dataclass(frozen=True)
class Scale:
    """One time scale a trace is tested at: pairs within ``window_s`` seconds of each
    other (``None``: any time in the data), on every key or on rare keys only."""

    window_s: int | None
    rare_only: bool = False

    @property
    def label(self) -> str:
        """Plain words for evidence and notes: "10 s", "2 h", "any time"."""
        return describe_window(self.window_s)


def describe_window(seconds: int | None) -> str:
    """A window in plain words ("any time" when there is none)."""
    if seconds is None:
        return "any time"
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def trace_scales(trace: Trace, window_s: int, window_free: bool = True) -> tuple[Scale, ...]:
    """The scales ``trace`` is tested at when its own window is ``window_s``."""
    wider = sorted({w for w in trace.scales if w > window_s})
    scales = [Scale(window_s), *(Scale(w) for w in wider)]
    if window_free and trace.window_free:
        scales.append(Scale(None, rare_only=True))
    return tuple(scales)


@dataclass(frozen=True)
class Coactions:
    """What the co-action stage built for one trace, as temp tables on integer codes:

    - ``acts``: the first action of each account on each key; ``g`` numbers the actions
      so that each key's actions are consecutive in time order (``r`` within the key);
    - ``keys``: per key and scale, popularity, the pairs the enumeration could find and
      the stratum; ``key_names`` maps ``kid`` back to the key; ``activity``: each
      account's number of actions; ``stratum_activity``: its actions per scale and
      stratum; ``account_posts``: its number of posts (all traces);
    - ``coacts``: the enumerated pairs, ``account_a < account_b`` as account codes
      (``account_codes``; code order is name order), ``pair`` both codes in one integer,
      ``g_a``/``g_b`` the two actions;
    - ``scales``: index, window, rare_only.
    """

    trace: str
    window_s: int
    actions: int
    accounts: int
    coactions: int
    scales: tuple[Scale, ...] = ()
    cap: int = NEIGHBOUR_CAP
    acts: str = "acts"
    keys: str = "keys"
    key_names: str = "key_names"
    activity: str = "activity"
    coacts: str = "coacts"
    scale_table: str = "scales"
    stratum_activity: str = "stratum_activity"
    account_posts: str = "account_posts"
    clock_bins: bool = False  # keys are time bins: popularity is the family's average

    @property
    def hypotheses(self) -> int:
        """Pairs of accounts active in the trace: every one is a tested hypothesis (its
        scales and popularity strata are corrected for within the pair's p-value)."""
        return self.accounts * (self.accounts - 1) // 2


# a pair of account codes as one integer: account_a * PAIR_BASE + account_b
PAIR_BASE = 1 << 32


def actions_sql(trace: Trace, scratch: Scratch) -> str:
    """A SELECT of every action of ``trace`` (``account_id, key, t, post_id``) that has
    both an account and a key."""
    return f"""SELECT account_id, key, t, post_id FROM ({trace.actions(scratch)})
               WHERE key IS NOT NULL AND account_id IS NOT NULL"""


def first_actions_sql(trace: Trace, scratch: Scratch) -> str:
    """A SELECT of each account's first action on each key of ``trace``."""
    return f"""
        SELECT account_id, key, min(t) AS t, first(post_id ORDER BY t, post_id) AS post_id
        FROM ({actions_sql(trace, scratch)})
        GROUP BY account_id, key
        """


def stage_actions(scratch: Scratch, trace: Trace, table: str = "acts_raw") -> None:
    """Table ``table``: each account's first action on each key of ``trace``."""
    scratch.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS {first_actions_sql(trace, scratch)}")


ACCOUNT_CODES_SQL = """SELECT account_id, (row_number() OVER (ORDER BY account_id) - 1)::INTEGER
                              AS code
                       FROM (SELECT DISTINCT account_id FROM posts WHERE account_id IS NOT NULL)"""


def prepare_account_codes(con) -> None:
    """Table ``account_codes(account_id, code)``: every posting account numbered in name
    order, so that comparing codes compares names and joins and sorts run on integers."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE account_codes AS {ACCOUNT_CODES_SQL}")


def prepare_account_posts(con) -> None:
    """Table ``account_posts(account, posts)``: each account's number of posts, by code
    (the null model's activity curve)."""
    con.execute("""CREATE OR REPLACE TEMP TABLE account_posts AS
                   SELECT c.code AS account, count(*) AS posts FROM posts p
                   JOIN account_codes c USING (account_id) GROUP BY ALL""")


@dataclass(frozen=True)
class CoactionPlan:
    """The co-action stage of one trace as SQL over named tables, run by either engine:
    ``steps`` are (table, SELECT) pairs built in order; ``reach`` selects the actions
    the pair enumeration walks (``enumerate_pairs``). Reads ``posts``, ``account_codes``
    and the trace's key tables."""

    steps: tuple[tuple[str, str], ...]
    reach: str
    widest: int | None
    rare: int
    rare_scale: bool


def coaction_plan(scratch: Scratch, trace: Trace, scales: Sequence[Scale],
                  cap: int) -> CoactionPlan:
    """The SQL of ``build_coactions`` for ``trace`` at ``scales``."""
    timed = sorted({s.window_s for s in scales if s.window_s is not None})
    widest = timed[-1] if timed else 0
    rare = cap + 1  # on keys with at most this many accounts the cap never binds
    rare_scale = any(s.rare_only for s in scales)
    # keys numbered in key order; the actions of a key get the numbers first_g + 1 .. first_g + n
    key_names = """
        SELECT key, (row_number() OVER (ORDER BY key))::INTEGER AS kid,
               sum(n) OVER (ORDER BY key ROWS UNBOUNDED PRECEDING) - n AS first_g
        FROM (SELECT key, count(*) AS n FROM acts_raw GROUP BY key)
        """
    ahead = [f"ahead_{w}" for w in timed]
    windows = "".join(
        f"count(*) OVER (PARTITION BY kid ORDER BY t RANGE BETWEEN CURRENT ROW AND {w} "
        f"FOLLOWING) - 1 AS ahead_{w}, " for w in timed)
    acts = f"""
        SELECT first_g + r AS g, kid, account, t, post_id, {"".join(a + ", " for a in ahead)}
               r, n
        FROM (
            SELECT k.kid, k.first_g, c.code AS account, a.t, a.post_id, {windows}
                   row_number() OVER (PARTITION BY k.kid ORDER BY a.t, c.code) AS r,
                   count(*) OVER (PARTITION BY k.kid) AS n
            FROM acts_raw a JOIN key_names k USING (key)
            JOIN account_codes c USING (account_id)
        )
        """
    possible = " UNION ALL ".join(
        f"""SELECT kid, {i} AS scale, count(*) AS n,
                   {f"sum(least(ahead_{s.window_s}, {cap}))" if s.window_s is not None
                    else "count(*) * (count(*) - 1) // 2"} AS within_pairs
            FROM acts {"WHERE n <= " + str(rare) if s.rare_only else ""} GROUP BY kid"""
        for i, s in enumerate(scales))
    if trace.bin_s:
        # the span in bins, a real number (DuckDB's ``//`` on doubles divides; Spark's
        # ``div`` would truncate), so it is written as a division for both
        bins = f"""(SELECT greatest((max(t) - min(t)) / {trace.bin_s} + 1, 1) FROM acts)"""
        expected = f"sum(n) OVER (PARTITION BY scale, {trace.key_family}) / {bins}"
        named = "JOIN key_names USING (kid)"
    else:
        expected, named = "n", ""
    keys = f"""
        WITH counted AS (SELECT p.*, ({expected})::DOUBLE AS n_null FROM ({possible}) p {named})
        SELECT kid, scale, n, within_pairs, n_null,
               least(floor(ln(greatest(n_null, 1)) / ln({STRATUM_BASE})),
                     {STRATUM_CAP})::INTEGER AS stratum
        FROM counted
        """
    activity = "SELECT account, count(*) AS d FROM acts GROUP BY account"
    # each account's actions per scale and popularity stratum: the null model compares
    # an account's mix of popular and obscure keys with that of accounts as active
    stratum_activity = """SELECT a.account, k.scale, k.stratum, count(*) AS d
                          FROM acts a JOIN keys k USING (kid) GROUP BY ALL"""
    # ``ahead`` counts earlier actions at the same second too: n - r keeps pairs in the key
    reach = f"least(ahead_{widest}, {cap}, n - r)" if timed else "0"
    if rare_scale:
        reach = f"CASE WHEN n <= {rare} THEN n - r ELSE {reach} END"
    return CoactionPlan(
        steps=(("acts_raw", first_actions_sql(trace, scratch)), ("key_names", key_names),
               ("acts", acts), ("keys", keys), ("activity", activity),
               ("stratum_activity", stratum_activity)),
        reach=f"SELECT g, account, kid, t, n, {reach} AS reach FROM acts",
        widest=widest if timed else None, rare=rare, rare_scale=rare_scale)


def build_coactions(scratch: Scratch, trace: Trace, window_s: int,
                    cap: int = NEIGHBOUR_CAP,
                    scales: Sequence[Scale] | None = None, min_shared: int = 1) -> Coactions:
    """Create the temp tables ``acts``, ``key_names``, ``keys``, ``activity``,
    ``stratum_activity``, ``scales`` and ``coacts`` for one trace (by default at its own
    window only). ``coacts`` keeps the pairs that share at least ``min_shared`` keys (the
    fewest a pair needs to be tested): on a hot key almost every enumerated pair meets
    only once. With a Spark engine on the scratch, the plan runs there and the tables
    that come back hold what the pair tests read (``SparkEngine.build_coactions``)."""
    con = scratch.con
    scales = tuple(scales) if scales else (Scale(window_s),)
    scratch.once("account_codes", prepare_account_codes)
    scratch.once("account_posts", prepare_account_posts)
    plan = coaction_plan(scratch, trace, scales, cap)
    con.execute("CREATE OR REPLACE TEMP TABLE scales (scale INTEGER, window_s BIGINT, "
                "rare_only BOOLEAN)")
    con.executemany("INSERT INTO scales VALUES (?, ?, ?)",
                    [[i, s.window_s, s.rare_only] for i, s in enumerate(scales)])
    if scratch.engine is not None:
        actions = scratch.engine.build_coactions(scratch, plan, min_shared)
    else:
        for table, select in plan.steps:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {select}")
        acts = con.sql(f"{plan.reach} ORDER BY g").fetchnumpy()
        pairs = enumerate_pairs(acts, plan.widest, plan.rare, plan.rare_scale, min_shared)
        table_from_arrow(con, "coacts", pairs)
        actions = len(acts["g"])
    accounts, coactions = con.execute(
        "SELECT (SELECT count(*) FROM activity), (SELECT count(*) FROM coacts)").fetchall()[0]
    return Coactions(trace.name, window_s, int(actions), int(accounts), int(coactions),
                     scales, cap, clock_bins=bool(trace.bin_s))


def enumerate_pairs(acts: dict[str, np.ndarray], widest: int | None, rare: int,
                    rare_scale: bool, min_shared: int = 1) -> dict[str, np.ndarray]:
    """The co-actions, as columns: each action (``acts`` in ``g`` order: g, account, kid,
    t, n, reach; a key's actions consecutive) paired with the next ``reach`` actions of
    its key, kept when the accounts differ and they are within ``widest`` seconds (or,
    with ``rare_scale``, the key is rare: ``n <= rare``); ``rare`` flags the pairs of
    rare keys. With ``min_shared`` > 1 only pairs of accounts met at least that often
    are kept: the pairs are enumerated twice, once to count them (a sort of their
    codes), once to keep the rows of the pairs that count, so the many pairs that meet
    once are never materialised."""
    account, g = acts["account"].astype(np.int64), acts["g"].astype(np.int64)
    t, n = acts["t"].astype(np.float64), acts["n"].astype(np.int64)
    reach = acts["reach"].astype(np.int64)

    def steps():
        for step, a in prefix_steps(reach, int(reach.max(initial=0))):
            b = a + step
            dt = t[b] - t[a]
            keep = account[a] != account[b]
            if widest is not None and rare_scale:
                keep &= (dt <= widest) | (n[a] <= rare)
            elif widest is not None:
                keep &= dt <= widest
            a, b, dt = a[keep], b[keep], dt[keep]
            low, high = np.minimum(account[a], account[b]), np.maximum(account[a], account[b])
            yield a, b, dt, low * PAIR_BASE + high

    wanted = None
    if min_shared > 1:
        codes = [code for *_, code in steps()]
        wanted = repeated(np.sort(np.concatenate(codes)) if codes else np.empty(0, np.int64),
                          min_shared)
    parts = [(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64),
              np.empty(0, np.int64))]
    for a, b, dt, code in steps():
        if wanted is not None:
            kept = members_of(code, wanted)
            a, b, dt, code = a[kept], b[kept], dt[kept], code[kept]
        parts.append((a, b, dt, code))
    a, b, dt, code = (np.concatenate(column) for column in zip(*parts, strict=True))
    a_first = account[a] < account[b]
    return {"pair": code, "account_a": (code // PAIR_BASE).astype(np.int32),
            "account_b": (code % PAIR_BASE).astype(np.int32),
            "kid": acts["kid"][a].astype(np.int32),
            "g_a": g[np.where(a_first, a, b)], "g_b": g[np.where(a_first, b, a)],
            "dt": dt, "rare": n[a] <= rare}


def at_scale(coacts: str, scales: str = "scales") -> str:
    """A SELECT of ``coacts`` rows with the index of each scale they count at."""
    return f"""SELECT c.*, s.scale FROM {coacts} c JOIN {scales} s
               ON (s.window_s IS NULL OR c.dt <= s.window_s) AND (NOT s.rare_only OR c.rare)"""


def named_coactions(coactions: Coactions, select: str | None = None) -> str:
    """A SELECT of co-actions (by default all of ``coactions.coacts``; or the rows of
    ``select``, which has its columns) with names: accounts, key, posts and times."""
    return f"""
        SELECT na.account_id AS account_a, nb.account_id AS account_b, k.key,
               xa.post_id AS post_a, xb.post_id AS post_b, xa.t AS time_a, xb.t AS time_b,
               c.* EXCLUDE (account_a, account_b)
        FROM ({select or f"SELECT * FROM {coactions.coacts}"}) c
        JOIN {coactions.acts} xa ON xa.g = c.g_a JOIN {coactions.acts} xb ON xb.g = c.g_b
        JOIN account_codes na ON na.code = c.account_a
        JOIN account_codes nb ON nb.code = c.account_b
        JOIN {coactions.key_names} k ON k.kid = c.kid"""
