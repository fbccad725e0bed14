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

from sockscope.detect.keys.normalize_text import normalize_text_array
from sockscope.detect.keys.normalize_url import normalize_url
from sockscope.detect.keys.url_domain import url_domain
from sockscope.detect.model import Detection
from sockscope.output.links import post_url, profile_url
from sockscope.output.safe_csv import write_relation_csv
from sockscope.persona.groups import SCHEDULE_DETAIL
from sockscope.persona.schedule import MASKS, TEMPLATES, infer_schedule
from sockscope.persona.words import marks_in_words
from sockscope.store.database import arrow_view

TOP_CONTENT = 25  # rows of each kind of content per group
EXAMPLE_POSTS = 3  # example posts per evidence key
MEMBER_COLUMNS = ["group_id", "account_id", "handle", "display_name", "created_at", "posts",
                  "first_post", "last_post", "score", "behaviours", "marks",
                  "in_group_schedule", "profile_url", "platform"]
CONTENT_COLUMNS = ["group_id", "kind", "item", "uses", "members", "first_seen", "last_seen",
                   "link", "example_text"]
KEY_COLUMNS = ["group_id", "behaviour", "key", "key_link", "what", "accounts", "posts",
               "first_time", "last_time", "span_s", "account_ids", "example_posts",
               "example_links"]
# behaviours whose key is a post: the key links to it
POST_KEYS = ("co-repost", "co-reply", "co-quote", "amplification")
EVIDENCE_COLUMNS = ["group_id", "behaviour", "account_a", "account_b", "key", "post_a",
                    "post_b", "time_a", "time_b", "dt_s", "post_url_a", "post_url_b",
                    "text_a", "text_b"]
# behaviour -> what one key is, for "25 accounts reposted this post within 3 min"
KEY_WORDS = {"co-repost": "reposted this post", "co-reply": "replied to this post",
             "co-quote": "quoted this post", "co-text": "posted this text",
             "co-text-near": "posted near-identical texts of this family",
             "co-text-semantic": "posted paraphrases of this text",
             "co-url": "shared this link", "co-domain": "linked to this website",
             "co-hashtag": "used this hashtag", "co-mention": "mentioned this account",
             "hashtag-sequence": "used this hashtag sequence",
             "co-template": "posted texts of this layout in this minute",
             "synchronised": "were active in this minute",
             "amplification": "reposted this post by a member"}


