"""Sessions: outside accounts that act inside a group's own sessions far beyond chance.

A desk works in sessions: its accounts join the same hashtag game, push the same link
or copy the same text within the same hour or two, day after day (Linvill & Warren
2020 on the IRA's HashtagGamers; Keller et al. 2020 on a campaign's shared working
hours). The pair tests see a session only through each pair of accounts, so a member
that met each other member in only a few sessions stays below the threshold although
it joined most of them. Once a group is found, its sessions are known from its
members' timed co-actions (``evidence`` of its internal edges with a window): per
trace and key, the span from the first to the last member action, padded by the
trace's window. Window-free ties (the same rare posts weeks apart) say what a team
shares, not when it works, and give no session. An outside account's evidence is how
many of the group's sessions it acted in (any of its actions on the key inside the
span: a player that posted the game's tag hours before and again with the team joined
the session), each session one event however many members were there or however many
times it acted in it.

Null model. Per session e, q_e is the share of the accounts outside every group that
are active in the trace and acted on e's key inside e's span. An account of activity
d joins e with chance min(1, q_e max(d, m) / m), m the outside accounts' mean
activity: a heavy account is expected in more sessions, and no account is expected in
fewer than the average one (the floor of the pair tests, ``significance.py``).
Activity is the account's actions in the trace outside the group's sessions, and m
its mean: the sessions joined are what is tested, and counted as activity too, each
one joined would raise the account's own expectation (a player of five of seven
games with two other hashtags would be expected in 1.9 times as many as the average
account). Actions, not keys: an account that posts a tag ten times a day has ten
chances to fall inside a session. Chances are summed over all the group's sessions of
the trace, joined or not: taking part at all is evidence, as it is for the pair
tests. The p-value is the exact Poisson-binomial tail for up to ``EXACT_SESSIONS`` sessions and
beyond, the Poisson tail of mean min(sessions, Σ q_e max(d, m) / m), at least the sum
of the chances: the Poisson tail of a mean is the larger above that mean plus one
(Hoeffding 1956; Anderson & Samuels 1967), so conservative wherever a test can pass
(and no table of accounts × sessions is built for a group with many sessions).
Every (group, trace, outside active account) is a hypothesis, tested or not (fewer
than ``MIN_SESSIONS`` sessions joined is not worth a test); Benjamini-Hochberg runs
over all of them, and an account joins the group it is most significantly tied to.

Each account attached is tied, per session it joined, to the member whose action was
nearest in time: those are its edges (one per member, the behaviour of the trace) and
its evidence rows, so the report shows the posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sockscope.detect.coaction import actions_sql
from sockscope.detect.scratch import Scratch
from sockscope.detect.significance import poisson_survival
from sockscope.fdr import benjamini_hochberg
from sockscope.model.detection import Edge, Group
from sockscope.plugins import TRACES
from sockscope.store.database import arrow_view

MIN_SESSIONS = 3  # sessions joined before an (account, group, trace) is worth testing
EXACT_SESSIONS = 64  # up to this many sessions the tail is the exact Poisson-binomial
EXAMPLE_KEYS = 3


@dataclass
class SessionAttachment:
    """What the session test found: the accounts to add per group (by position), their
    edges, and the number of hypotheses tested."""

    joined: dict[int, list[str]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    hypotheses: int = 0


@dataclass(frozen=True)
class _Tables:
    """One trace's working tables: the groups' sessions, the actions on their keys, and
    the activity in the trace of each account outside every group."""

    number: int

    @property
    def sessions(self) -> str:
        return f"group_sessions_{self.number}"

    @property
    def actions(self) -> str:
        return f"session_actions_{self.number}"

    @property
    def activity(self) -> str:
        return f"session_activity_{self.number}"

    @property
    def all(self) -> list[str]:
        return [self.sessions, self.actions, self.activity]


@dataclass(frozen=True)
class _Test:
    group_index: int
    account: str
    trace: str
    tables: _Tables
    sessions_joined: int
    expected: float  # sessions the account is expected to join (at most; see above)
    # its chance of joining each of the group's sessions, when they are few enough for
    # the exact tail (``EXACT_SESSIONS``)
    chances: np.ndarray | None

    @property
    def p_value(self) -> float:
        if self.chances is None:
            return float(poisson_survival(np.array([self.sessions_joined]),
                                          np.array([self.expected]))[0])
        return joined_at_least(self.sessions_joined, self.chances)


def joined_at_least(count: int, chances: np.ndarray) -> float:
    """P(at least ``count`` of independent events happen), each with its own chance
    (the Poisson-binomial tail)."""
    if count <= 0:
        return 1.0
    dist = np.zeros(len(chances) + 1)
    dist[0] = 1.0
    for chance in chances:
        dist[1:] = dist[1:] * (1.0 - chance) + dist[:-1] * chance
        dist[0] *= 1.0 - chance
    return float(min(1.0, dist[count:].sum()))


def session_attachment(scratch: Scratch, groups: Sequence[Group], edges: Sequence[Edge],
                       traces: Sequence[str], windows: dict[str, int], fdr: float,
                       evidence_table: str) -> SessionAttachment:
    """Test every outside account against every group's sessions (module docstring) and
    append the evidence of those attached to ``evidence_table``. Reads the table
    ``evidence`` (the co-actions behind ``edges``)."""
    con = scratch.con
    result = SessionAttachment()
    if not groups:
        return result
    members = {"group_index": [i for i, g in enumerate(groups) for _ in g.members],
               "account_id": [m for g in groups for m in g.members]}
    timed = [e for e in edges if e.window_s is not None]
    timed_ties = {"behaviour": [e.behaviour for e in timed],
                  "account_a": [e.account_a for e in timed],
                  "account_b": [e.account_b for e in timed]}
    tests: list[_Test] = []
    staged: list[str] = []
    try:
        with arrow_view(con, members) as member_view, \
                arrow_view(con, timed_ties) as tie_view:
            for number, name in enumerate(traces):
                if TRACES[name].bin_s:  # clock bins are the feed desks' (feeds.py)
                    continue
                tables = _Tables(number)
                staged += tables.all
                if not _stage(scratch, name, windows[name], tables, member_view, tie_view):
                    continue
                tests += _tests(con, name, tables)
                result.hypotheses += _hypotheses(con, tables)
            if tests:
                _attach(con, tests, result, fdr, member_view, evidence_table)
    finally:
        for table in staged:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return result


def _stage(scratch: Scratch, trace: str, window: int, tables: _Tables, member_view: str,
           tie_view: str) -> bool:
    """Build the trace's working tables; False when no group has a session in it."""
    con = scratch.con
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {tables.sessions} AS
        SELECT g.group_index, e.key,
               min(least(e.time_a, e.time_b)) - {int(window)} AS t0,
               max(greatest(e.time_a, e.time_b)) + {int(window)} AS t1
        FROM evidence e SEMI JOIN {tie_view} USING (behaviour, account_a, account_b)
        JOIN {member_view} g ON g.account_id = e.account_a
        JOIN {member_view} h ON h.account_id = e.account_b AND h.group_index = g.group_index
        WHERE e.behaviour = ?
        GROUP BY ALL
        """, [trace])
    if not con.execute(f"SELECT count(*) FROM {tables.sessions}").fetchall()[0][0]:
        return False
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {tables.actions} AS
                    {actions_sql(TRACES[trace], scratch)}""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {tables.activity} AS
                    SELECT account_id, count(*) AS d FROM {tables.actions} a
                    WHERE NOT EXISTS (SELECT 1 FROM {member_view} m
                                      WHERE m.account_id = a.account_id)
                    GROUP BY 1""")
    con.execute(f"""DELETE FROM {tables.actions} WHERE key NOT IN
                    (SELECT key FROM {tables.sessions})""")
    return True


