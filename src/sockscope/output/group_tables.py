"""What a reporter needs to act on a group: who is in it, what it pushed, and the
evidence grouped by what was shared, each row with links back to the platform.

Four tables, each with a ``group_id`` column so that one group's rows are a filter away
(``sockscope export``), built from a ``Detection`` and the run's canonical tables:

- **members**: one row per flagged account: handle, display name, creation date, posts,
  persona marks in plain words, how much of its activity falls in the group's schedule,
  and a link to the profile;
- **content**: per group, the posts it amplified, the accounts it amplified, the links,
  websites, hashtags and texts its members posted, each with uses, members sharing, first
  and last seen (the top ``TOP_CONTENT`` of each kind);
- **evidence by key**: one row per (group, behaviour, key): "25 accounts replied to this
  post within 3 min", instead of one row per pair;
- **evidence rows**: every co-action of evidence.parquet with its group and both posts'
  links (evidence.csv).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.durations import human_duration
from sockscope.keys.normalize_text import normalize_text_array
from sockscope.keys.normalize_url import normalize_url
from sockscope.keys.url_domain import url_domain
from sockscope.model.detection import Detection
from sockscope.output.links import post_url, profile_url
from sockscope.output.safe_csv import write_relation_csv
from sockscope.persona.groups import SCHEDULE_DETAIL
from sockscope.persona.schedule import MASKS, TEMPLATES, infer_schedule
from sockscope.persona.words import marks_in_words
from sockscope.store.database import arrow_view

TOP_CONTENT = 25  # rows of each kind of content per group
EXAMPLE_POSTS = 3  # example posts per evidence key
MEMBER_SCHEMA = pa.schema([
    ("group_id", pa.string()), ("account_id", pa.string()), ("handle", pa.string()),
    ("display_name", pa.string()), ("created_at", pa.timestamp("us")), ("posts", pa.int64()),
    ("first_post", pa.timestamp("us")), ("last_post", pa.timestamp("us")),
    ("score", pa.float64()), ("behaviours", pa.string()), ("marks", pa.string()),
    ("in_group_schedule", pa.string()), ("profile_url", pa.string()),
    ("platform", pa.string())])
CONTENT_SCHEMA = pa.schema([
    ("group_id", pa.string()), ("kind", pa.string()), ("item", pa.string()),
    ("uses", pa.int64()), ("members", pa.int64()), ("first_seen", pa.timestamp("us")),
    ("last_seen", pa.timestamp("us")), ("link", pa.string()), ("example_text", pa.string())])
KEY_SCHEMA = pa.schema([
    ("group_id", pa.string()), ("behaviour", pa.string()), ("key", pa.string()),
    ("key_link", pa.string()), ("what", pa.string()), ("accounts", pa.int64()),
    ("posts", pa.int64()), ("first_time", pa.timestamp("us")),
    ("last_time", pa.timestamp("us")), ("span_s", pa.float64()), ("account_ids", pa.string()),
    ("example_posts", pa.string()), ("example_links", pa.string())])
# behaviours whose key is a post: the key links to it
POST_KEYS = ("co-repost", "co-reply", "co-quote", "amplification")
# behaviour -> what one key is, for "25 accounts reposted this post within 3 min"
KEY_WORDS = {"co-repost": "reposted this post", "co-reply": "replied to this post",
             "co-quote": "quoted this post", "co-text": "posted this text",
             "co-text-near": "posted near-identical texts of this family",
             "co-text-semantic": "posted paraphrases of this text",
             "co-url": "shared this link", "co-domain": "linked to this website",
             "co-hashtag": "used this hashtag", "co-mention": "mentioned this account",
             "hashtag-sequence": "used this hashtag sequence",
             "co-template": "posted texts of this layout in this minute",
             "co-schedule": "posted links of this layout on the clock in this hour",
             "synchronised": "were active in this minute",
             "amplification": "reposted this post by a member"}


class GroupTables:
    """The per-group tables of one detection, each built once on first use (the result
    files and the report both read them), from the group membership and the evidence
    posts' links, also built once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, detection: Detection) -> None:
        self.con, self.detection = con, detection

    @cached_property
    def membership(self) -> pa.Table:
        """(group_id, account_id) of every flagged account."""
        rows = [(g.group_id, m) for g in self.detection.groups for m in g.members]
        return _table(pa.schema([("group_id", pa.string()), ("account_id", pa.string())]),
                      rows)

    @cached_property
    def post_links(self) -> pa.Table:
        """(post_id, platform, url) of every post of the evidence: its platform (read
        once from the posts) and its public address where one can be built."""
        with arrow_view(self.con, self.detection.evidence) as evidence:
            rows = self.con.execute(f"""
                SELECT post_id, min(platform), min(kind) FROM posts
                SEMI JOIN (SELECT post_a AS post_id FROM {evidence}
                           UNION SELECT post_b FROM {evidence}) USING (post_id)
                GROUP BY 1 ORDER BY 1""").fetchall()
        return _table(pa.schema([("post_id", pa.string()), ("platform", pa.string()),
                                 ("url", pa.string())]),
                      [(post, platform, post_url(platform, post, kind))
                       for post, platform, kind in rows])

    @cached_property
    def members(self) -> pa.Table:
        return member_table(self.con, self.detection, self.membership)

    @cached_property
    def content(self) -> pa.Table:
        table = content_table(self.con, self.detection, self.membership)
        if self.detection.operations is None:
            return table
        return pa.concat_tables([table, article_content(self.con, self.detection,
                                                        self.membership)])

    @cached_property
    def keys(self) -> pa.Table:
        return evidence_by_key(self.con, self.detection, self.membership, self.post_links)

    def write_evidence_csv(self, path: Path) -> None:
        write_evidence_csv(self.con, self.detection, self.membership, self.post_links, path)


