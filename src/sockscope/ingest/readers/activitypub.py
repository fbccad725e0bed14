"""Mastodon account archives (``outbox.json`` of the archive Mastodon's settings export)
and other ActivityPub outboxes: an ``OrderedCollection`` whose ``orderedItems`` are the
account's activities.

A ``Create`` of a ``Note`` is a post (a reply when ``inReplyTo`` names one; a quote when
``quote``, ``quoteUri``, ``quoteUrl`` or ``_misskey_quote`` does: Mastodon 4.4,
Fedibird, Misskey); an ``Announce`` is a boost of the status it names. Ids are the
activities' and notes' URLs, the account its actor's URL, so archives of accounts on
different servers can be read together. Mentions and hashtags come from the note's
``tag`` list; links from the content's anchors that are neither.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import page_records, stage_json_values
from sockscope.ingest.readers.mastodon import HTML_TEXT
from sockscope.ingest.source import Source
from sockscope.ingest.sql import post_kind, post_prologue
from sockscope.ingest.staging import Staged

NAME = "activitypub-outbox"
PLATFORM = "mastodon"
FIELDS = {"post_id": "object.id", "account_id": "actor", "created_at": "published"}
QUOTE = ("coalesce(o->>'quote', o->>'quoteUri', o->>'quoteUrl', o->>'_misskey_quote')")


def sniff(source: Source) -> str | None:
    """The format name if this file is an ActivityPub outbox, else None."""
    first = source.first_object
    if not isinstance(first, dict) or source.container not in ("json", "jsonl"):
        return None
    if first.get("type") == "OrderedCollection" and "orderedItems" in first:
        return NAME
    if first.get("type") in ("Create", "Announce") and "actor" in first and "object" in first:
        return NAME  # one activity per line
    return None


def _account_of(url: str) -> str:
    """SQL: the actor URL of a Mastodon status URL (``https://host/users/NAME/...``)."""
    return f"nullif(regexp_extract({url}, '^(https?://[^/]+/users/[^/]+)', 1), '')"


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    con.execute(HTML_TEXT)
    staged, values = stage_json_values(con, source)
    records = f"{staged.table}_rec"
    page_records(con, values, records, "$.orderedItems")  # a record per activity
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH a AS (
            SELECT _ord, _line, _bad, _empty, rec AS act, rec->>'type' AS activity,
                   CASE WHEN json_type(rec, '$.object') = 'OBJECT'
                        THEN json_extract(rec, '$.object') END AS o,
                   CASE WHEN json_type(rec, '$.object') = 'VARCHAR'
                        THEN rec->>'object' END AS target
            FROM {records}
        ), t AS (
            SELECT *, ss_json_list(o, '$.tag') AS tags,
                   -- links of the content, but for mentions and hashtags (class mention)
                   coalesce(list_transform(list_filter(
                       regexp_extract_all(o->>'content', '<a\\s[^>]*>'),
                       lambda t: NOT regexp_matches(t, 'class="[^"]*\\bmention\\b')),
                       lambda t: regexp_extract(t, 'href="([^"]+)"', 1)), []) AS anchors
            FROM a
        ), m AS (
            SELECT *,
                   list_filter(list_transform(tags, lambda x: CASE WHEN x->>'type' = 'Mention'
                                                                   THEN x->>'href' END),
                               lambda v: v IS NOT NULL) AS mentioned,
                   list_filter(list_transform(tags, lambda x: CASE WHEN x->>'type' = 'Hashtag'
                                                                   THEN x->>'href' END),
                               lambda v: v IS NOT NULL) AS tag_links
            FROM t
        )
        SELECT _line, {post_prologue(
                    f"'{PLATFORM}'",
                    "ss_id(CASE WHEN activity = 'Create' THEN o->>'id' ELSE act->>'id' END)",
                    "ss_id(coalesce(act->>'actor', o->>'attributedTo'))",
                    "coalesce(o->>'published', act->>'published')",
                    skip="CASE WHEN _empty THEN 'outbox without activities' "
                         "WHEN _bad THEN 'malformed JSON' "
                         "WHEN json_type(act) <> 'OBJECT' THEN 'wrong JSON type' "
                         "WHEN activity NOT IN ('Create', 'Announce') "
                         "THEN 'not a post (' || coalesce(activity, '?') || ')' "
                         "WHEN activity = 'Create' AND o IS NULL "
                         "THEN 'not a post (Create without its object)' END",
                    skip_field="CASE WHEN NOT _bad AND NOT _empty "
                               "AND activity NOT IN ('Create', 'Announce') THEN 'type' END")},
            {post_kind("activity = 'Announce'", "o->>'inReplyTo' IS NOT NULL",
                       f"{QUOTE} IS NOT NULL")} AS kind,
            ss_html_text(o->>'content') AS text,
            json_keys(o, '$.contentMap')[1] AS lang,
            CAST(NULL AS VARCHAR) AS client,
            ss_id(target) AS repost_of_post, ss_id({_account_of("target")}) AS repost_of_account,
            ss_id(o->>'inReplyTo') AS reply_to_post,
            ss_id({_account_of("o->>'inReplyTo'")}) AS reply_to_account,
            ss_id({QUOTE}) AS quote_of_post,
            list_filter(anchors, lambda h: NOT list_contains(mentioned, h)
                                           AND NOT list_contains(tag_links, h)
                                           AND NOT contains(h, '/tags/')) AS urls,
            list_filter(list_transform(tags, lambda x: CASE WHEN x->>'type' = 'Hashtag'
                                                            THEN ltrim(x->>'name', '#') END),
                        lambda v: v IS NOT NULL) AS hashtags,
            mentioned AS mentions,
            coalesce(list_transform(ss_json_list(o, '$.attachment'), lambda x: x->>'url'), [])
                AS media
        FROM m
        """
    )
    return staged, Candidates("posts", relation, FIELDS, None, "created_at",
                              position="_line")