def _tests(con, trace: str, tables: _Tables) -> list[_Test]:
    """This trace's (group, outside account) tests worth running: the account joined at
    least ``MIN_SESSIONS`` of the group's sessions."""
    rows = con.execute(
        f"""
        WITH outside AS (SELECT account_id, d FROM {tables.activity}),
        mean AS (SELECT avg(d) AS m, count(*) AS n FROM outside),
        inside AS (  -- every outside action inside one of a group's sessions
            SELECT s.group_index, s.key, o.account_id
            FROM {tables.sessions} s JOIN {tables.actions} a USING (key)
            JOIN outside o USING (account_id)
            WHERE a.t BETWEEN s.t0 AND s.t1
        ), joined AS (SELECT DISTINCT group_index, key, account_id FROM inside),
        share AS (
            SELECT s.group_index, s.key,
                   count(j.account_id)::DOUBLE / any_value(mean.n) AS q
            FROM {tables.sessions} s LEFT JOIN joined j USING (group_index, key), mean
            GROUP BY ALL
        ), per_group AS (
            SELECT group_index, count(*) AS sessions, sum(q) AS total_q FROM share
            GROUP BY 1
        ), spent AS (  -- each account's actions inside the group's sessions
            SELECT group_index, account_id, count(*) AS a FROM inside GROUP BY ALL
        ), rest AS (  -- the mean activity outside the group's sessions
            SELECT group_index, any_value(mean.m) - sum(a) / any_value(mean.n) AS m_rest
            FROM spent, mean GROUP BY 1
        ), counted AS (
            SELECT group_index, account_id, count(*) AS c FROM joined
            GROUP BY ALL HAVING count(*) >= {MIN_SESSIONS}
        ), tested AS (
            SELECT c.group_index, c.account_id, c.c, g.sessions, g.total_q,
                   CASE WHEN r.m_rest > 0
                        THEN greatest(o.d - sp.a, r.m_rest) / r.m_rest ELSE 1.0 END AS r
            FROM counted c JOIN per_group g USING (group_index)
            JOIN spent sp USING (group_index, account_id) JOIN rest r USING (group_index)
            JOIN outside o USING (account_id)
        ), exact AS (  -- each session's chance, where the sessions are few
            SELECT t.group_index, t.account_id,
                   list(least(1.0, s.q * t.r) ORDER BY s.key) AS chances
            FROM tested t JOIN share s USING (group_index)
            WHERE t.sessions <= {EXACT_SESSIONS}
            GROUP BY ALL
        )
        SELECT t.group_index, t.account_id, t.c, least(t.sessions, t.r * t.total_q),
               e.chances
        FROM tested t LEFT JOIN exact e USING (group_index, account_id)
        ORDER BY t.group_index, t.account_id
        """).fetchall()
    return [_Test(int(g), account, trace, tables, int(c), float(mean),
                  None if chances is None else np.asarray(chances, dtype=np.float64))
            for g, account, c, mean, chances in rows]


