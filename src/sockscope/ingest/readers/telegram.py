"""Telegram Desktop JSON export of one channel or group (``result.json``).

Forwards count as reposts. Telegram exports do not carry the forwarded message's id,
so the repost key is the original sender plus the message text (two forwards of one
message share both). Service messages (joins, pins) are not posts and are counted as
skipped. Links, hashtags and mentions come from the text entities. Times come from
``date_unixtime`` (UTC); old exports only have ``date`` in the exporter's local time,
which is then taken as UTC.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.source import Source
from sockscope.ingest.sql import latest_profile
from sockscope.ingest.staging import Staged, stage_document

NAME = "telegram"
PLATFORM = "telegram"
FIELDS = {"post_id": "id", "account_id": "from_id", "created_at": "date_unixtime"}


def sniff(source: Source) -> str | None:
    """The format name if this file looks like one this module reads, else None."""
    first = source.first_object
    if source.container in ("json", "jsonl") and isinstance(first, dict) and "messages" in first:
        return NAME
    return None


def _entities(kind: str, expr: str) -> str:
    return (f"list_transform(list_filter(entities, lambda e: e->>'type' = '{kind}'), "
            f"lambda e: {expr})")


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_document(con, source, "$.messages",
                            {"chat_id": "$.id", "chat_name": "$.name"})
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH m AS (
            SELECT _ord, item AS m, coalesce(chat_id, chat_name, 'chat') AS chat,
                CASE WHEN json_type(item, '$.text') = 'ARRAY'
                     THEN CAST(json_extract(item, '$.text') AS JSON[]) END AS parts,
                coalesce(CAST(json_extract(item, '$.text_entities') AS JSON[]),
                    list_filter(CASE WHEN json_type(item, '$.text') = 'ARRAY'
                        THEN CAST(json_extract(item, '$.text') AS JSON[]) END,
                        lambda p: json_type(p) = 'OBJECT'), []) AS entities
            FROM {staged.table}
        ), t AS (
            SELECT *, CASE WHEN parts IS NULL THEN m->>'text'
                ELSE array_to_string(list_transform(parts, lambda p:
                    CASE WHEN json_type(p) = 'VARCHAR' THEN p->>'$' ELSE p->>'text' END), '')
                END AS body
            FROM m
        )
        SELECT _ord,
            CASE WHEN m->>'type' IS NOT NULL AND m->>'type' <> 'message'
                 THEN 'not a post (' || (m->>'type') || ')' END AS _skip,
            CASE WHEN m->>'type' IS NOT NULL AND m->>'type' <> 'message'
                 THEN 'type' END AS _skip_field,
            '{PLATFORM}' AS platform,
            CASE WHEN m->>'id' IS NOT NULL THEN chat || '/' || (m->>'id') END AS post_id,
            coalesce(m->>'from_id', m->>'actor_id',
                     CASE WHEN m->>'from' IS NULL THEN 'chat' || chat END) AS account_id,
            coalesce(ss_parse_time(m->>'date_unixtime'), ss_parse_time(m->>'date'))
                AS created_at,
            coalesce(m->>'date_unixtime', m->>'date') AS _raw_time,
            1 AS time_precision_s,
            CASE WHEN m->>'forwarded_from' IS NOT NULL OR m->>'forwarded_from_id' IS NOT NULL
                     THEN 'repost'
                 WHEN m->>'reply_to_message_id' IS NOT NULL THEN 'reply'
                 ELSE 'post' END AS kind,
            body AS text,
            CAST(NULL AS VARCHAR) AS lang,
            m->>'via_bot' AS client,
            CASE WHEN m->>'forwarded_from' IS NOT NULL OR m->>'forwarded_from_id' IS NOT NULL
                 THEN 'fwd:' || md5(coalesce(m->>'forwarded_from_id', m->>'forwarded_from')
                                    || chr(31) || coalesce(body, '')) END AS repost_of_post,
            coalesce(m->>'forwarded_from_id', m->>'forwarded_from') AS repost_of_account,
            CASE WHEN m->>'reply_to_message_id' IS NOT NULL
                 THEN chat || '/' || (m->>'reply_to_message_id') END AS reply_to_post,
            CAST(NULL AS VARCHAR) AS reply_to_account,
            CAST(NULL AS VARCHAR) AS quote_of_post,
            list_concat({_entities('link', "e->>'text'")},
                        {_entities('text_link', "e->>'href'")}) AS urls,
            {_entities('hashtag', "ltrim(e->>'text', '#')")} AS hashtags,
            list_concat({_entities('mention', "lower(ltrim(e->>'text', '@'))")},
                        {_entities('mention_name', "e->>'user_id'")}) AS mentions,
            CAST([] AS VARCHAR[]) AS media
        FROM t
        """
    )
    accounts = f"{staged.table}_acc"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {accounts} AS
        SELECT '{PLATFORM}' AS platform, c.account_id,
            {latest_profile({"display_name": "s.item->>'from'"}, "c._ord")},
            false AS has_profile
        FROM {relation} c JOIN {staged.table} s USING (_ord)
        WHERE c.account_id IS NOT NULL AND c._skip IS NULL
        GROUP BY c.account_id
        """
    )
    return staged, Candidates("posts", relation, FIELDS, accounts, "created_at")
