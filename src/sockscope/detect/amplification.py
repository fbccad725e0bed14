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

from sockscope.detect.significance import poisson_survival, poisson_tests
from sockscope.fdr import benjamini_hochberg
from sockscope.model.detection import AMPLIFICATION, Edge, Group, TieTests
from sockscope.store.database import arrow_view

MIN_REPOSTS = 3  # reposts of one author before an (account, author) pair is tested
# an account amplified by at least this share of its group's other members is the
# team's own (what the operator pushes), not a target the team amplifies in passing
OPERATOR_SHARE = 0.2
# a post a group pushes: at least this share of the accounts that reposted it are members
PUSHED_SHARE = 0.5
# one row per account and post it reposted (another's), with the post's author and the
# account's first and last repost of it; built once, read by every repost count below
REPOSTED = "reposted"
AMPLIFIED = "amplified"  # the table of (account, author) repost counts this stage builds
# the (account, author) pairs among them whose test is significant: who amplifies whom
AMPLIFYING = "amplifying"


def amplification_edges(con: duckdb.DuckDBPyConnection, fdr: float
                        ) -> tuple[list[Edge], TieTests]:
    """Significant account -> author ties as edges, and the tests: one per reposter and
    author.

    Builds the tables ``reposted`` (each account's reposts of others' posts, one row
    per post), which ``pushed_authors`` and ``attach_to_groups`` read, ``amplified``
    (reposts per account and author), which ``attach_to_groups`` reads, and
    ``amplifying`` (the significant (account, author) pairs, in that direction), which
    ``amplified_only`` reads."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {AMPLIFYING} (account_id VARCHAR, "
                "author VARCHAR)")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {REPOSTED} AS
        SELECT account_id, repost_of_post AS post, repost_of_account AS author,
               min(epoch(created_at)) AS first_t, max(epoch(created_at)) AS last_t
        FROM posts
        WHERE kind = 'repost' AND repost_of_account IS NOT NULL
          AND repost_of_account <> account_id
        GROUP BY ALL
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {AMPLIFIED} AS
        SELECT account_id, author, count(*) AS c, min(first_t) AS first_t,
               max(last_t) AS last_t, list(post ORDER BY post)[1:3] AS example_keys
        FROM {REPOSTED} GROUP BY ALL
        """
    )
    totals = con.execute(
        f"SELECT sum(c), count(DISTINCT account_id), count(DISTINCT author) FROM {AMPLIFIED}"
    ).fetchall()[0]  # integer sums: exact
    total, reposters, authors = (int(x or 0) for x in totals)
    if total == 0:
        return [], TieTests(0, 0)
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
    tests = TieTests(hypotheses, reposters + authors)
    if not rows:
        return [], tests
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
    return edges, tests


def _edge(account: str, author: str, reposts: int, p_value: float, q_value: float,
          first_t: float, last_t: float, example_keys: list[str] | tuple[str, ...] = ()
          ) -> Edge:
    a, b = sorted((account, author))
    return Edge(a, b, AMPLIFICATION, int(reposts), float(reposts), float(p_value),
                float(q_value), 0.0, 0.0, float(first_t), float(last_t), tuple(example_keys))