def _hypotheses(con, tables: _Tables) -> int:
    """Outside accounts active in the trace, times the groups with enough sessions in it
    for a test (with fewer than ``MIN_SESSIONS`` no account can be tested)."""
    return int(con.execute(
        f"""SELECT (SELECT count(*) FROM {tables.activity})
                   * (SELECT count(*) FROM (SELECT group_index FROM {tables.sessions}
                                           GROUP BY 1 HAVING count(*) >= {MIN_SESSIONS}))"""
    ).fetchall()[0][0])


def _attach(con, tests: list[_Test], result: SessionAttachment, fdr: float,
            member_view: str, evidence_table: str) -> None:
    """BH over all hypotheses; each significant account joins its most significant
    group, tied to the nearest member in each session it joined."""
    p = np.array([t.p_value for t in tests])
    q = benjamini_hochberg(p, result.hypotheses)
    best: dict[str, tuple[float, int, float, _Test]] = {}
    for test, p_value, q_value in zip(tests, p, q, strict=True):
        if q_value > fdr:
            continue
        rank = (float(q_value), test.group_index)
        if test.account not in best or rank < best[test.account][:2]:
            best[test.account] = (*rank, float(p_value), test)
    for account, (q_value, index, p_value, test) in sorted(best.items()):
        result.joined.setdefault(index, []).append(account)
        result.edges += _ties(con, test, p_value, q_value, member_view, evidence_table)


