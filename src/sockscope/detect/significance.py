"""Significance: a null model per trace, Poisson p-values per pair, Benjamini-Hochberg.

Null model. Each account keeps its number of actions, each key keeps its
popularity n_k and its own timing; which key an action touches is random,
proportional to popularity. The chance that a random action of A and one of B land on
the same key k *within the window* is (n_k / T)^2 f_k, where T is the trace's number of
actions and f_k the observed share of the key's action pairs that fall within W. So
the expected number of keys A and B share within W is

    lambda_AB = d_A d_B sum_k (n_k / T)^2 f_k.

Taking part in a popular event is not proportional to activity: a rarely active
account joins a viral cascade about as readily as anyone. So the chance that A
touches key k is the larger of the activity-proportional d_A n_k / T and the uniform
n_k / N (N accounts active in the trace); as T / N is the mean activity, this is
d_A replaced by max(d_A, mean d) in the formula above.

Heavy accounts spend their actions differently from light ones: each joins a viral
cascade once, whatever its activity, so the more active an account, the smaller its
share of actions on crowd keys and the larger its share on the obscure ones. An
account's expected actions in a popularity stratum are therefore
max(d * curve share, mean d * population share). The curve share is read, at the
account's activity (log2 of its number of posts), off a curve through the median
shares of the octaves of activity that hold enough accounts (linear between them),
where it exceeds the population's share. The heaviest accounts are too few for a
median of their own: beyond the last measured octave the curve goes on along the
Theil-Sen slope of the last three (the median of the slopes between them), as far as
the accounts it was measured on reach (``docs/method.md`` §3 says why not classes or
one line). Medians of octaves of many accounts are a property of the
many: a team that is a minority of its octave cannot raise them and explain its own
keys away, as an account's own share would. Activity is all posts, not the trace's
actions (a team's own actions do not gather it in one octave), and the medians leave
out the accounts whose ties are beyond doubt under the population's shares (a first
pass).

Keys are split by popularity (log4 n_k): a key that thousands touched and one that
only a handful touched are tested separately; the pair's p-value is the smallest
stratum p-value times the number of strata tested (Bonferroni), so viral cascades
cannot drown rare-key evidence. The observed count X is Poisson(lambda) under the
null; p = P(X >= x). Keeping each key's own timing in f_k is what lets viral content
and fan communities through: people who react to the same popular post within
minutes are expected to; repeatedly acting within seconds of each other is not.

False discoveries are controlled with Benjamini-Hochberg over every (pair, trace)
hypothesis: all pairs of accounts active in the trace, not only the pairs that share
a key (those others have p = 1). Counting only co-occurring pairs, as statistically
validated networks do (Tumminello et al., PLoS ONE 2011), is anti-conservative when
key popularity is heavy-tailed: thousands of strangers who met in two viral cascades
then pass together.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import poisson, theilslopes

from sockscope.detect.coaction import PAIR_BASE, Coactions, at_scale, named_coactions
from sockscope.fdr import benjamini_hochberg
from sockscope.model.detection import Edge
from sockscope.store.database import arrow_view, table_from_arrow

# the smallest expected count used: keeps log(lambda) finite for pairs the null model
# gives (almost) no chance, which makes their p-values (rightly) tiny
LAMBDA_FLOOR = 1e-300
# a key's weight is log(N / n_k) / log(N / 2), floored: even a key that everybody
# touched adds a little, so weights stay positive and comparable across traces
KEY_WEIGHT_FLOOR = 0.01
EXAMPLE_KEYS = 3  # keys kept per edge as examples, most informative first
# fewest reference accounts in an octave of activity whose median share of a
# popularity stratum is measured: the curve's points
MIN_OCTAVE = 100
# measured octaves whose Theil-Sen slope carries the curve beyond the last of them
TAIL_POINTS = 3
# activity classes per octave: each class takes the curve's share at its middle
CLASSES_PER_OCTAVE = 4

PAIR_TESTS_SCHEMA = pa.schema([("behaviour", pa.string()), ("account_a", pa.string()),
                               ("account_b", pa.string()), ("p_value", pa.float64()),
                               ("scale", pa.int32())])


def poisson_survival(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X >= observed) for X ~ Poisson(expected), elementwise."""
    return poisson.sf(np.asarray(observed, dtype=np.float64) - 1,
                      np.maximum(np.asarray(expected, dtype=np.float64), LAMBDA_FLOOR))


def poisson_tests(observed: np.ndarray, expected: np.ndarray,
                  hypotheses: int) -> tuple[np.ndarray, np.ndarray]:
    """p-values of Poisson count tests and their BH q-values over ``hypotheses``."""
    p = poisson_survival(observed, expected)
    return p, benjamini_hochberg(p, hypotheses)


