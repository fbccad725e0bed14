"""Amplification: accounts that repost one author far more than chance predicts.

Some teams never act within seconds of each other (slow drip: a handful of members
repost each of the operator's posts over hours), so pairwise co-action evidence stays
thin. Their tie is to the account they amplify. For each (account, author) pair the
null model keeps the account's number of reposts d and the author's share of all
reposts R_A / T: the expected number of the author's posts the account reposts is
lambda = max(d, mean d) * R_A / T, and c ~ Poisson(lambda). Pairs with c >= 3 are
tested; Benjamini-Hochberg runs over all (reposting account, reposted author) pairs.

Significant ties become account-author edges of the fused graph. Fans are tied to
their idol too: the audience rule (``audience.py``) keeps them from being flagged,
because a celebrity's amplifiers are mostly outside any one group, while an
operator's account is amplified mostly by its own team.
"""

from __future__ import annotations

import duckdb
import numpy as np
from scipy.stats import poisson

from sockscope.detect.groups import Edge
from sockscope.detect.significance import benjamini_hochberg

NAME = "amplification"
MIN_REPOSTS = 3


def amplification_edges(con: duckdb.DuckDBPyConnection, fdr: float) -> tuple[list[Edge], int]:
    """Significant account -> author ties as edges, and the number of hypotheses."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE amplified AS
        SELECT account_id, repost_of_account AS author, count(DISTINCT repost_of_post) AS c,
               min(epoch(created_at)) AS first_t, max(epoch(created_at)) AS last_t,
               list(DISTINCT repost_of_post ORDER BY repost_of_post)[1:3] AS example_keys
        FROM posts
        WHERE kind = 'repost' AND repost_of_account IS NOT NULL
          AND repost_of_account <> account_id
        GROUP BY ALL
        """
    )
    totals = con.execute(
        "SELECT sum(c), count(DISTINCT account_id), count(DISTINCT author) FROM amplified"
    ).fetchall()[0]  # integer sums: exact
    total, reposters, authors = (int(x or 0) for x in totals)
    if total == 0:
        return [], 0
    rows = con.execute(
        f"""
        WITH degree AS (SELECT account_id, sum(c) AS d FROM amplified GROUP BY 1),
             mean AS (SELECT avg(d) AS m FROM degree),
             reach AS (SELECT author, sum(c) AS r FROM amplified GROUP BY 1)
        SELECT a.account_id, a.author, a.c, greatest(d.d, mean.m) * reach.r / {total} AS lam,
               a.first_t, a.last_t
        FROM amplified a JOIN degree d USING (account_id) JOIN reach USING (author), mean
        WHERE a.c >= {MIN_REPOSTS}
        ORDER BY a.account_id, a.author
        """
    ).fetchall()
    hypotheses = reposters * authors
    if not rows:
        return [], hypotheses
    c = np.array([r[2] for r in rows], dtype=np.float64)
    lam = np.array([r[3] for r in rows], dtype=np.float64)
    p = poisson.sf(c - 1, np.maximum(lam, 1e-300))
    q = benjamini_hochberg(p, hypotheses)
    edges = []
    for (account, author, count, _lam, first_t, last_t), p_value, q_value in zip(
            rows, p, q, strict=True):
        if q_value > fdr:
            continue
        a, b = sorted((account, author))
        edges.append(Edge(a, b, NAME, int(count), float(count), float(p_value),
                          float(q_value), 0.0, 0.0, float(first_t), float(last_t)))
    return edges, hypotheses


def attach_to_groups(con: duckdb.DuckDBPyConnection, groups: list, fdr: float,
                     min_reposts: int = MIN_REPOSTS) -> tuple[list[Edge], dict[str, str], int]:
    """Attach outside accounts that amplify a group's own posts far beyond chance.

    A slow-drip team is found by its core (members tied to the accounts they push);
    the rest of the team reposts posts written by several core members, a few each.
    For account x and group G: c = x's reposts of posts authored by G's members,
    lambda = max(d_x, mean d) * R_G / T (R_G: all reposts of G-authored posts), and
    c ~ Poisson(lambda); Benjamini-Hochberg over every (reposting account, group).
    Returns the new edges (x to the member it reposted most), x -> group id, and the
    number of hypotheses. Reads the ``amplified`` table of ``amplification_edges``.
    """
    if not groups:
        return [], {}, 0
    con.execute("CREATE OR REPLACE TEMP TABLE group_members (group_id VARCHAR, account_id VARCHAR)")
    for group in groups:
        con.executemany("INSERT INTO group_members VALUES (?, ?)",
                        [(group.group_id, m) for m in group.members])
    rows = con.execute(
        """
        WITH reposts AS (SELECT account_id, author, c, first_t, last_t FROM amplified),
        degree AS (SELECT account_id, sum(c) AS d FROM reposts GROUP BY 1),
        mean AS (SELECT avg(d) AS m, sum(d) AS total FROM degree),
        reach AS (
            SELECT g.group_id, sum(r.c) AS r FROM reposts r
            JOIN group_members g ON g.account_id = r.author GROUP BY 1
        ), attached AS (
            SELECT g.group_id, r.account_id, sum(r.c) AS c,
                   first(r.author ORDER BY r.c DESC, r.author) AS top_author,
                   min(r.first_t) AS first_t, max(r.last_t) AS last_t
            FROM reposts r JOIN group_members g ON g.account_id = r.author
            WHERE NOT EXISTS (SELECT 1 FROM group_members m
                              WHERE m.account_id = r.account_id)
            GROUP BY ALL
        )
        SELECT a.group_id, a.account_id, a.c, greatest(d.d, mean.m) * reach.r / mean.total,
               a.top_author, a.first_t, a.last_t
        FROM attached a JOIN degree d USING (account_id) JOIN reach USING (group_id), mean
        WHERE a.c >= ?
        ORDER BY a.group_id, a.account_id
        """,
        [min_reposts],
    ).fetchall()
    reposters = con.execute(
        "SELECT count(DISTINCT account_id) FROM posts WHERE kind = 'repost'").fetchall()[0][0]
    hypotheses = int(reposters) * len(groups)
    if not rows:
        return [], {}, hypotheses
    c = np.array([r[2] for r in rows], dtype=np.float64)
    lam = np.array([r[3] for r in rows], dtype=np.float64)
    p = poisson.sf(c - 1, np.maximum(lam, 1e-300))
    q = benjamini_hochberg(p, hypotheses)
    # an account amplifying several groups joins the one it is most significantly tied to
    best: dict[str, tuple[float, str, Edge]] = {}
    for (group_id, account, count, _lam, author, first_t, last_t), p_value, q_value in zip(
            rows, p, q, strict=True):
        if q_value > fdr:
            continue
        a, b = sorted((account, author))
        edge = Edge(a, b, NAME, int(count), float(count), float(p_value), float(q_value),
                    0.0, 0.0, float(first_t), float(last_t))
        if account not in best or (q_value, group_id) < best[account][:2]:
            best[account] = (float(q_value), group_id, edge)
    joined = {account: group_id for account, (_, group_id, _) in sorted(best.items())}
    edges = [edge for _, (_, _, edge) in sorted(best.items())]
    return edges, joined, hypotheses
