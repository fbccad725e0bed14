"""Telegram Desktop JSON export (``result.json``) of one channel or group, or a full-account
export (every chat under ``chats.list``; each chat's id names its posts).

Forwards count as reposts. Telegram exports do not carry the forwarded message's id,
so the repost key is the original sender plus the message text and the forwarded
media's signature (kind, file name, duration, size, dimensions): two forwards of one
message share all three, caption-less forwards of different media do not. Service
messages (joins, pins) are not posts and are counted as skipped. Links, hashtags and
mentions come from the text entities. Times come from ``date_unixtime`` (UTC); old
exports only have ``date`` in the exporter's local time, read in ``--timezone`` (UTC
when none is given), and the ingest report says so.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.source import Source
from sockscope.ingest.sql import latest_profile, wrong_json_types
from sockscope.ingest.staging import Staged, json_object_size, stage_document

NAME = "telegram"
PLATFORM = "telegram"
FIELDS = {"post_id": "id", "account_id": "from_id", "created_at": "date_unixtime"}


def sniff(source: Source) -> str | None:
    """The format name if this file looks like one this module reads, else None."""
    first = source.first_object
    if source.container in ("json", "jsonl") and isinstance(first, dict) and (
            "messages" in first or ("chats" in first and "personal_information" in first)):
        return NAME
    return None


def _entities(kind: str, expr: str) -> str:
    return (f"list_transform(list_filter(entities, lambda e: e->>'type' = '{kind}'), "
            f"lambda e: {expr})")


# What identifies a forwarded photo, video or file when the export does not give the
# original message's id: its kind, file name, duration, size and dimensions. Two
# forwards of one video share it; forwards of different pictures from one source do not.
MEDIA_SIGNATURE = """nullif(concat_ws('|',
    coalesce(m->>'media_type', CASE WHEN m->>'photo' IS NOT NULL THEN 'photo' END),
    regexp_extract(coalesce(m->>'file', m->>'photo', ''), '[^/]+$'),
    m->>'duration_seconds', m->>'file_size', m->>'width', m->>'height'), '')"""


def _stage_messages(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, str, str]:
    """Stage the messages of one chat's export, or of every chat of a full-account export
    (``chats.list[*].messages``). Returns the staging, a relation ``(_ord, _pos, item,
    chat_id, chat_name)`` with one row per message, and the column locating a message."""
    if _is_full_export(con, source):
        staged = stage_document(con, source, "$.chats.list")
        messages = f"{staged.table}_msgs"
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {messages} AS
            SELECT (row_number() OVER (ORDER BY _pos, _i) - 1)::BIGINT AS _ord, _pos, item,
                   chat_id, chat_name
            FROM (SELECT _ord AS _pos, item->>'id' AS chat_id, item->>'name' AS chat_name,
                         unnest(range(len(ss_json_list(item, '$.messages')))) AS _i,
                         unnest(ss_json_list(item, '$.messages')) AS item
                  FROM {staged.table})
            """
        )
        return staged, messages, "_pos"
    staged = stage_document(con, source, "$.messages", {"chat_id": "$.id", "chat_name": "$.name"})
    return staged, staged.table, "_ord"