def _table(schema: pa.Schema, rows: list[tuple]) -> pa.Table:
    """Rows (tuples in the schema's column order) as a table of that schema."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return pa.Table.from_arrays([pa.array(column, field.type) for column, field
                                 in zip(columns, schema, strict=True)], schema=schema)


def member_table(con: duckdb.DuckDBPyConnection, detection: Detection,
                 membership: pa.Table) -> pa.Table:
    """One row per flagged account, by group and account id (MEMBER_SCHEMA)."""
    accounts = detection.accounts.select(["account_id", "score", "behaviours", "signals"])
    with arrow_view(con, membership) as members, \
            arrow_view(con, accounts) as scored:
        rows = con.execute(
            f"""
            WITH profile AS (
                SELECT account_id, arg_max(handle, has_profile) AS handle,
                       arg_max(display_name, has_profile) AS display_name,
                       arg_max(created_at, has_profile) AS created_at,
                       arg_max(platform, has_profile) AS platform
                FROM accounts SEMI JOIN {members} USING (account_id) GROUP BY 1
            ), activity AS (
                SELECT account_id, count(*) AS posts, min(created_at) AS first_post,
                       max(created_at) AS last_post, any_value(platform) AS platform
                FROM posts SEMI JOIN {members} USING (account_id) GROUP BY 1
            )
            SELECT m.group_id, m.account_id, p.handle, p.display_name, p.created_at,
                   coalesce(a.posts, 0), a.first_post, a.last_post, s.score, s.behaviours,
                   s.signals, coalesce(p.platform, a.platform)
            FROM {members} m
            LEFT JOIN profile p USING (account_id)
            LEFT JOIN activity a USING (account_id)
            LEFT JOIN {scored} s USING (account_id)
            ORDER BY m.group_id, m.account_id
            """).fetchall()
    in_schedule = _schedule_shares(detection)
    return _table(MEMBER_SCHEMA, [
        (group, account, handle, name, created, posts, first, last, score, behaviours,
         marks_in_words(signals), in_schedule.get(account, ""),
         profile_url(platform, account, handle), platform)
        for (group, account, handle, name, created, posts, first, last, score, behaviours,
             signals, platform) in rows])


def _schedule_shares(detection: Detection) -> dict[str, str]:
    """Per member of a group whose pooled activity fits a schedule: the share of the
    member's own posts inside that schedule's hours, in words. A member's own best fit
    (its persona mark) can name a neighbouring offset when it posts little; this says how
    it sits in the group's schedule, so group and members read alike."""
    if detection.persona is None or detection.persona.num_rows == 0:
        return {}
    index = {a: i for i, a in enumerate(detection.persona["account_id"].to_pylist())}
    hours_column = detection.persona["hour_of_week"]
    shares: dict[str, str] = {}
    for group in detection.groups:
        rows = [index[m] for m in group.members if m in index]
        if not rows or not any(line.startswith(SCHEDULE_DETAIL) for line in group.persona):
            continue  # only where the group's schedule shows (persona.groups)
        hours = np.array([hours_column[r].as_py() or [0] * 168 for r in rows], np.float64)
        schedule = infer_schedule(hours.sum(axis=0))
        if schedule is None:
            continue
        mask = MASKS[TEMPLATES.index((schedule.kind, schedule.utc_offset))]
        where = f"{schedule.kind} at {schedule.zone}"
        for account, row in zip((m for m in group.members if m in index), hours, strict=True):
            total = row.sum()
            if total:
                shares[account] = (f"{row[mask].sum() / total:.0%} of {int(total):,} posts "
                                   f"in the group's {where}")
    return shares


