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

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import poisson

from sockscope.detect.coaction import Coactions
from sockscope.detect.model import Edge
from sockscope.store.database import arrow_view, table_from_arrow

# the smallest expected count used: keeps log(lambda) finite for pairs the null model
# gives (almost) no chance, which makes their p-values (rightly) tiny
LAMBDA_FLOOR = 1e-300
# a key's weight is log(N / n_k) / log(N / 2), floored: even a key that everybody
# touched adds a little, so weights stay positive and comparable across traces
KEY_WEIGHT_FLOOR = 0.01
EXAMPLE_KEYS = 3  # keys kept per edge as examples, most informative first

PAIR_TESTS_SCHEMA = pa.schema([("behaviour", pa.string()), ("account_a", pa.string()),
                               ("account_b", pa.string()), ("p_value", pa.float64())])


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

    Only pairs that could pass the FDR threshold are kept: a p-value is at least the
    Poisson probability of the observed count itself, P(X = x), so a stratum whose
    P(X = x) exceeds ``fdr`` can never make its pair significant and is dropped in SQL
    (the Bonferroni count of strata tested is taken before). BH decisions are exact.
    """
    rows = _hopeful_strata(con, coactions, min_shared, fdr)
    if len(rows["shared"]) == 0:
        return PAIR_TESTS_SCHEMA.empty_table()
    p = poisson_survival(rows["shared"], rows["lam"])
    a, b = rows["account_a"], rows["account_b"]
    boundaries = np.flatnonzero((a[1:] != a[:-1]) | (b[1:] != b[:-1])) + 1
    starts = np.concatenate([[0], boundaries])
    best = np.minimum.reduceat(p, starts)
    tested = rows["strata_tested"].astype(np.float64)[starts]
    return pa.table({"behaviour": pa.array([coactions.trace] * len(starts), pa.string()),
                     "account_a": pa.array(a[starts], pa.string()),
                     "account_b": pa.array(b[starts], pa.string()),
                     "p_value": np.minimum(best * tested, 1.0)}, schema=PAIR_TESTS_SCHEMA)


def _stratum_masses(con: duckdb.DuckDBPyConnection, keys: str) -> None:
    """Table ``stratum_mass``: per popularity stratum, sum_k (n_k / T)^2 f_k."""
    # sums in NumPy over sorted rows: the same input gives the same bits on every run
    # (DuckDB's parallel float aggregation does not guarantee the summation order)
    counts = con.execute(
        f"SELECT stratum, n, within_pairs FROM {keys} WHERE n > 1 ORDER BY key").fetchnumpy()
    n = counts["n"].astype(np.float64)
    total = float(con.execute(f"SELECT sum(n) FROM {keys}").fetchall()[0][0] or 0)
    share = (n / total) ** 2 * (counts["within_pairs"].astype(np.float64) / (n * (n - 1) / 2))
    strata = counts["stratum"].astype(np.int64)
    masses = {int(s_): float(np.sum(share[strata == s_])) for s_ in np.unique(strata)}
    table_from_arrow(con, "stratum_mass", {
        "stratum": pa.array(list(masses), pa.int32()),
        "mass": pa.array(list(masses.values()), pa.float64())})


def _hopeful_strata(con: duckdb.DuckDBPyConnection, coactions: Coactions, min_shared: int,
                    fdr: float) -> dict[str, np.ndarray]:
    """Per pair and stratum: shared keys, lambda and strata tested, for the strata whose
    P(X = x) does not already exclude significance; sorted by pair."""
    keys, acts, coacts = coactions.keys, coactions.acts, coactions.coacts
    _stratum_masses(con, keys)
    # the mean is an exact integer sum over a count, the same bits on every run
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE degree AS
        WITH raw AS (SELECT account_id, count(*) AS d FROM {acts} GROUP BY ALL),
             mean AS (SELECT sum(d)::DOUBLE / count(*) AS m FROM raw)
        SELECT account_id, greatest(d, m) AS d FROM raw, mean
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE pair_strata AS
        SELECT c.account_a, c.account_b, k.stratum, count(DISTINCT c.key) AS shared
        FROM {coacts} c JOIN {keys} k USING (key) GROUP BY ALL
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE pair_lambda AS
        WITH pairs AS (
            SELECT account_a, account_b FROM pair_strata GROUP BY ALL
            HAVING sum(shared) >= {int(min_shared)}
        )
        SELECT p.account_a, p.account_b, m.stratum, da.d * db.d * m.mass AS lam
        FROM pairs p
        JOIN degree da ON da.account_id = p.account_a
        JOIN degree db ON db.account_id = p.account_b
        CROSS JOIN stratum_mass m
        """
    )
    return con.execute(
        f"""
        WITH scored AS (
            SELECT s.account_a, s.account_b, s.stratum, s.shared,
                   greatest(coalesce(l.lam, 0), {LAMBDA_FLOOR}) AS lam,
                   count(*) OVER (PARTITION BY s.account_a, s.account_b) AS strata_tested
            FROM pair_strata s
            JOIN pair_lambda l USING (account_a, account_b, stratum)
        )
        SELECT account_a, account_b, stratum, shared, lam, strata_tested FROM scored
        WHERE -lam + shared * ln(lam) - lgamma(shared + 1) <= ln({float(fdr)!r})
        ORDER BY account_a, account_b, stratum
        """
    ).fetchnumpy()