class GroupTables:
    """The per-group tables of one detection, each built once on first use (the result
    files and the report both read them)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, detection: Detection) -> None:
        self.con, self.detection = con, detection

    @cached_property
    def members(self) -> pa.Table:
        return member_table(self.con, self.detection)

    @cached_property
    def content(self) -> pa.Table:
        return content_table(self.con, self.detection)

    @cached_property
    def keys(self) -> pa.Table:
        return evidence_by_key(self.con, self.detection)


def human_duration(seconds: float | None) -> str:
    """A time gap in human units: ``12 s``, ``3 min``, ``27 h``, ``4 days``."""
    if seconds is None or seconds != seconds:  # None or NaN
        return ""
    seconds = abs(float(seconds))
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} days".replace(".0 days", " days")


def _membership(detection: Detection) -> pa.Table:
    rows = [(g.group_id, m) for g in detection.groups for m in g.members]
    return pa.table({"group_id": pa.array([r[0] for r in rows], pa.string()),
                     "account_id": pa.array([r[1] for r in rows], pa.string())})


def member_table(con: duckdb.DuckDBPyConnection, detection: Detection) -> pa.Table:
    """One row per flagged account, by group and account id (MEMBER_COLUMNS)."""
    accounts = detection.accounts.select(["account_id", "score", "behaviours", "signals"])
    with arrow_view(con, _membership(detection)) as members, \
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
    columns: dict[str, list] = {name: [] for name in MEMBER_COLUMNS}
    for (group, account, handle, name, created, posts, first, last, score, behaviours,
         signals, platform) in rows:
        values = [group, account, handle, name, created, posts, first, last, score,
                  behaviours, marks_in_words(signals), in_schedule.get(account, ""),
                  profile_url(platform, account, handle), platform]
        for column, value in zip(MEMBER_COLUMNS, values, strict=True):
            columns[column].append(value)
    return pa.table(columns, schema=pa.schema([
        ("group_id", pa.string()), ("account_id", pa.string()), ("handle", pa.string()),
        ("display_name", pa.string()), ("created_at", pa.timestamp("us")),
        ("posts", pa.int64()), ("first_post", pa.timestamp("us")),
        ("last_post", pa.timestamp("us")), ("score", pa.float64()),
        ("behaviours", pa.string()), ("marks", pa.string()),
        ("in_group_schedule", pa.string()), ("profile_url", pa.string()),
        ("platform", pa.string())]))


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
        sign = "+" if schedule.utc_offset >= 0 else "-"
        where = f"{schedule.kind} at UTC{sign}{abs(schedule.utc_offset):02d}:00"
        for account, row in zip((m for m in group.members if m in index), hours, strict=True):
            total = row.sum()
            if total:
                shares[account] = (f"{row[mask].sum() / total:.0%} of {int(total):,} posts "
                                   f"in the group's {where}")
    return shares


def content_table(con: duckdb.DuckDBPyConnection, detection: Detection,
                  top: int = TOP_CONTENT) -> pa.Table:
    """What each group pushed (CONTENT_COLUMNS): per kind, the ``top`` items most
    members shared, then most used. Items only one member used say nothing of the group
    and are left out (but for the accounts a group amplified)."""
    with arrow_view(con, _membership(detection)) as members:
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
                SELECT r.group_id, r.kind, r.item, r.uses, r.sharing, r.first, r.last,
                       r.platform, coalesce(r.example, p.text)
                FROM ranked r
                LEFT JOIN (SELECT post_id, min(text) AS text FROM posts GROUP BY 1) p
                       ON r.kind = 'post' AND p.post_id = r.item
                WHERE r.n <= {int(top)}
                ORDER BY r.group_id, list_position(['post', 'account', 'url', 'domain',
                         'hashtag', 'text'], r.kind), r.n""").fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS group_posts")
    columns: dict[str, list] = {name: [] for name in CONTENT_COLUMNS}
    for group, kind, item, uses, sharing, first, last, platform, example in rows:
        link = (post_url(platform, item) if kind == "post" else
                profile_url(platform, item) if kind == "account" else
                example if kind == "url" else None)
        values = (group, kind, item, uses, sharing, first, last, link,
                  None if kind == "url" else example)
        for column, value in zip(CONTENT_COLUMNS, values, strict=True):
            columns[column].append(value)
    return pa.table(columns, schema=pa.schema([
        ("group_id", pa.string()), ("kind", pa.string()), ("item", pa.string()),
        ("uses", pa.int64()), ("members", pa.int64()), ("first_seen", pa.timestamp("us")),
        ("last_seen", pa.timestamp("us")), ("link", pa.string()),
        ("example_text", pa.string())]))


def _evidence_in_groups(members: str, evidence: str) -> str:
    """SQL: evidence rows with the group both accounts are in (NULL across groups), and
    each post's platform and kind."""
    return f"""
        SELECT CASE WHEN ma.group_id = mb.group_id THEN ma.group_id END AS group_id, e.*,
               pa.platform AS platform_a, pa.kind AS kind_a,
               pb.platform AS platform_b, pb.kind AS kind_b
        FROM {evidence} e
        LEFT JOIN {members} ma ON ma.account_id = e.account_a
        LEFT JOIN {members} mb ON mb.account_id = e.account_b
        LEFT JOIN (SELECT post_id, min(platform) AS platform, min(kind) AS kind
                   FROM posts GROUP BY 1) pa ON pa.post_id = e.post_a
        LEFT JOIN (SELECT post_id, min(platform) AS platform, min(kind) AS kind
                   FROM posts GROUP BY 1) pb ON pb.post_id = e.post_b
    """