def content_table(con: duckdb.DuckDBPyConnection, detection: Detection,
                  membership: pa.Table, top: int = TOP_CONTENT) -> pa.Table:
    """What each group pushed (CONTENT_SCHEMA): per kind, the ``top`` items most
    members shared, then most used. Items only one member used say nothing of the group
    and are left out (but for the accounts a group amplified)."""
    with arrow_view(con, membership) as members:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE group_posts AS
                        SELECT m.group_id, p.* FROM posts p JOIN {members} m USING (account_id)""")
    try:
        urls = [u for (u,) in con.execute(
            "SELECT DISTINCT url FROM (SELECT unnest(urls) AS url FROM group_posts) "
            "WHERE url IS NOT NULL ORDER BY 1").fetchall()]
        texts = pa.array([t for (t,) in con.execute(
            "SELECT DISTINCT text FROM group_posts WHERE kind <> 'repost' AND text IS NOT NULL "
            "ORDER BY 1").fetchall()], pa.string())
        url_keys = pa.table({"url": pa.array(urls, pa.string()),
                             "canonical": pa.array([normalize_url(u) for u in urls], pa.string()),
                             "domain": pa.array([url_domain(u) for u in urls], pa.string())})
        text_keys = pa.table({"text": texts, "key": normalize_text_array(texts)})
        with arrow_view(con, url_keys) as url_view, arrow_view(con, text_keys) as text_view:
            rows = con.execute(f"""
                WITH acted AS (
                    SELECT group_id, account_id, created_at, platform,
                           coalesce(repost_of_post, quote_of_post, reply_to_post) AS target,
                           coalesce(repost_of_account, reply_to_account) AS target_account
                    FROM group_posts WHERE kind IN ('repost', 'reply', 'quote')
                ), links AS (
                    SELECT DISTINCT g.group_id, g.post_id, g.account_id, g.created_at,
                           g.platform, g.url, u.canonical, u.domain
                    FROM (SELECT group_id, post_id, account_id, created_at, platform,
                                 unnest(urls) AS url FROM group_posts) g
                    JOIN {url_view} u USING (url)
                ), used AS (
                    SELECT group_id, 'post' AS kind, target AS item, account_id, created_at,
                           platform, NULL AS example FROM acted WHERE target IS NOT NULL
                    UNION ALL
                    SELECT group_id, 'account', target_account, account_id, created_at,
                           platform, NULL FROM acted WHERE target_account IS NOT NULL
                    UNION ALL
                    SELECT DISTINCT ON (group_id, post_id, canonical) group_id, 'url',
                           canonical, account_id, created_at, platform, url
                    FROM links WHERE canonical IS NOT NULL
                    UNION ALL
                    SELECT DISTINCT ON (group_id, post_id, domain) group_id, 'domain', domain,
                           account_id, created_at, platform, NULL
                    FROM links WHERE domain IS NOT NULL
                    UNION ALL
                    SELECT DISTINCT ON (group_id, post_id, tag) group_id, 'hashtag', tag,
                           account_id, created_at, platform, NULL
                    FROM (SELECT group_id, post_id, account_id, created_at, platform,
                                 lower(unnest(hashtags)) AS tag FROM group_posts)
                    UNION ALL
                    SELECT g.group_id, 'text', t.key, g.account_id, g.created_at, g.platform,
                           g.text
                    FROM group_posts g JOIN {text_view} t USING (text)
                    WHERE g.kind <> 'repost' AND t.key <> ''
                ), counted AS (
                    SELECT group_id, kind, item, count(*) AS uses,
                           count(DISTINCT account_id) AS sharing, min(created_at) AS first,
                           max(created_at) AS last, min(platform) AS platform,
                           min(example) AS example
                    FROM used GROUP BY ALL
                ), ranked AS (
                    SELECT *, row_number() OVER (PARTITION BY group_id, kind
                              ORDER BY sharing DESC, uses DESC, item) AS n
                    FROM counted WHERE sharing >= 2 OR kind = 'account'
                )
                , kept AS (SELECT * FROM ranked WHERE n <= {int(top)})
                SELECT r.group_id, r.kind, r.item, r.uses, r.sharing, r.first, r.last,
                       r.platform, coalesce(r.example, p.text)
                FROM kept r
                LEFT JOIN (SELECT post_id, min(text) AS text FROM posts  -- the kept posts'
                           SEMI JOIN (SELECT item AS post_id FROM kept WHERE kind = 'post')
                           USING (post_id) GROUP BY 1) p
                       ON r.kind = 'post' AND p.post_id = r.item
                ORDER BY r.group_id, list_position(['post', 'account', 'url', 'domain',
                         'hashtag', 'text'], r.kind), r.n""").fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS group_posts")
    return _table(CONTENT_SCHEMA, [
        (group, kind, item, uses, sharing, first, last,
         post_url(platform, item) if kind == "post" else
         profile_url(platform, item) if kind == "account" else
         example if kind == "url" else None,
         None if kind == "url" else example)
        for group, kind, item, uses, sharing, first, last, platform, example in rows])


def article_content(con: duckdb.DuckDBPyConnection, detection: Detection,
                    membership: pa.Table, top: int = TOP_CONTENT) -> pa.Table:
    """What each group pushed of the run's articles (CONTENT_SCHEMA): kind ``byline``
    (the byline's name; example_text its outlets) and ``article`` (its title; link its
    URL; example_text its byline), from the operations stage's shares, the items most
    members shared first; only items at least two members shared."""
    with arrow_view(con, membership) as members, \
            arrow_view(con, detection.operations.shares) as shares:
        rows = con.execute(f"""
            WITH shared AS (
                SELECT m.group_id, s.* FROM {shares} s JOIN {members} m USING (account_id)
            ), counted AS (
                SELECT group_id, 'byline' AS kind, byline AS item, count(*) AS uses,
                       count(DISTINCT account_id) AS sharing, min(shared_at) AS first,
                       max(shared_at) AS last, NULL AS link,
                       string_agg(DISTINCT outlet, '; ' ORDER BY outlet) AS example
                FROM shared GROUP BY group_id, byline
                UNION ALL
                SELECT s.group_id, 'article', coalesce(a.title, s.article_id), count(*),
                       count(DISTINCT s.account_id), min(s.shared_at), max(s.shared_at),
                       min(a.url), min(s.byline)
                FROM shared s JOIN articles a USING (article_id)
                GROUP BY s.group_id, s.article_id, a.title
            ), ranked AS (
                SELECT *, row_number() OVER (PARTITION BY group_id, kind
                          ORDER BY sharing DESC, uses DESC, item) AS n
                FROM counted WHERE sharing >= 2
            )
            SELECT group_id, kind, item, uses, sharing, first, last, link, example
            FROM ranked WHERE n <= {int(top)}
            ORDER BY group_id, kind DESC, n""").fetchall()
    return _table(CONTENT_SCHEMA, rows)


def _evidence_in_groups(members: str, evidence: str, links: str) -> str:
    """SQL: evidence rows with the group both accounts are in (NULL across groups), and
    each post's platform and link (from ``GroupTables.post_links``)."""
    return f"""
        SELECT CASE WHEN ma.group_id = mb.group_id THEN ma.group_id END AS group_id, e.*,
               la.platform AS platform_a, la.url AS post_url_a,
               lb.platform AS platform_b, lb.url AS post_url_b
        FROM {evidence} e
        LEFT JOIN {members} ma ON ma.account_id = e.account_a
        LEFT JOIN {members} mb ON mb.account_id = e.account_b
        LEFT JOIN {links} la ON la.post_id = e.post_a
        LEFT JOIN {links} lb ON lb.post_id = e.post_b
    """