def keep_candidates(con: duckdb.DuckDBPyConnection, coactions: Coactions, tests: pa.Table,
                    fdr: float, edges_table: str, evidence_table: str) -> None:
    """Append the statistics and evidence of the pairs that could pass the FDR threshold
    (a BH q-value is never below its p-value, so p > fdr can never be significant) to
    ``edges_table`` and ``evidence_table``."""
    hopeful = tests.filter(pc.less_equal(tests["p_value"], fdr))
    keys, acts, coacts = coactions.keys, coactions.acts, coactions.coacts
    with arrow_view(con, hopeful) as pairs:
        con.execute(
            f"""
            INSERT INTO {edges_table}
            WITH n_accounts AS (SELECT count(DISTINCT account_id) AS n FROM {acts}),
            key_weight AS (
                SELECT key, greatest(ln(n_accounts.n / k.n)
                                     / ln(greatest(n_accounts.n / 2.0, 2)),
                                     {KEY_WEIGHT_FLOOR}) AS w
                FROM {keys} k, n_accounts
            ), per_key AS (
                SELECT c.account_a, c.account_b, c.key, min(abs(c.dt)) AS dt,
                       min(least(c.time_a, c.time_b)) AS first_t,
                       max(greatest(c.time_a, c.time_b)) AS last_t
                FROM {coacts} c SEMI JOIN {pairs} h USING (account_a, account_b)
                GROUP BY ALL
            )
            SELECT h.behaviour, p.account_a, p.account_b, count(*) AS shared_keys,
                   round(list_sum(list(kw.w ORDER BY p.key)), 6) AS weight, h.p_value,
                   min(p.dt), median(p.dt),
                   min(p.first_t), max(p.last_t),
                   list(p.key ORDER BY kw.w DESC, p.key)[1:{EXAMPLE_KEYS}]
            FROM per_key p JOIN key_weight kw USING (key)
            JOIN {pairs} h USING (account_a, account_b)
            GROUP BY h.behaviour, p.account_a, p.account_b, h.p_value
            """
        )
        con.execute(
            f"""
            INSERT INTO {evidence_table}
            SELECT ?, account_a, account_b, key, post_a, post_b, time_a, time_b, abs(dt)
            FROM {coacts} SEMI JOIN {pairs} USING (account_a, account_b)
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
                   q.q_value, c.min_dt_s, c.median_dt_s, c.first_t, c.last_t, c.example_keys
            FROM {candidates} c JOIN {q_view} q USING (behaviour, account_a, account_b)
            WHERE c.shared_keys >= 1
            ORDER BY c.account_a, c.account_b, c.behaviour
            """
        ).fetchall()
    return [Edge(a, b, beh, int(sk), float(w), float(p), float(qv), float(mn), float(md),
                 float(ft), float(lt), tuple(keys))
            for a, b, beh, sk, w, p, qv, mn, md, ft, lt, keys in found]


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
