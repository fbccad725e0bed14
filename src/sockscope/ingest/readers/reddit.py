"""Reddit submissions and comments as Pushshift dumps them (JSON lines, one object per
submission or comment; also Reddit's own API objects).

Posts are keyed by Reddit's full names (``t3_…`` submissions, ``t1_…`` comments) so
that a comment's ``parent_id`` names the post it replies to. A submission's text is its
title and body; its link, when it is not a self post, is its URL. Authors shown as
``[deleted]`` or ``[removed]`` have no account: those rows are skipped and counted as
"author deleted or removed"; a text that is such a placeholder is no text (the post is
kept, and a note counts them), so placeholders never tie accounts by co-text.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import PLACEHOLDER_AUTHOR, latest_profile, placeholder_note, post_prologue
from sockscope.ingest.staging import Staged

NAME = "reddit"
PLATFORM = "reddit"


def sniff(source: Source) -> str | None:
    """The format name if this file holds Reddit submissions or comments, else None."""
    first = source.first_object
    if (source.container == "jsonl" and isinstance(first, dict)
            and {"subreddit", "created_utc", "author"} <= set(first)
            and ("body" in first or "title" in first)):
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    relation = f"{staged.table}_cand"
    comment = "json_exists(js, '$.body')"
    name = (f"coalesce(js->>'name', CASE WHEN {comment} THEN 't1_' ELSE 't3_' END "
            "|| (js->>'id'))")
    author = "CASE WHEN NOT ss_placeholder(js->>'author') THEN js->>'author' END"
    body = "CASE WHEN NOT ss_placeholder(js->>'body') THEN js->>'body' END"
    selftext = "CASE WHEN NOT ss_placeholder(js->>'selftext') THEN nullif(js->>'selftext', '') END"
    link = ("CASE WHEN NOT coalesce(TRY_CAST(js->>'is_self' AS BOOLEAN), false) "
            "AND js->>'url' IS NOT NULL AND NOT contains(js->>'url', '/comments/') "
            "THEN js->>'url' END")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT {post_prologue(f"'{PLATFORM}'", f"ss_id({name})", f"ss_id({author})",
                              "js->>'created_utc'",
                              skip="CASE WHEN _bad THEN 'malformed JSON' "
                                   "WHEN json_type(js) <> 'OBJECT' THEN 'wrong JSON type' "
                                   "WHEN ss_placeholder(js->>'author') "
                                   f"THEN '{PLACEHOLDER_AUTHOR}' END",
                              skip_field="CASE WHEN NOT _bad AND json_type(js) = 'OBJECT' "
                                         "AND ss_placeholder(js->>'author') THEN 'author' END")},
            CASE WHEN {comment} THEN 'reply' ELSE 'post' END AS kind,
            CASE WHEN {comment} THEN {body}
                 ELSE concat_ws(chr(10) || chr(10), js->>'title', {selftext}) END AS text,
            coalesce(js->>'body', js->>'selftext') AS _raw_text,
            CAST(NULL AS VARCHAR) AS lang, CAST(NULL AS VARCHAR) AS client,
            CAST(NULL AS VARCHAR) AS repost_of_post, CAST(NULL AS VARCHAR) AS repost_of_account,
            CASE WHEN {comment} THEN js->>'parent_id' END AS reply_to_post,
            CAST(NULL AS VARCHAR) AS reply_to_account,
            CAST(NULL AS VARCHAR) AS quote_of_post,
            CASE WHEN {link} IS NULL THEN CAST([] AS VARCHAR[]) ELSE [{link}] END AS urls,
            CAST([] AS VARCHAR[]) AS hashtags,
            list_transform(regexp_extract_all(coalesce(js->>'body', js->>'selftext', ''),
                                              '(?:^|\\W)/?u/([A-Za-z0-9_-]+)', 1),
                           lambda m: lower(m)) AS mentions,
            CAST([] AS VARCHAR[]) AS media
        FROM {values}
        """
    )
    accounts = f"{staged.table}_acc"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {accounts} AS
        SELECT '{PLATFORM}' AS platform, account_id,
               {latest_profile({"handle": "account_id"}, "(created_at, _ord)")},
               false AS has_profile
        FROM {relation} WHERE account_id IS NOT NULL AND created_at IS NOT NULL
        GROUP BY account_id
        """
    )
    return staged, Candidates("posts", relation,
                              {"post_id": "id", "account_id": "author",
                               "created_at": "created_utc"}, accounts, "created_at",
                              notes=placeholder_note(con, relation, "_raw_text"))