def pair_tests(con: duckdb.DuckDBPyConnection, coactions: Coactions, min_shared: int,
               fdr: float = 1.0) -> pa.Table:
    """This trace's per-pair p-values (``PAIR_TESTS_SCHEMA``), for pairs that can pass.

    A pair is tested in every (time scale, popularity stratum) where it shares a key;
    its p-value is the smallest one times the number tested (Bonferroni), and ``scale``
    says where it was reached. Only pairs that could pass the FDR threshold are kept:
    a p-value is at least the Poisson probability of the observed count itself,
    P(X = x), so a test whose P(X = x) exceeds ``fdr`` can never make its pair
    significant and is dropped in SQL (the Bonferroni count is taken before). BH
    decisions are exact.
    """
    rows = _hopeful_tests(con, coactions, min_shared, fdr)
    if len(rows["shared"]) == 0:
        return PAIR_TESTS_SCHEMA.empty_table()
    p = poisson_survival(rows["shared"], rows["lam"])
    pairs = rows["pair"].astype(np.int64)
    boundaries = np.flatnonzero(pairs[1:] != pairs[:-1]) + 1
    starts = np.concatenate([[0], boundaries])
    pair = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(p))))
    # per pair, the row with the smallest p (ties: the first scale, then stratum)
    order = np.lexsort((np.arange(len(p)), p, pair))
    best = order[np.concatenate([[0], np.flatnonzero(np.diff(pair[order])) + 1])]
    tested = rows["tested"].astype(np.float64)[starts]
    names = con.sql("SELECT account_id FROM account_codes ORDER BY code"
                    ).to_arrow_table()["account_id"].cast(pa.string())
    return pa.table({"behaviour": pa.array([coactions.trace] * len(starts), pa.string()),
                     "account_a": names.take(pairs[starts] // PAIR_BASE),
                     "account_b": names.take(pairs[starts] % PAIR_BASE),
                     "p_value": np.minimum(p[best] * tested, 1.0),
                     "scale": pa.array(rows["scale"][best], pa.int32())},
                    schema=PAIR_TESTS_SCHEMA)


def _stratum_masses(con: duckdb.DuckDBPyConnection, keys: str, total: int) -> None:
    """Table ``stratum_mass``: per scale and popularity stratum, sum_k (n_k / T)^2 f_k,
    where T (``total``) is the trace's number of actions and f_k the share of the key's
    pairs the enumeration can find at that scale."""
    # sums in NumPy over sorted rows: the same input gives the same bits on every run
    # (DuckDB's parallel float aggregation does not guarantee the summation order)
    counts = con.execute(
        f"SELECT scale, stratum, n, n_null, within_pairs FROM {keys} WHERE n > 1 "
        "ORDER BY scale, kid").fetchnumpy()
    n = counts["n"].astype(np.float64)
    expected = counts["n_null"].astype(np.float64)  # n, or a clock bin's family average
    share = ((expected / total) ** 2
             * (counts["within_pairs"].astype(np.float64) / (n * (n - 1) / 2)))
    cells = counts["scale"].astype(np.int64) * 64 + counts["stratum"].astype(np.int64)
    masses = {int(c): float(np.sum(share[cells == c])) for c in np.unique(cells)}
    table_from_arrow(con, "stratum_mass", {
        "scale": pa.array([c // 64 for c in masses], pa.int32()),
        "stratum": pa.array([c % 64 for c in masses], pa.int32()),
        "mass": pa.array(list(masses.values()), pa.float64())})


def activity_classes(posts: np.ndarray) -> np.ndarray:
    """Each account's activity class: a quarter of an octave of its number of posts,
    floor(4 log2 posts)."""
    return np.floor(CLASSES_PER_OCTAVE * np.log2(np.maximum(posts, 1))).astype(np.int64)


@dataclass(frozen=True)
class ShareCurve:
    """Measured points (``xs`` log2 posts, ``ys`` shares), the ``tail`` slope beyond
    them and the ``highest`` log2 posts it may be read at."""

    xs: np.ndarray
    ys: np.ndarray
    tail: float
    highest: float

    def at(self, level: float) -> float:
        """The share at ``level`` (log2 posts), clipped to [0, 1]. (``highest`` is never
        below the last point: each point is a median of reference accounts.)"""
        level = min(level, self.highest)
        last = float(self.xs[-1])
        if level <= last:
            value = float(np.interp(level, self.xs, self.ys))
        else:
            value = float(self.ys[-1]) + self.tail * (level - last)
        return min(max(value, 0.0), 1.0)


def share_curve(posts: np.ndarray, share: np.ndarray, reference: np.ndarray,
                min_octave: int = MIN_OCTAVE) -> ShareCurve | None:
    """A cell's share as a function of log2 posts, measured on the ``reference``
    accounts: the median share of each octave of activity that holds at least
    ``min_octave`` of them (x: their median log2 posts), joined by straight lines, flat
    below the first, and beyond the last along the Theil-Sen slope of the last
    ``TAIL_POINTS``, no further than the heaviest reference account. None when no
    octave holds enough accounts."""
    level = np.log2(np.maximum(posts, 1))
    octave = np.floor(level).astype(np.int64)
    xs, ys = [], []
    for number in np.unique(octave[reference]):
        mine = reference & (octave == number)
        if np.count_nonzero(mine) >= min_octave:
            xs.append(float(np.median(level[mine])))
            ys.append(float(np.median(share[mine])))
    if not xs:
        return None
    tail = theilslopes(ys[-TAIL_POINTS:], xs[-TAIL_POINTS:])[0] if len(xs) > 1 else 0.0
    return ShareCurve(np.array(xs), np.array(ys), float(tail), float(level[reference].max()))


def class_boosts(activity: np.ndarray, posts: np.ndarray, reference: np.ndarray,
                 cell_account: np.ndarray, cell_actions: np.ndarray,
                 min_octave: int = MIN_OCTAVE) -> dict[int, float]:
    """Per activity class, how far the curve's share of actions in one (scale,
    stratum) cell (``share_curve``, read at the class's middle) exceeds the
    population's share, where it does. ``activity`` (the trace's actions), ``posts``
    and ``reference`` are per account (by index); ``cell_account`` indexes the accounts
    that acted in the cell, ``cell_actions`` their actions there."""
    share = np.zeros(len(activity), dtype=np.float64)
    share[cell_account] = cell_actions / activity[cell_account]
    population = float(np.sum(cell_actions)) / float(np.sum(activity))
    curve = share_curve(posts, share, reference, min_octave)
    if curve is None or population <= 0:
        return {}
    boosts = {}
    for cls in np.unique(activity_classes(posts)).tolist():
        expected = curve.at((cls + 0.5) / CLASSES_PER_OCTAVE)
        if expected > population:
            boosts[int(cls)] = expected / population
    return boosts


def _class_boosts(con: duckdb.DuckDBPyConnection, coactions: Coactions,
                  accounts: dict[str, np.ndarray], tied: np.ndarray) -> None:
    """Tables ``account_class`` and ``class_boost``: the factor by which the curve's
    share of a popularity stratum at an activity class exceeds the population's, where
    it does (``class_boosts``). ``accounts`` holds account (codes, sorted), d and posts.
    The curve leaves out the ``tied`` accounts (codes): a team whose ties are beyond
    doubt is not what an ordinary account of its activity does."""
    account = accounts["account"].astype(np.int64)
    activity = accounts["d"].astype(np.float64)
    posts = accounts["posts"].astype(np.float64)
    reference = ~np.isin(account, tied)
    rows: dict[str, list] = {"cls": [], "scale": [], "stratum": [], "boost": []}
    cells = con.execute(
        f"SELECT scale, stratum, account, d FROM {coactions.stratum_activity} "
        "ORDER BY scale, stratum, account").fetchnumpy()
    cell = cells["scale"].astype(np.int64) * 64 + cells["stratum"].astype(np.int64)
    where = np.searchsorted(account, cells["account"].astype(np.int64))
    for code in np.unique(cell):
        mine = cell == code
        boosts = class_boosts(activity, posts, reference, where[mine],
                              cells["d"][mine].astype(np.float64))
        for cls, boost in boosts.items():
            rows["cls"].append(cls)
            rows["scale"].append(int(code) // 64)
            rows["stratum"].append(int(code) % 64)
            rows["boost"].append(boost)
    _class_tables(con, account, activity_classes(posts), rows)


def _class_tables(con: duckdb.DuckDBPyConnection, account: np.ndarray,
                  classes: np.ndarray, boosts: dict[str, list]) -> None:
    """Tables ``account_class(account, cls)`` and ``class_boost(cls, scale, stratum,
    boost)``, which ``_scored_tests`` reads (no boost rows: every factor is 1)."""
    table_from_arrow(con, "account_class", {"account": pa.array(account, pa.int64()),
                                            "cls": pa.array(classes, pa.int64())})
    table_from_arrow(con, "class_boost", {
        "cls": pa.array(boosts.get("cls", []), pa.int64()),
        "scale": pa.array(boosts.get("scale", []), pa.int32()),
        "stratum": pa.array(boosts.get("stratum", []), pa.int32()),
        "boost": pa.array(boosts.get("boost", []), pa.float64())})


def _hopeful_tests(con: duckdb.DuckDBPyConnection, coactions: Coactions, min_shared: int,
                   fdr: float) -> dict[str, np.ndarray]:
    """Per pair, scale and stratum: shared keys, lambda and the number of tests the pair
    takes part in, for the tests whose P(X = x) does not already exclude significance;
    sorted by pair.

    Two passes: the first, with the population's shares, finds the accounts whose ties
    are beyond doubt (Bonferroni over the trace's pairs); the second tests every pair
    with the activity curve's shares, measured without them. Clock-bin traces take
    the first pass only: their strata are by the family's average per bin, not by what
    accounts chose."""
    keys = coactions.keys
    _stratum_masses(con, keys, coactions.actions)
    # the mean is an exact integer sum over a count, the same bits on every run
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE degree AS
        WITH mean AS (SELECT sum(d)::DOUBLE / count(*) AS m FROM {coactions.activity})
        SELECT account, d::DOUBLE AS d, m FROM {coactions.activity}, mean
        """
    )
    # a pair shares a key at most once in ``coacts`` (one action per account and key), so
    # rows count shared keys; pairs that meet fewer than min_shared times were left out
    # when the co-actions were enumerated (``build_coactions``), and ``most_shared``
    # decides per scale; ``tested`` counts the pair's (scale, stratum) tests
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE pair_strata AS
        WITH counted AS (
            SELECT c.pair, c.account_a, c.account_b, c.scale, k.stratum, count(*) AS shared
            FROM ({at_scale(coactions.coacts, coactions.scale_table)}) c
            JOIN {keys} k USING (kid, scale) GROUP BY ALL
        ), per_scale AS (
            SELECT *, sum(shared) OVER (PARTITION BY pair, scale) AS at_scale FROM counted
        ), per_pair AS (
            SELECT *, count(*) OVER (PARTITION BY pair) AS tested,
                   max(at_scale) OVER (PARTITION BY pair) AS most_shared
            FROM per_scale
        )
        SELECT pair, account_a, account_b, scale, stratum, shared, tested FROM per_pair
        WHERE most_shared >= {int(min_shared)}
        """
    )
    accounts = con.execute(
        f"""SELECT a.account, a.d, p.posts FROM {coactions.activity} a
            JOIN {coactions.account_posts} p USING (account) ORDER BY a.account"""
    ).fetchnumpy()
    # the first pass (and clock-bin traces): one class, no boost
    _class_tables(con, accounts["account"].astype(np.int64),
                  np.zeros(len(accounts["account"]), dtype=np.int64), {})
    if coactions.clock_bins:
        return _scored_tests(con, fdr)
    beyond_doubt = fdr / max(coactions.hypotheses, 1)
    sure = _scored_tests(con, beyond_doubt)
    p = poisson_survival(sure["shared"], sure["lam"]) * sure["tested"]
    pairs = sure["pair"].astype(np.int64)[p <= beyond_doubt]
    _class_boosts(con, coactions, accounts, np.union1d(pairs // PAIR_BASE, pairs % PAIR_BASE))
    return _scored_tests(con, fdr)


def _scored_tests(con: duckdb.DuckDBPyConnection, fdr: float) -> dict[str, np.ndarray]:
    """The rows of ``pair_strata`` whose P(X = x) does not exclude p <= ``fdr``, with
    lambda (``degree``, ``stratum_mass``, ``account_class``, ``class_boost``); sorted
    by pair."""
    return con.execute(
        f"""
        WITH degree_class AS (
            SELECT d.account, d.d, d.m, c.cls FROM degree d JOIN account_class c USING (account)
        ), scored AS (
            SELECT s.pair, s.scale, s.stratum, s.shared, s.tested,
                   greatest(greatest(da.d * coalesce(ba.boost, 1.0), da.m)
                            * greatest(db.d * coalesce(bb.boost, 1.0), db.m) * m.mass,
                            {LAMBDA_FLOOR}) AS lam
            FROM pair_strata s
            JOIN stratum_mass m USING (scale, stratum)
            JOIN degree_class da ON da.account = s.account_a
            JOIN degree_class db ON db.account = s.account_b
            LEFT JOIN class_boost ba
                ON ba.cls = da.cls AND ba.scale = s.scale AND ba.stratum = s.stratum
            LEFT JOIN class_boost bb
                ON bb.cls = db.cls AND bb.scale = s.scale AND bb.stratum = s.stratum
        )
        SELECT pair, scale, stratum, shared, lam, tested FROM scored
        WHERE -lam + shared * ln(lam) - lgamma(shared + 1) <= ln({float(fdr)!r})
        ORDER BY pair, scale, stratum
        """
    ).fetchnumpy()


def keep_candidates(con: duckdb.DuckDBPyConnection, coactions: Coactions, tests: pa.Table,
                    fdr: float, edges_table: str, evidence_table: str) -> None:
    """Append the statistics and evidence of the pairs that could pass the FDR threshold
    (a BH q-value is never below its p-value, so p > fdr can never be significant) to
    ``edges_table`` and ``evidence_table``, each at the scale of its p-value."""
    hopeful = tests.filter(pc.less_equal(tests["p_value"], fdr))
    keys = coactions.keys
    with arrow_view(con, hopeful) as pairs:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE hopeful_coacts AS
            WITH wanted AS (
                SELECT na.code::BIGINT * {PAIR_BASE} + nb.code AS pair, h.scale FROM {pairs} h
                JOIN account_codes na ON na.account_id = h.account_a
                JOIN account_codes nb ON nb.account_id = h.account_b
            )
            SELECT c.*, s.window_s FROM ({at_scale(coactions.coacts, coactions.scale_table)}) c
            JOIN wanted h USING (pair, scale) JOIN {coactions.scale_table} s USING (scale)
            """
        )
        at_pair_scale = named_coactions(coactions, "SELECT * FROM hopeful_coacts")
        con.execute(
            f"""
            INSERT INTO {edges_table}
            WITH n_accounts AS (SELECT {coactions.accounts}::BIGINT AS n),
            key_weight AS (
                SELECT kid, greatest(ln(n_accounts.n / k.n)
                                     / ln(greatest(n_accounts.n / 2.0, 2)),
                                     {KEY_WEIGHT_FLOOR}) AS w
                FROM {keys} k, n_accounts WHERE k.scale = 0
            ), per_key AS (
                SELECT account_a, account_b, kid, key, window_s, min(abs(dt)) AS dt,
                       min(least(time_a, time_b)) AS first_t,
                       max(greatest(time_a, time_b)) AS last_t
                FROM ({at_pair_scale}) GROUP BY ALL
            )
            SELECT h.behaviour, p.account_a, p.account_b, count(*) AS shared_keys,
                   round(list_sum(list(kw.w ORDER BY p.key)), 6) AS weight, h.p_value,
                   min(p.dt), median(p.dt),
                   min(p.first_t), max(p.last_t),
                   list(p.key ORDER BY kw.w DESC, p.key)[1:{EXAMPLE_KEYS}], p.window_s
            FROM per_key p JOIN key_weight kw USING (kid)
            JOIN {pairs} h USING (account_a, account_b)
            GROUP BY h.behaviour, p.account_a, p.account_b, h.p_value, p.window_s
            """
        )
        con.execute(
            f"""
            INSERT INTO {evidence_table}
            SELECT ?, account_a, account_b, key, post_a, post_b, time_a, time_b, abs(dt)
            FROM ({at_pair_scale})
            """,
            [coactions.trace],
        )


def select_edges(con: duckdb.DuckDBPyConnection, tests: str, candidates: str,
                 hypotheses: int, fdr: float) -> list[Edge]:
    """The candidate edges whose BH q-value over all ``hypotheses`` is at most ``fdr``."""
    rows = con.execute(f"SELECT behaviour, account_a, account_b, p_value FROM {tests} "
                       "ORDER BY behaviour, account_a, account_b").fetchnumpy()
    q = benjamini_hochberg(rows["p_value"].astype(np.float64), hypotheses)
    keep = q <= fdr
    with arrow_view(con, {"behaviour": rows["behaviour"][keep],
                          "account_a": rows["account_a"][keep],
                          "account_b": rows["account_b"][keep], "q_value": q[keep]}) as q_view:
        found = con.execute(
            f"""
            SELECT c.account_a, c.account_b, c.behaviour, c.shared_keys, c.weight, c.p_value,
                   q.q_value, c.min_dt_s, c.median_dt_s, c.first_t, c.last_t, c.example_keys,
                   c.window_s
            FROM {candidates} c JOIN {q_view} q USING (behaviour, account_a, account_b)
            WHERE c.shared_keys >= 1
            ORDER BY c.account_a, c.account_b, c.behaviour
            """
        ).fetchall()
    return [Edge(a, b, beh, int(sk), float(w), float(p), float(qv), float(mn), float(md),
                 float(ft), float(lt), tuple(keys), None if win is None else int(win))
            for a, b, beh, sk, w, p, qv, mn, md, ft, lt, keys, win in found]
