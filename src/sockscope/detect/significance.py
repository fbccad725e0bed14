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
from scipy.stats import poisson


def pair_tests(con: duckdb.DuckDBPyConnection, trace_name: str, min_shared: int,
               fdr: float = 1.0) -> None:
    """Append this trace's per-pair p-values to the temp table ``pair_tests``.

    Only pairs that could pass the FDR threshold are kept: a p-value is at least the
    Poisson probability of the observed count itself, P(X = x), so a stratum whose
    P(X = x) exceeds ``fdr`` can never make its pair significant and is dropped in SQL
    (the Bonferroni count of strata tested is taken before). BH decisions are exact.
    """
    # sums in NumPy over sorted rows: the same input gives the same bits on every run
    # (DuckDB's parallel float aggregation does not guarantee the summation order)
    keys = con.execute(
        "SELECT stratum, n, within_pairs FROM keys WHERE n > 1 ORDER BY key").fetchnumpy()
    n = keys["n"].astype(np.float64)
    total = float(con.execute("SELECT sum(n) FROM keys").fetchall()[0][0] or 0)
    share = (n / total) ** 2 * (keys["within_pairs"].astype(np.float64) / (n * (n - 1) / 2))
    strata = keys["stratum"].astype(np.int64)
    masses = {int(s_): float(np.sum(share[strata == s_])) for s_ in np.unique(strata)}
    con.register("stratum_mass_arrow", pa.table({
        "stratum": pa.array(list(masses), pa.int32()),
        "mass": pa.array(list(masses.values()), pa.float64())}))
    con.execute("CREATE OR REPLACE TEMP TABLE stratum_mass AS SELECT * FROM stratum_mass_arrow")
    con.unregister("stratum_mass_arrow")
    # the mean is an exact integer sum over a count, the same bits on every run
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE degree AS
        WITH raw AS (SELECT account_id, count(*) AS d FROM acts GROUP BY ALL),
             mean AS (SELECT sum(d)::DOUBLE / count(*) AS m FROM raw)
        SELECT account_id, greatest(d, m) AS d FROM raw, mean
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE pair_strata AS
        SELECT c.account_a, c.account_b, k.stratum, count(DISTINCT c.key) AS shared
        FROM coacts c JOIN keys k USING (key) GROUP BY ALL
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
    rows = con.execute(
        f"""
        WITH scored AS (
            SELECT s.account_a, s.account_b, s.stratum, s.shared,
                   greatest(coalesce(l.lam, 0), 1e-300) AS lam,
                   count(*) OVER (PARTITION BY s.account_a, s.account_b) AS strata_tested
            FROM pair_strata s
            JOIN pair_lambda l USING (account_a, account_b, stratum)
        )
        SELECT account_a, account_b, stratum, shared, lam, strata_tested FROM scored
        WHERE -lam + shared * ln(lam) - lgamma(shared + 1) <= ln({float(fdr)!r})
        ORDER BY account_a, account_b, stratum
        """
    ).fetchnumpy()
    if len(rows["shared"]) == 0:
        return
    shared = rows["shared"].astype(np.float64)
    lam = np.maximum(rows["lam"].astype(np.float64), 1e-300)
    p = poisson.sf(shared - 1, lam)
    a, b = rows["account_a"], rows["account_b"]
    boundaries = np.flatnonzero((a[1:] != a[:-1]) | (b[1:] != b[:-1])) + 1
    starts = np.concatenate([[0], boundaries])
    best = np.minimum.reduceat(p, starts)
    tested = rows["strata_tested"].astype(np.float64)[starts]
    pair_p = np.minimum(best * tested, 1.0)
    con.register("pair_p_arrow", {"account_a": a[starts], "account_b": b[starts],
                                   "p_value": pair_p})
    con.execute(
        f"""
        INSERT INTO pair_tests
        SELECT '{trace_name}' AS behaviour, account_a, account_b, p_value FROM pair_p_arrow
        """
    )
    con.unregister("pair_p_arrow")


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
