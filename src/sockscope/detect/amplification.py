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
import pyarrow as pa

from sockscope.detect.significance import poisson_tests
from sockscope.model.detection import AMPLIFICATION, Edge, Group
from sockscope.store.database import arrow_view

MIN_REPOSTS = 3  # reposts of one author before an (account, author) pair is tested
# an account amplified by at least this share of its group's other members is the
# team's own (what the operator pushes), not a target the team amplifies in passing
OPERATOR_SHARE = 0.2
AMPLIFIED = "amplified"  # the table of (account, author) repost counts this stage builds
# the (account, author) pairs among them whose test is significant: who amplifies whom
AMPLIFYING = "amplifying"


def amplification_edges(con: duckdb.DuckDBPyConnection, fdr: float) -> tuple[list[Edge], int]:
    """Significant account -> author ties as edges, and the number of hypotheses.

    Builds the tables ``amplified`` (reposts per account and author), which
    ``attach_to_groups`` reads, and ``amplifying`` (the significant (account, author)
    pairs, in that direction), which ``amplified_only`` reads."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {AMPLIFYING} (account_id VARCHAR, "
                "author VARCHAR)")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {AMPLIFIED} AS
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
        f"SELECT sum(c), count(DISTINCT account_id), count(DISTINCT author) FROM {AMPLIFIED}"
    ).fetchall()[0]  # integer sums: exact
    total, reposters, authors = (int(x or 0) for x in totals)
    if total == 0:
        return [], 0
    rows = con.execute(
        f"""
        WITH degree AS (SELECT account_id, sum(c) AS d FROM {AMPLIFIED} GROUP BY 1),
             mean AS (SELECT avg(d) AS m FROM degree),
             reach AS (SELECT author, sum(c) AS r FROM {AMPLIFIED} GROUP BY 1)
        SELECT a.account_id, a.author, a.c, greatest(d.d, mean.m) * reach.r / {total} AS lam,
               a.first_t, a.last_t, a.example_keys
        FROM {AMPLIFIED} a JOIN degree d USING (account_id) JOIN reach USING (author), mean
        WHERE a.c >= {MIN_REPOSTS}
        ORDER BY a.account_id, a.author
        """
    ).fetchall()
    hypotheses = reposters * authors
    if not rows:
        return [], hypotheses
    p, q = poisson_tests(np.array([r[2] for r in rows]), np.array([r[3] for r in rows]),
                         hypotheses)
    significant = [(row, p_value, q_value) for row, p_value, q_value
                   in zip(rows, p, q, strict=True) if q_value <= fdr]
    edges = [_edge(account, author, count, p_value, q_value, first_t, last_t, keys)
             for (account, author, count, _lam, first_t, last_t, keys), p_value, q_value
             in significant]
    with arrow_view(con, {"account_id": pa.array([r[0] for r, _, _ in significant], pa.string()),
                          "author": pa.array([r[1] for r, _, _ in significant], pa.string())}
                    ) as pairs:
        con.execute(f"INSERT INTO {AMPLIFYING} SELECT account_id, author FROM {pairs}")
    return edges, hypotheses


def _edge(account: str, author: str, reposts: int, p_value: float, q_value: float,
          first_t: float, last_t: float, example_keys: list[str] | tuple[str, ...] = ()
          ) -> Edge:
    a, b = sorted((account, author))
    return Edge(a, b, AMPLIFICATION, int(reposts), float(reposts), float(p_value),
                float(q_value), 0.0, 0.0, float(first_t), float(last_t), tuple(example_keys))


def attach_to_groups(con: duckdb.DuckDBPyConnection, groups: list[Group], fdr: float,
                     min_reposts: int = MIN_REPOSTS
                     ) -> tuple[list[Edge], dict[int, list[str]], int]:
    """Attach outside accounts that amplify a group's own posts far beyond chance.

    A slow-drip team is found by its core (members tied to the accounts they push);
    the rest of the team reposts posts written by several core members, a few each.
    For account x and group G: c = x's reposts of posts authored by G's members,
    lambda = max(d_x, mean d) * R_G / T (R_G: all reposts of G-authored posts), and
    c ~ Poisson(lambda); Benjamini-Hochberg over every (reposting account, group).
    Returns the new edges (x to the member it reposted most), the accounts to add per
    group (by position in ``groups``), and the number of hypotheses. Reads the table
    ``amplified`` of ``amplification_edges``.
    """
    if not groups:
        return [], {}, 0
    with arrow_view(con, {
        "group_index": [i for i, g in enumerate(groups) for _ in g.members],
        "account_id": [m for g in groups for m in g.members],
    }) as members:
        rows = con.execute(
            f"""
            WITH reposts AS (SELECT account_id, author, c, first_t, last_t FROM {AMPLIFIED}),
            degree AS (SELECT account_id, sum(c) AS d FROM reposts GROUP BY 1),
            mean AS (SELECT avg(d) AS m, sum(d) AS total FROM degree),
            reach AS (
                SELECT g.group_index, sum(r.c) AS r FROM reposts r
                JOIN {members} g ON g.account_id = r.author GROUP BY 1
            ), attached AS (
                SELECT g.group_index, r.account_id, sum(r.c) AS c,
                       first(r.author ORDER BY r.c DESC, r.author) AS top_author,
                       min(r.first_t) AS first_t, max(r.last_t) AS last_t
                FROM reposts r JOIN {members} g ON g.account_id = r.author
                WHERE NOT EXISTS (SELECT 1 FROM {members} m
                                  WHERE m.account_id = r.account_id)
                GROUP BY ALL
            )
            SELECT a.group_index, a.account_id, a.c,
                   greatest(d.d, mean.m) * reach.r / mean.total,
                   a.top_author, a.first_t, a.last_t
            FROM attached a JOIN degree d USING (account_id) JOIN reach USING (group_index), mean
            WHERE a.c >= ?
            ORDER BY a.group_index, a.account_id
            """,
            [min_reposts],
        ).fetchall()
    reposters = con.execute(
        "SELECT count(DISTINCT account_id) FROM posts WHERE kind = 'repost'").fetchall()[0][0]
    hypotheses = int(reposters) * len(groups)
    if not rows:
        return [], {}, hypotheses
    p, q = poisson_tests(np.array([r[2] for r in rows]), np.array([r[3] for r in rows]),
                         hypotheses)
    # an account amplifying several groups joins the one it is most significantly tied to
    best: dict[str, tuple[float, int, Edge]] = {}
    for (group_index, account, count, _lam, author, first_t, last_t), p_value, q_value in zip(
            rows, p, q, strict=True):
        if q_value > fdr:
            continue
        edge = _edge(account, author, count, p_value, q_value, first_t, last_t)
        if account not in best or (q_value, group_index) < best[account][:2]:
            best[account] = (float(q_value), int(group_index), edge)
    joined: dict[int, list[str]] = {}
    for account, (_, group_index, _) in sorted(best.items()):
        joined.setdefault(group_index, []).append(account)
    edges = [edge for _, (_, _, edge) in sorted(best.items())]
    return edges, joined, hypotheses


def amplification_evidence(con: duckdb.DuckDBPyConnection, edges: list[Edge],
                           evidence_table: str) -> None:
    """Append the reposts behind amplification edges to ``evidence_table``: the key is the
    reposted post; one post of each pair is the repost, the other the original (its time
    is empty when the original is not in the data)."""
    pairs = [(e.account_a, e.account_b) for e in edges if e.behaviour == AMPLIFICATION]
    if not pairs:
        return
    with arrow_view(con, {"account_a": [a for a, _ in pairs],
                          "account_b": [b for _, b in pairs]}) as tied:
        con.execute(
            f"""
            INSERT INTO {evidence_table}
            WITH reposts AS (
                SELECT r.account_id, r.repost_of_account AS author, r.repost_of_post AS key,
                       r.post_id AS repost, epoch(r.created_at) AS t_repost,
                       epoch(o.created_at) AS t_original
                FROM posts r LEFT JOIN posts o ON o.post_id = r.repost_of_post
                WHERE r.kind = 'repost' AND r.repost_of_account IS NOT NULL
            )
            SELECT '{AMPLIFICATION}', t.account_a, t.account_b, r.key,
                   CASE WHEN r.account_id = t.account_a THEN r.repost ELSE r.key END,
                   CASE WHEN r.account_id = t.account_a THEN r.key ELSE r.repost END,
                   CASE WHEN r.account_id = t.account_a THEN r.t_repost ELSE r.t_original END,
                   CASE WHEN r.account_id = t.account_a THEN r.t_original ELSE r.t_repost END,
                   abs(r.t_repost - r.t_original)
            FROM {tied} t JOIN reposts r
              ON (r.account_id = t.account_a AND r.author = t.account_b)
              OR (r.account_id = t.account_b AND r.author = t.account_a)
            """
        )


def amplified_only(con: duckdb.DuckDBPyConnection, members: list[str],
                   edges: list[Edge]) -> list[str]:
    """The members of a group that the group only amplifies: every tie they have inside
    it is an amplification edge on which they are the author, never the amplifier (their
    own reposts of that partner, if any, are not beyond chance: a person reposting
    now and then a troll who poses in their community is what the troll is for).

    Troll teams amplify real people of the community they target (Linvill & Warren's
    Left/Right Trolls); those people are the operation's targets, not its members, and
    a tie made of the team's reposts of them says nothing about what they do. The
    operator's own account is amplified too, but by a good part of the team (everyone
    reposts what it posts): an account amplified by at least ``OPERATOR_SHARE`` of the
    other members stays. Unless the team amplifies a community: an operation runs
    many accounts to push a few of its own, while a team that blends into a community
    amplifies many of its people. When the accounts a group only amplifies, inside it
    or out, are at least as many as the members that act with it, they are a
    community, and none of them is kept. Reads the table ``amplifying`` of
    ``amplification_edges``."""
    inside = set(members)
    ties: dict[str, list[Edge]] = {}  # every account tied to a member: its ties to members
    for e in edges:
        for one, other in ((e.account_a, e.account_b), (e.account_b, e.account_a)):
            if other in inside and one != other:
                ties.setdefault(one, []).append(e)
    hopeful = {m: es for m, es in ties.items()
               if all(e.behaviour == AMPLIFICATION for e in es)}
    if not any(m in inside for m in hopeful):
        return []
    with arrow_view(con, {"account_id": members}) as group:
        directed = set(con.execute(
            f"""SELECT a.account_id, a.author FROM {AMPLIFYING} a
                WHERE (a.account_id IN (SELECT account_id FROM {group})
                       OR a.author IN (SELECT account_id FROM {group}))
            """).fetchall())

    def partner(m: str, e: Edge) -> str:
        return e.account_b if e.account_a == m else e.account_a

    only_amplified = {m: es for m, es in hopeful.items()
                      if all((m, partner(m, e)) not in directed for e in es)}
    acting = len(members) - sum(1 for m in only_amplified if m in inside)
    community = len(only_amplified) >= acting
    return sorted(m for m, es in only_amplified.items() if m in inside
                  and (community or len(es) < OPERATOR_SHARE * (len(members) - 1)))