def _ties(con, test: _Test, p_value: float, q_value: float, member_view: str,
          evidence_table: str) -> list[Edge]:
    """The attached account's ties: in each session it joined, to the member whose
    action was nearest in time (one edge per member, spanning at most the longest of
    those sessions); their evidence is appended to ``evidence_table``."""
    tables = test.tables
    rows = con.execute(
        f"""
        WITH mine AS (
            SELECT s.key, s.t0, s.t1, a.t, a.post_id FROM {tables.sessions} s
            JOIN {tables.actions} a USING (key)
            WHERE s.group_index = $1 AND a.account_id = $2 AND a.t BETWEEN s.t0 AND s.t1
        )
        SELECT mine.key, mine.post_id, mine.t, b.account_id AS member,
               b.post_id AS member_post, b.t AS member_t, mine.t1 - mine.t0 AS span
        FROM mine JOIN {tables.actions} b USING (key)
        JOIN {member_view} g ON g.account_id = b.account_id AND g.group_index = $1
        WHERE b.t BETWEEN mine.t0 AND mine.t1
        QUALIFY row_number() OVER (PARTITION BY mine.key ORDER BY abs(b.t - mine.t),
                                   b.account_id, b.post_id, mine.post_id) = 1
        ORDER BY member, mine.key
        """, [test.group_index, test.account]).fetchall()
    if not rows:
        return []
    con.executemany(
        f"""INSERT INTO {evidence_table}
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
            WHERE NOT EXISTS (SELECT 1 FROM {evidence_table} e
                              WHERE e.behaviour = $1 AND e.account_a = $2
                                AND e.account_b = $3 AND e.key = $4)""",
        [(test.trace, *_ordered(test.account, post, t, member, member_post, member_t, key))
         for key, post, t, member, member_post, member_t, _ in rows])
    spans: dict[str, float] = {}
    for *_, member, _, _, span in rows:
        spans[member] = max(spans.get(member, 0.0), span)
    # each tie as its evidence shows it (with the co-actions the pair tests kept, if any)
    with arrow_view(con, {"account_a": [min(test.account, m) for m in sorted(spans)],
                          "account_b": [max(test.account, m) for m in sorted(spans)]}) as ties:
        stats = con.execute(
            f"""
            SELECT e.account_a, e.account_b, count(DISTINCT e.key), min(e.dt_s),
                   median(e.dt_s), least(min(e.time_a), min(e.time_b)),
                   greatest(max(e.time_a), max(e.time_b)),
                   list(DISTINCT e.key ORDER BY e.key)[1:{EXAMPLE_KEYS}]
            FROM {evidence_table} e SEMI JOIN {ties} USING (account_a, account_b)
            WHERE e.behaviour = ?
            GROUP BY ALL ORDER BY ALL
            """, [test.trace]).fetchall()
    return [Edge(a, b, test.trace, int(keys), float(keys), p_value, q_value, float(low),
                 float(mid), float(first), float(last), tuple(examples),
                 int(spans[b if a == test.account else a]))
            for a, b, keys, low, mid, first, last, examples in stats]


def _ordered(account: str, post: str, t: float, member: str, member_post: str,
             member_t: float, key: str) -> tuple:
    """An evidence row's columns after the behaviour, ``account_a < account_b``."""
    if account < member:
        return (account, member, key, post, member_post, t, member_t, abs(t - member_t))
    return (member, account, key, member_post, post, member_t, t, abs(t - member_t))