def _is_full_export(con: duckdb.DuckDBPyConnection, source: Source) -> bool:
    """A full-account export: chats under ``chats.list``, no top-level ``messages``."""
    if not (source.first_object or {}).get("chats"):
        return False
    size = json_object_size(source)
    try:
        kinds = con.execute(
            f"""SELECT json_type(json, '$.messages'), json_type(json, '$.chats.list')
                FROM read_json_objects($path, format = 'unstructured',
                                       maximum_object_size = {size}) LIMIT 1""",
            {"path": str(source.path)}).fetchall()
    except duckdb.Error:
        return False  # staging reports what is wrong with the document
    return bool(kinds) and kinds[0][0] is None and kinds[0][1] == "ARRAY"


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, messages, position = _stage_messages(con, source)
    wrong, wrong_field = wrong_json_types("item", ["text_entities"])
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH m AS (
            SELECT _ord, {position} AS _pos, item AS m,
                   coalesce(chat_id, chat_name, 'chat') AS chat,
                CASE WHEN {wrong} THEN {wrong_field}
                     WHEN coalesce(json_type(item, '$.text'), 'NULL')
                          NOT IN ('ARRAY', 'VARCHAR', 'NULL') THEN 'text' END AS _wrong,
                CASE WHEN json_type(item, '$.text') = 'ARRAY'
                     THEN CAST(json_extract(item, '$.text') AS JSON[]) END AS parts,
                CASE WHEN json_type(item, '$.text_entities') = 'ARRAY'
                     THEN ss_json_list(item, '$.text_entities')
                     ELSE coalesce(list_filter(CASE WHEN json_type(item, '$.text') = 'ARRAY'
                        THEN CAST(json_extract(item, '$.text') AS JSON[]) END,
                        lambda p: json_type(p) = 'OBJECT'), []) END AS entities
            FROM {messages}
        ), t AS (
            SELECT *, {MEDIA_SIGNATURE} AS media_signature,
                   CASE WHEN parts IS NULL THEN m->>'text'
                ELSE array_to_string(list_transform(parts, lambda p:
                    CASE WHEN json_type(p) = 'VARCHAR' THEN p->>'$' ELSE p->>'text' END), '')
                END AS body
            FROM m
        )
        SELECT _ord, _pos,
            CASE WHEN json_type(m) <> 'OBJECT' OR _wrong IS NOT NULL THEN 'wrong JSON type'
                 WHEN m->>'type' IS NOT NULL AND m->>'type' <> 'message'
                 THEN 'not a post (' || (m->>'type') || ')' END AS _skip,
            CASE WHEN json_type(m) <> 'OBJECT' THEN 'message'
                 WHEN _wrong IS NOT NULL THEN _wrong
                 WHEN m->>'type' IS NOT NULL AND m->>'type' <> 'message'
                 THEN 'type' END AS _skip_field,
            '{PLATFORM}' AS platform,
            CASE WHEN m->>'id' IS NOT NULL THEN chat || '/' || (m->>'id') END AS post_id,
            coalesce(m->>'from_id', m->>'actor_id',
                     CASE WHEN m->>'from' IS NULL THEN 'chat' || chat END) AS account_id,
            coalesce(ss_parse_time(m->>'date_unixtime'), ss_local_time(m->>'date'))
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
                                    || chr(31) || coalesce(body, '') || chr(31)
                                    || coalesce(media_signature, '')) END AS repost_of_post,
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
            CASE WHEN media_signature IS NULL THEN CAST([] AS VARCHAR[])
                 ELSE [media_signature] END AS media
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
        FROM {relation} c JOIN {messages} s USING (_ord)
        WHERE c.account_id IS NOT NULL AND c._skip IS NULL
        GROUP BY c.account_id
        """
    )
    return staged, Candidates("posts", relation, FIELDS, accounts, "created_at",
                              position="_pos", notes=_local_time_note(con, messages))


def _local_time_note(con: duckdb.DuckDBPyConnection, messages: str) -> list[str]:
    """Old exports give only ``date``, in the exporter's local time: say so."""
    local = con.execute(
        f"""SELECT count(*) FROM {messages}
            WHERE item->>'date_unixtime' IS NULL AND item->>'date' IS NOT NULL"""
    ).fetchall()[0][0]
    if not local:
        return []
    zone = con.execute("SELECT getvariable('ss_timezone')").fetchall()[0][0] or "UTC"
    if zone != "UTC":
        return [f"{local:,} messages give only the exporter's local time (an old export); "
                f"read as {zone} time"]
    return [f"{local:,} messages give only the exporter's local time (an old export), "
            "stored as if UTC; pass --timezone ZONE (e.g. Europe/Moscow) if the exporter "
            "was elsewhere"]