def attach_to_groups(con: duckdb.DuckDBPyConnection, groups: list[Group], fdr: float,
                     min_reposts: int = MIN_REPOSTS
                     ) -> tuple[list[Edge], dict[int, list[str]], int, set[str]]:
    """Attach outside accounts that amplify a group far beyond chance, by either of two
    tests, the second run two ways (Benjamini-Hochberg over all three, every
    (reposting account, group) three times).

    A slow-drip team is found by its core (members tied to the accounts they push);
    the rest of the team reposts posts written by several core members, a few each.
    1. *The group's posts*: c = x's reposts of posts authored by G's members, lambda =
       max(d_x, mean d) * R_G / T (R_G: all reposts of G-authored posts, T: all
       reposts). It finds the team while the group holds only part of it, but it counts
       a popular member's public posts as much as the team's seeds: the caller takes
       back an account this test alone attached whose reposts of the group were the
       public's (``audience.reposting_the_public``).
    2. *What the group pushes*: its members' posts that the team reposts and the public
       hardly does, at least ``PUSHED_SHARE`` of whose reposters are members. c = x's
       reposts of them, lambda = max(d_x, mean d) * R / T, where R is how often accounts
       outside G reposted them (x's own aside) and T all reposts by accounts outside G:
       the public's rate, never the team's own. A camouflaged slow drip's heaviest
       members bury 10-20 seed reposts among hundreds of reposts of popular accounts,
       the team's own among them; test 1 weighs them all, this test the seeds alone.
       It runs twice: on all the pushed posts, and by reach, the posts split by how
       many outsiders reposted them (log4 strata, as the pair tests split keys by
       popularity), the smallest stratum p-value times the number of strata kept. A
       ring's posts that dozens of outsiders also repost drown, pooled, the seeds that
       only the team's unfound members repost; split, a few seed reposts spread over
       every reach lose what pooling gave them. Both count as hypotheses.
    Returns the new edges (x to the member it reposted most), the accounts to add per
    group (by position in ``groups``), the number of hypotheses, and the accounts
    attached by test 2. Reads the tables ``reposted`` and ``amplified`` of
    ``amplification_edges``.
    """
    if not groups:
        return [], {}, 0, set()
    with arrow_view(con, {
        "group_index": [i for i, g in enumerate(groups) for _ in g.members],
        "account_id": [m for g in groups for m in g.members],
    }) as members:
        first = con.execute(
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
        strata = con.execute(
            f"""
            WITH reposts AS (SELECT account_id, post, author, first_t AS t FROM {REPOSTED}),
            degree AS (SELECT account_id, count(*) AS d FROM reposts GROUP BY 1),
            mean AS (SELECT avg(d) AS m, sum(d) AS total FROM degree),
            outside AS (  -- reposts made by accounts outside each group
                SELECT g.group_index, any_value(mean.total) - sum(d.d) AS reposts
                FROM {members} g JOIN degree d USING (account_id), mean GROUP BY 1
            ), group_reposts AS (  -- reposts of the groups' posts; by a member or not
                SELECT g.group_index, r.post, r.account_id, r.author, r.t,
                       m.account_id IS NOT NULL AS by_member
                FROM reposts r JOIN {members} g ON g.account_id = r.author
                LEFT JOIN {members} m
                  ON m.account_id = r.account_id AND m.group_index = g.group_index
            ), reach AS (
                SELECT group_index, post, count(*) AS n,
                       count(*) FILTER (WHERE by_member) AS by_members
                FROM group_reposts GROUP BY ALL
            ), pushed AS (  -- outsiders' reposts of posts the group pushes, by reach
                SELECT r.group_index, r.account_id, r.author, r.t,
                       floor(log(4, reach.n - reach.by_members))::INTEGER AS stratum
                FROM group_reposts r JOIN reach USING (group_index, post)
                WHERE NOT r.by_member AND reach.n > 1
                  AND reach.by_members >= {PUSHED_SHARE} * (reach.n - 1)
            ), public AS (  -- outsiders' reposts of the pushed posts of each reach, all
                SELECT group_index, stratum, count(*) AS r,
                       sum(count(*)) OVER (PARTITION BY group_index) AS r_all
                FROM pushed GROUP BY group_index, stratum
            ), by_author AS (
                SELECT group_index, account_id, stratum, author, count(*) AS c,
                       min(t) AS first_t, max(t) AS last_t
                FROM pushed
                WHERE NOT EXISTS (SELECT 1 FROM {members} m
                                  WHERE m.account_id = pushed.account_id)
                GROUP BY ALL
            ), top AS (  -- the member each account reposted most, at every reach
                SELECT group_index, account_id,
                       first(author ORDER BY c DESC, author) AS top_author
                FROM (SELECT group_index, account_id, author, sum(c) AS c
                      FROM by_author GROUP BY ALL)
                GROUP BY ALL
            ), attached AS (
                SELECT group_index, account_id, stratum, sum(c) AS c,
                       sum(sum(c)) OVER (PARTITION BY group_index, account_id) AS total,
                       min(first_t) AS first_t, max(last_t) AS last_t
                FROM by_author GROUP BY group_index, account_id, stratum
            )
            SELECT a.group_index, a.account_id, a.c,
                   greatest(d.d, mean.m) * (public.r - a.c) / o.reposts,
                   t.top_author, a.first_t, a.last_t, a.total,
                   greatest(d.d, mean.m) * (public.r_all - a.total) / o.reposts
            FROM attached a JOIN top t USING (group_index, account_id)
            JOIN degree d USING (account_id)
            JOIN public USING (group_index, stratum) JOIN outside o USING (group_index), mean
            WHERE a.total >= ?
            ORDER BY a.group_index, a.account_id, a.stratum
            """,
            [min_reposts],
        ).fetchall()
    p_first = poisson_survival(np.array([r[2] for r in first]), np.array([r[3] for r in first]))
    rows = [(*row[:3], float(p_value), *row[4:], False)
            for row, p_value in zip(first, p_first, strict=True)] + _pushes_tests(strata)
    reposters = con.execute(
        "SELECT count(DISTINCT account_id) FROM posts WHERE kind = 'repost'").fetchall()[0][0]
    hypotheses = 3 * int(reposters) * len(groups)
    if not rows:
        return [], {}, hypotheses, set()
    q = benjamini_hochberg(np.array([r[3] for r in rows]), hypotheses)
    # an account amplifying several groups joins the one it is most significantly tied to
    best: dict[str, tuple[float, int, Edge]] = {}
    pushes: set[tuple[str, int]] = set()  # (account, group) significant on test 2
    for (group_index, account, count, p_value, author, first_t, last_t, pushed), q_value \
            in zip(rows, q, strict=True):
        if q_value > fdr:
            continue
        if pushed:
            pushes.add((account, int(group_index)))
        edge = _edge(account, author, count, p_value, q_value, first_t, last_t)
        if account not in best or (q_value, group_index) < best[account][:2]:
            best[account] = (float(q_value), int(group_index), edge)
    joined: dict[int, list[str]] = {}
    for account, (_, group_index, _) in sorted(best.items()):
        joined.setdefault(group_index, []).append(account)
    edges = [edge for _, (_, _, edge) in sorted(best.items())]
    by_pushes = {account for account, (_, group_index, _) in best.items()
                 if (account, group_index) in pushes}
    return edges, joined, hypotheses, by_pushes


def _pushes_tests(strata: list[tuple]) -> list[tuple]:
    """Test 2's rows from its rows per stratum of reach (ordered by group and account):
    for each (group, account), the pooled test (all the account's reposts of pushed
    posts against the public's reposts of them all) and the test by reach (the
    smallest stratum p-value times the number of strata the account reposted in,
    Bonferroni), each with its p-value, in the layout of test 1's rows. Marked True
    (test 2)."""
    if not strata:
        return []
    columns = list(zip(*strata, strict=True))
    p = poisson_survival(np.array(columns[2]), np.array(columns[3]))
    starts = [0] + [i for i in range(1, len(strata)) if strata[i][:2] != strata[i - 1][:2]]
    by_reach = np.minimum(np.minimum.reduceat(p, starts) * np.diff([*starts, len(strata)]), 1.0)
    pooled = poisson_survival(np.array(columns[7])[starts], np.array(columns[8])[starts])
    first_t = np.minimum.reduceat(np.array(columns[5]), starts)
    last_t = np.maximum.reduceat(np.array(columns[6]), starts)
    tests: list[tuple] = []
    for k, start in enumerate(starts):
        group_index, account, _, _, author, _, _, total, _ = strata[start]
        for p_value in (pooled[k], by_reach[k]):
            tests.append((group_index, account, total, float(p_value), author,
                          first_t[k].item(), last_t[k].item(), True))
    return tests


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


def pushed_authors(con: duckdb.DuckDBPyConnection,
                   groups: list[list[str]]) -> list[dict[str, int]]:
    """For each group (its members), the authors of the posts it pushes, with how many
    members reposted them: posts that two or more members reposted and whose reposters
    are at least ``PUSHED_SHARE`` members, ``MIN_REPOSTS`` of them or more per author,
    of an author whose reposts are at least ``PUSHED_SHARE`` the group's. A slow drip's
    seed account and a desk's persona are such authors, and so are the people of a
    community whose posts a batching team reposts; a popular account that members
    repost among its public is not, though a few of its many posts may have been
    reposted by members alone. Reads the table ``reposted`` of
    ``amplification_edges``."""
    with arrow_view(con, {"group_index": [i for i, g in enumerate(groups) for _ in g],
                          "account_id": [m for g in groups for m in g]}) as view:
        rows = con.execute(
            f"""
            WITH reposts AS (SELECT account_id, post, author FROM {REPOSTED}),
            by_member AS (
                SELECT g.group_index, r.post, r.author, r.account_id
                FROM reposts r JOIN {view} g USING (account_id)
            ), by_members AS (
                SELECT group_index, post, count(*) AS k FROM by_member
                GROUP BY 1, 2 HAVING count(*) >= 2
            ), reach AS (
                SELECT post, count(*) AS n FROM reposts SEMI JOIN by_members USING (post)
                GROUP BY 1
            ), pushed AS (
                SELECT b.group_index, b.post FROM by_members b JOIN reach USING (post)
                WHERE b.k >= {PUSHED_SHARE} * reach.n
            )
            , pushers AS (
                SELECT m.group_index, m.author, count(DISTINCT m.account_id) AS pushers
                FROM pushed p JOIN by_member m USING (group_index, post)
                GROUP BY 1, 2 HAVING count(DISTINCT m.post) >= {MIN_REPOSTS}
            ), by_group AS (
                SELECT group_index, author, count(*) AS k FROM by_member
                SEMI JOIN pushers USING (group_index, author) GROUP BY 1, 2
            ), audience AS (
                SELECT author, count(*) AS n FROM reposts
                WHERE author IN (SELECT author FROM pushers) GROUP BY 1
            )
            SELECT p.group_index, p.author, p.pushers
            FROM pushers p JOIN by_group g USING (group_index, author)
                 JOIN audience a USING (author)
            WHERE g.k >= {PUSHED_SHARE} * a.n
            """
        ).fetchall()
    pushed: list[dict[str, int]] = [{} for _ in groups]
    for index, author, pushers in rows:
        pushed[index][author] = int(pushers)
    return pushed


def _only_amplified(inside: set[str], ties: dict[str, list[Edge]],
                    directed: set[tuple[str, str]]) -> dict[str, list[Edge]]:
    """The accounts tied to the group (``inside``; ``ties``: each account's ties to its
    members) that its members amplify (``directed``: who amplifies whom) but that do
    not act with it, with their amplification ties. Acting is amplifying a member;
    sharing another behaviour with a member, both of them outside what the team
    amplifies; or sharing one with an account that acts, step by step. What the team
    amplifies is what its amplifiers that share another behaviour with a member
    amplify. So a tie between two accounts the team amplifies is not acting, nor one
    to an account whose only ties run to them: the people a team targets are a
    community and share news, links and hashtags among themselves (the communities
    Linvill & Warren's Left and Right Trolls posed in), which says nothing of what the
    team does. A team that a lone booster amplifies still acts: the booster shares
    nothing else with it."""
    def partner(m: str, e: Edge) -> str:
        return e.account_b if e.account_a == m else e.account_a

    others: dict[str, list[str]] = {}  # account -> accounts it shares a behaviour with
    for m, es in ties.items():
        for e in es:
            if e.behaviour != AMPLIFICATION:
                others.setdefault(m, []).append(partner(m, e))
                others.setdefault(partner(m, e), []).append(m)
    amplifiers = {m for m, es in ties.items() if any((m, partner(m, e)) in directed for e in es)}
    team = {m for m in amplifiers if m in others}
    amplified = {m for m, es in ties.items()
                 if any((partner(m, e), m) in directed for e in es)}
    by_team = {m for m in amplified if any((partner(m, e), m) in directed
                                             and partner(m, e) in team for e in ties[m])}
    acting = amplifiers | {m for m in inside - by_team
                           if any(p in inside and p not in by_team for p in others.get(m, []))}
    reached = sorted(acting)
    while reached:
        for m in others.get(reached.pop(), []):
            if m not in acting:
                acting.add(m)
                reached.append(m)
    return {m: [e for e in ties[m] if e.behaviour == AMPLIFICATION]
            for m in sorted(amplified - acting)}


def amplified_only(con: duckdb.DuckDBPyConnection, members: list[str], edges: list[Edge],
                   pushed: dict[str, int] | None = None) -> list[str]:
    """The members of a group that the group only amplifies: it amplifies them and they
    do not act with it (``_only_amplified``): their own reposts of members, if any, are
    not beyond chance (a person reposting now and then a troll who poses in their
    community is what the troll is for), and what they share with others they share
    with the people the group amplifies.

    Troll teams amplify real people of the community they target (Linvill & Warren's
    Left/Right Trolls); those people are the operation's targets, not its members, and
    a tie made of the team's reposts of them says nothing about what they do. The
    operator's own account is amplified too, but by a good part of the team (everyone
    reposts what it posts): an account amplified by at least ``OPERATOR_SHARE`` of the
    other members stays, and so does one whose pushed posts as many members repost
    (``pushed``: ``pushed_authors``, the members who reposted them): a slow drip's
    seed account is reposted by a fifth to a third of a large team each time, too few
    reposts per member for many ties, but nearly every member reposts some of its
    posts, and hardly anyone else does. Unless the team amplifies a community: an
    operation runs many accounts to push a few of its own, while a team that blends
    into a community amplifies many of its people. When the accounts a group only
    amplifies, or that a good part of it pushes without their acting with it, inside
    it or out, are at least as many as the members that act with it, they are a
    community, and none of them is kept. Reads the table ``amplifying`` of
    ``amplification_edges``."""
    inside = set(members)
    ties: dict[str, list[Edge]] = {}  # every account tied to a member: its ties to members
    for e in edges:
        for one, other in ((e.account_a, e.account_b), (e.account_b, e.account_a)):
            if other in inside and one != other:
                ties.setdefault(one, []).append(e)
    if not any(e.behaviour == AMPLIFICATION for es in ties.values() for e in es):
        return []
    with arrow_view(con, {"account_id": members}) as group:
        directed = set(con.execute(
            f"""SELECT a.account_id, a.author FROM {AMPLIFYING} a
                WHERE (a.account_id IN (SELECT account_id FROM {group})
                       OR a.author IN (SELECT account_id FROM {group}))
            """).fetchall())
    only_amplified = _only_amplified(inside, ties, directed)
    acting = len(members) - sum(1 for m in only_amplified if m in inside)
    share = OPERATOR_SHARE * (len(members) - 1)
    # accounts outside the group that a good part of it pushes (a handful of heavy
    # members reposting the same rare post of a stranger is chance, not a push)
    pushed = pushed or {}
    passive = set(only_amplified) | {a for a, pushers in pushed.items()
                                     if a not in inside and pushers >= share}
    community = len(passive) >= acting
    return sorted(m for m, es in only_amplified.items() if m in inside
                  and (community or (len(es) < share and pushed.get(m, 0) < share)))