def write_evidence_csv(con: duckdb.DuckDBPyConnection, detection: Detection,
                       membership: pa.Table, links: pa.Table, path: Path) -> None:
    """evidence.csv: every evidence row, in evidence.parquet's order, with its group and
    both posts' links: ``group_id, behaviour, account_a, account_b, key, post_a, post_b,
    time_a, time_b, dt_s, post_url_a, post_url_b, text_a, text_b``."""
    with arrow_view(con, membership) as members, \
            arrow_view(con, detection.evidence) as evidence, \
            arrow_view(con, links) as link_view:
        relation = con.sql(f"""
            SELECT group_id, behaviour, account_a, account_b, key, post_a, post_b, time_a,
                   time_b, dt_s, post_url_a, post_url_b, text_a, text_b
            FROM ({_evidence_in_groups(members, evidence, link_view)})""")
        write_relation_csv(con, relation, path, order_by=(
            "account_a, account_b, behaviour, time_a, key, post_a, post_b, time_b, dt_s, "
            "text_a, text_b"))


def evidence_by_key(con: duckdb.DuckDBPyConnection, detection: Detection,
                    membership: pa.Table, links: pa.Table) -> pa.Table:
    """One row per (group, behaviour, key) of the co-actions inside groups (KEY_SCHEMA),
    most accounts first."""
    with arrow_view(con, membership) as members, \
            arrow_view(con, detection.evidence) as evidence, \
            arrow_view(con, links) as link_view:
        rows = con.execute(f"""
            WITH inside AS (
                SELECT * FROM ({_evidence_in_groups(members, evidence, link_view)})
                WHERE group_id IS NOT NULL
            ), acts AS (
                SELECT group_id, behaviour, key, account_a AS account_id, post_a AS post_id,
                       time_a AS t, platform_a AS platform, post_url_a AS url FROM inside
                UNION
                SELECT group_id, behaviour, key, account_b, post_b, time_b, platform_b,
                       post_url_b FROM inside
            )
            SELECT group_id, behaviour, key, count(DISTINCT account_id),
                   count(DISTINCT post_id), min(t), max(t),
                   epoch(max(t)) - epoch(min(t)),
                   list(DISTINCT account_id ORDER BY account_id),
                   list(post_id ORDER BY t, post_id) FILTER (WHERE post_id IS NOT NULL),
                   list(url ORDER BY t, post_id) FILTER (WHERE post_id IS NOT NULL),
                   min(platform)
            FROM acts GROUP BY ALL
            ORDER BY group_id, 4 DESC, 5 DESC, behaviour, key""").fetchall()
    table = []
    for (group, behaviour, key, accounts, posts, first, last, span, account_ids, post_ids,
         urls, platform) in rows:
        examples: dict[str, str | None] = {}  # the first few posts, each once, in time order
        for post_id, url in zip(post_ids or [], urls or [], strict=True):
            if len(examples) == EXAMPLE_POSTS:
                break
            examples.setdefault(post_id, url)
        span = float(span) if span is not None else None
        what = (f"{accounts} accounts {KEY_WORDS.get(behaviour, behaviour)}"
                + (f" within {human_duration(span)}" if span is not None else ""))
        key_link = (post_url(platform, key) if behaviour in POST_KEYS and platform
                    else key if behaviour == "co-url" and key and "://" in key else None)
        table.append((group, behaviour, key, key_link, what, accounts, posts, first, last,
                      span, ";".join(account_ids), ";".join(examples),
                      " ".join(url for url in examples.values() if url)))
    return _table(KEY_SCHEMA, table)
