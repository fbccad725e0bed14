"""Shared rare targets over the whole period, and what is interaction, not sameness.

A target is what a post acts on: a page or link (canonical URL), a hashtag, an account
mentioned, a post reposted, replied to or quoted. Wikipedia's sockpuppet investigations
start from exactly this (the Editor Interaction Analyser lists the pages two accounts
both edited, with the time between their edits): a replacement account returns to its
predecessor's obscure pages. Only rare targets (touched by at most ``RARE_CAP``
accounts) are evidence; a popular page says nothing about who runs an account.

Null model (configuration model): account b places its ``d_b`` rare-target touches at
random, each target drawing touches in proportion to its popularity, so b touches a's
target k with probability about ``d_b (n_k - 1) / T`` (``n_k`` accounts on k, ``T`` the
touches of all rare targets). The expected number of shared targets is
``lambda = d_b * s_a / T`` with ``s_a = sum over a's targets of (n_k - 1)``; the larger of
the two directions is used (conservative), and the shared count is tested against
Poisson(lambda). Rare targets weigh more because they add little to ``s``.

Interaction is not sameness. Patrollers revert, reply to and report the accounts they
watch, so they touch the same pages right after them (on Wikipedia they co-edit with
sockpuppets more often than the sockpuppets co-edit with one another). A shared target
counts as evidence only when the pair touched it more than ``REACTION_S`` apart and not
in a post that names, replies to or quotes the other account: togetherness in time is
what ``detect``'s co-action tests measure, and acting *on* someone is not being them.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import poisson

from sockscope.store.database import arrow_view

RARE_CAP = 30  # accounts on a target, at most, for it to be evidence
REACTION_S = 6 * 3_600  # touches closer than this are reactions (reverts, replies)
TOUCHES_KEPT = 20  # an account's touches of one target kept for timing
EXAMPLES = 3


def stage_targets(con: duckdb.DuckDBPyConnection, url_table: str) -> int:
    """Tables ``op_touch(account_id, target, t, post_id)`` (rare targets only, the first
    TOUCHES_KEPT touches of each account and target), ``op_reach(account_id, target, n)``
    and ``op_activity(account_id, d, s)``; returns T, the touches of all rare targets
    (at least 1)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE op_raw AS
        SELECT p.account_id, epoch(p.created_at) AS t, p.post_id, 'link ' || m.canonical AS target
        FROM (SELECT account_id, created_at, post_id, unnest(list_distinct(urls)) AS url
              FROM posts WHERE array_length(urls) > 0 AND kind <> 'repost') p
        JOIN {url_table} m USING (url) WHERE m.canonical IS NOT NULL
        UNION ALL
        SELECT account_id, epoch(created_at), post_id, '#' || lower(h)
        FROM (SELECT account_id, created_at, post_id, unnest(list_distinct(hashtags)) AS h
              FROM posts WHERE array_length(hashtags) > 0 AND kind <> 'repost')
        UNION ALL
        SELECT account_id, epoch(created_at), post_id, '@' || lower(m)
        FROM (SELECT account_id, created_at, post_id, unnest(list_distinct(mentions)) AS m
              FROM posts WHERE array_length(mentions) > 0 AND kind <> 'repost')
        UNION ALL
        SELECT account_id, epoch(created_at), post_id,
               'post ' || coalesce(repost_of_post, quote_of_post, reply_to_post)
        FROM posts WHERE coalesce(repost_of_post, quote_of_post, reply_to_post) IS NOT NULL
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE op_reach AS
        WITH pop AS (SELECT target, count(DISTINCT account_id) AS n FROM op_raw GROUP BY 1
                     HAVING count(DISTINCT account_id) <= {RARE_CAP})
        SELECT DISTINCT r.account_id, r.target, pop.n FROM op_raw r JOIN pop USING (target)
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE op_touch AS
        SELECT account_id, target, t, post_id FROM (
            SELECT r.*, row_number() OVER (PARTITION BY r.account_id, r.target
                                           ORDER BY r.t, r.post_id) AS k
            FROM op_raw r SEMI JOIN op_reach USING (account_id, target))
        WHERE k <= {TOUCHES_KEPT}
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE op_activity AS
        SELECT account_id, count(*) AS d, sum(n - 1) AS s FROM op_reach GROUP BY 1
    """)
    con.execute("DROP TABLE op_raw")
    return int(con.execute("SELECT coalesce(sum(n), 0) FROM op_reach").fetchall()[0][0]) or 1


def shared_pairs(con: duckdb.DuckDBPyConnection, total: int, minimum: int, scarce: int,
                 screen_p: float) -> pa.Table:
    """Pairs (account_a < account_b) sharing at least ``minimum`` rare targets, or one
    that at most ``scarce`` accounts touched, or one rare target when one account's
    posts all came after the other's (a hand-over on the same target), or one target
    the null model finds telling already (P(X >= 1) = 1 - exp(-lambda) <= ``screen_p``,
    two quiet accounts on an obscure page): the candidates this evidence brings.
    ``total`` is T, from ``stage_targets``."""
    # 1 - exp(-lambda) <= p  <=>  lambda <= -log(1 - p)
    most = float(-np.log1p(-screen_p)) * total
    return con.sql(f"""
        WITH spans AS (SELECT account_id, min(created_at) AS first, max(created_at) AS last
                       FROM posts GROUP BY 1),
        shared AS (
            SELECT a.account_id AS account_a, b.account_id AS account_b, count(*) AS k,
                   min(a.n) AS rarest
            FROM op_reach a JOIN op_reach b
              ON a.target = b.target AND a.account_id < b.account_id AND a.n > 1
            GROUP BY 1, 2)
        SELECT s.account_a, s.account_b FROM shared s
        JOIN spans x ON x.account_id = s.account_a
        JOIN spans y ON y.account_id = s.account_b
        JOIN op_activity u ON u.account_id = s.account_a
        JOIN op_activity v ON v.account_id = s.account_b
        WHERE s.k >= {minimum} OR s.rarest <= {scarce} OR x.last < y.first OR y.last < x.first
           OR greatest(v.d * u.s, u.d * v.s) <= {most}
        ORDER BY 1, 2
    """).to_arrow_table()


def references(con: duckdb.DuckDBPyConnection, pairs: pa.Table) -> pa.Table:
    """Posts on rare targets by which one account of a pair acts on the other: replies
    to it, quotes it, mentions it, or names its handle in the text (a revert's summary
    "Reverted edits by X"). Rows (account_id, other, post_id). Only posts that touch a
    rare target can change the target evidence, so only they are read; handles are
    found in all of them with one Aho-Corasick pass."""
    acting = con.sql("""
        WITH touching AS (SELECT * FROM posts
                          SEMI JOIN (SELECT DISTINCT post_id FROM op_touch) USING (post_id)),
        handles AS (SELECT lower(handle) AS name, account_id AS other FROM accounts
                    WHERE handle IS NOT NULL
                    UNION SELECT lower(account_id), account_id FROM accounts)
        SELECT p.account_id, p.reply_to_account AS other, p.post_id FROM touching p
        WHERE p.reply_to_account IS NOT NULL
        UNION SELECT p.account_id, q.account_id, p.post_id FROM touching p
        JOIN posts q ON q.post_id = p.quote_of_post
        UNION SELECT m.account_id, h.other, m.post_id
        FROM (SELECT account_id, post_id, lower(unnest(mentions)) AS name FROM touching
              WHERE array_length(mentions) > 0) m JOIN handles h USING (name)
    """).to_arrow_table()
    named = _named_handles(con)
    both = pa.concat_tables([acting.cast(named.schema), named])
    with arrow_view(con, pairs) as candidates, arrow_view(con, both) as found:
        return con.sql(f"""
            WITH both_ways AS (
                SELECT account_a AS account_id, account_b AS other FROM {candidates}
                UNION ALL SELECT account_b, account_a FROM {candidates})
            SELECT DISTINCT f.account_id, f.other, f.post_id FROM {found} f
            SEMI JOIN both_ways USING (account_id, other)
            ORDER BY 1, 2, 3""").to_arrow_table()


def _named_handles(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """(account_id, other, post_id) for touching posts whose text names ``other``'s
    handle as a word."""
    from sockscope.keys.named_accounts import NamedAccounts

    finder = NamedAccounts(con.execute(
        "SELECT DISTINCT lower(handle), account_id FROM accounts "
        "WHERE handle IS NOT NULL").fetchall())
    rows: dict[str, list[str]] = {"account_id": [], "other": [], "post_id": []}
    if finder.owners:
        reader = con.sql("""
            SELECT p.account_id, p.post_id, lower(p.text) FROM posts p
            SEMI JOIN (SELECT DISTINCT post_id FROM op_touch) USING (post_id)
            WHERE p.text IS NOT NULL""").fetchall()
        for account, post, text in reader:
            for other in sorted(finder.accounts_named(text) - {account}):
                rows["account_id"].append(account)
                rows["other"].append(other)
                rows["post_id"].append(post)
    return pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()})


def target_evidence(con: duckdb.DuckDBPyConnection, pairs: pa.Table, refs: pa.Table,
                    total: int) -> dict[str, np.ndarray | list]:
    """Per pair (in ``pairs``' order): shared rare targets touched apart in time
    (``shared``), those touched in reaction (``reactive``), the expected count under
    the null model (``total`` is T, from ``stage_targets``), its p-value and example
    targets (the rarest shared)."""
    indexed = pairs.append_column("pair", pa.array(np.arange(pairs.num_rows), pa.int64()))
    with arrow_view(con, indexed) as wanted, arrow_view(con, refs) as acting:
        rows = con.sql(f"""
            WITH shared AS (
                SELECT w.pair, w.account_a, w.account_b, a.target, a.n
                FROM {wanted} w
                JOIN op_reach a ON a.account_id = w.account_a
                JOIN op_reach b ON b.account_id = w.account_b AND b.target = a.target),
            touch AS (
                SELECT t.* FROM op_touch t
                ANTI JOIN {acting} r ON r.post_id = t.post_id AND r.account_id = t.account_id),
            gaps AS (
                SELECT s.pair, s.target, s.n, min(abs(ta.t - tb.t)) AS gap
                FROM shared s
                LEFT JOIN touch ta ON ta.account_id = s.account_a AND ta.target = s.target
                LEFT JOIN touch tb ON tb.account_id = s.account_b AND tb.target = s.target
                GROUP BY 1, 2, 3)
            SELECT pair,
                   count(*) FILTER (WHERE gap > {REACTION_S}) AS shared,
                   count(*) FILTER (WHERE gap IS NULL OR gap <= {REACTION_S}) AS reactive,
                   list(target ORDER BY n, target) FILTER (WHERE gap > {REACTION_S})
                       AS examples
            FROM gaps GROUP BY 1
        """).to_arrow_table()
        activity = con.sql(f"""
            SELECT w.pair, coalesce(a.d, 0), coalesce(a.s, 0), coalesce(b.d, 0),
                   coalesce(b.s, 0)
            FROM {wanted} w LEFT JOIN op_activity a ON a.account_id = w.account_a
            LEFT JOIN op_activity b ON b.account_id = w.account_b ORDER BY w.pair
        """).fetchnumpy()
    n = pairs.num_rows
    shared = np.zeros(n, dtype=np.int64)
    reactive = np.zeros(n, dtype=np.int64)
    examples: list[list[str]] = [[] for _ in range(n)]
    for pair, count, react, found in zip(*(rows[c].to_pylist() for c in
                                           ("pair", "shared", "reactive", "examples")),
                                         strict=True):
        shared[pair], reactive[pair] = count, react
        examples[pair] = (found or [])[:EXAMPLES]
    keys = list(activity)
    d_a, s_a, d_b, s_b = (activity[k].astype(np.float64) for k in keys[1:])
    expected = np.maximum(d_b * s_a, d_a * s_b) / total
    p = np.where(shared > 0, poisson.sf(shared - 1, np.maximum(expected, 1e-300)), 1.0)
    return {"shared": shared, "reactive": reactive, "expected": expected, "p": p,
            "examples": examples}