def write_evidence_csv(con: duckdb.DuckDBPyConnection, detection: Detection,
                       path: Path) -> None:
    """evidence.csv: every evidence row (EVIDENCE_COLUMNS), in evidence.parquet's order,
    with its group and both posts' links."""
    with arrow_view(con, _membership(detection)) as members, \
            arrow_view(con, detection.evidence) as evidence:
        inside = _evidence_in_groups(members, evidence)
        posts = con.execute(f"""
            SELECT DISTINCT post_id, platform, kind FROM (
                SELECT post_a AS post_id, platform_a AS platform, kind_a AS kind
                FROM ({inside})
                UNION ALL SELECT post_b, platform_b, kind_b FROM ({inside}))
            WHERE post_id IS NOT NULL ORDER BY ALL""").fetchall()
        links = pa.table({"post_id": pa.array([p[0] for p in posts], pa.string()),
                          "url": pa.array([post_url(platform, post_id, kind)
                                                  for post_id, platform, kind in posts],
                                                 pa.string())})
        with arrow_view(con, links) as link_view:
            relation = con.sql(f"""
                WITH link AS (SELECT post_id, min(url) AS url FROM {link_view} GROUP BY 1)
                SELECT e.group_id, e.behaviour, e.account_a, e.account_b, e.key, e.post_a,
                       e.post_b, e.time_a, e.time_b, e.dt_s, la.url AS post_url_a,
                       lb.url AS post_url_b, e.text_a, e.text_b
                FROM ({inside}) e
                LEFT JOIN link la ON la.post_id = e.post_a
                LEFT JOIN link lb ON lb.post_id = e.post_b""")
            write_relation_csv(con, relation, path, order_by=(
                "account_a, account_b, behaviour, time_a, key, post_a, post_b, time_b, dt_s, "
                "text_a, text_b"))


def evidence_by_key(con: duckdb.DuckDBPyConnection, detection: Detection) -> pa.Table:
    """One row per (group, behaviour, key) of the co-actions inside groups (KEY_COLUMNS),
    most accounts first."""
    with arrow_view(con, _membership(detection)) as members, \
            arrow_view(con, detection.evidence) as evidence:
        rows = con.execute(f"""
            WITH inside AS (
                SELECT * FROM ({_evidence_in_groups(members, evidence)})
                WHERE group_id IS NOT NULL
            ), acts AS (
                SELECT group_id, behaviour, key, account_a AS account_id, post_a AS post_id,
                       time_a AS t, platform_a AS platform, kind_a AS kind FROM inside
                UNION
                SELECT group_id, behaviour, key, account_b, post_b, time_b, platform_b,
                       kind_b FROM inside
            )
            SELECT group_id, behaviour, key, count(DISTINCT account_id),
                   count(DISTINCT post_id), min(t), max(t),
                   epoch(max(t)) - epoch(min(t)),
                   list(DISTINCT account_id ORDER BY account_id),
                   list(post_id ORDER BY t, post_id) FILTER (WHERE post_id IS NOT NULL),
                   list(platform ORDER BY t, post_id) FILTER (WHERE post_id IS NOT NULL),
                   list(kind ORDER BY t, post_id) FILTER (WHERE post_id IS NOT NULL)
            FROM acts GROUP BY ALL
            ORDER BY group_id, 4 DESC, 5 DESC, behaviour, key""").fetchall()
    columns: dict[str, list] = {name: [] for name in KEY_COLUMNS}
    for (group, behaviour, key, accounts, posts, first, last, span, account_ids, post_ids,
         platforms, kinds) in rows:
        post_ids, platforms, kinds = post_ids or [], platforms or [], kinds or []
        examples, links = [], []
        for post_id, platform, kind in zip(post_ids, platforms, kinds, strict=True):
            if post_id in examples:
                continue
            examples.append(post_id)
            link = post_url(platform, post_id, kind)
            if link:
                links.append(link)
            if len(examples) == EXAMPLE_POSTS:
                break
        span = float(span) if span is not None else None
        what = (f"{accounts} accounts {KEY_WORDS.get(behaviour, behaviour)}"
                + (f" within {human_duration(span)}" if span is not None else ""))
        key_link = (post_url(platforms[0], key) if behaviour in POST_KEYS and platforms
                    else key if behaviour == "co-url" and key and "://" in key else None)
        values = [group, behaviour, key, key_link, what, accounts, posts, first, last, span,
                  ";".join(account_ids), ";".join(examples), " ".join(links)]
        for column, value in zip(KEY_COLUMNS, values, strict=True):
            columns[column].append(value)
    return pa.table(columns, schema=pa.schema([
        ("group_id", pa.string()), ("behaviour", pa.string()), ("key", pa.string()),
        ("key_link", pa.string()), ("what", pa.string()), ("accounts", pa.int64()),
        ("posts", pa.int64()),
        ("first_time", pa.timestamp("us")), ("last_time", pa.timestamp("us")),
        ("span_s", pa.float64()), ("account_ids", pa.string()),
        ("example_posts", pa.string()), ("example_links", pa.string())]))
