"""YouTube comments, as the YouTube Data API v3 returns them and as
youtube-comment-downloader writes them.

- **Data API** responses (``commentThreads.list`` and ``comments.list``), saved whole
  (pretty-printed or one per line) or item by item: every comment is a record, the
  thread's top-level comment and each of its ``replies.comments``. A top-level comment
  replies to its video (``videoId``; the video's channel is the account replied to), a
  reply to its parent comment, so that accounts commenting under the same videos meet
  as co-replies. The author is ``authorChannelId.value``.
- **youtube-comment-downloader** lines (``cid``, ``text``, ``author``, ``channel``,
  ``time_parsed``, ``reply``): the file holds one video's comments and does not name
  the video, so a top-level comment is a post; a reply replies to the comment whose id
  prefixes its own (``PARENT.REPLY``).

Mentions are the ``@handles`` of the text.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import page_records, stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import latest_profile, post_prologue
from sockscope.ingest.staging import Staged

NAME = "youtube"
PLATFORM = "youtube"
FIELDS = {"post_id": "id", "account_id": "authorChannelId.value", "created_at": "publishedAt"}


def sniff(source: Source) -> str | None:
    """The format name if this file holds YouTube comments, else None."""
    first = source.first_object
    if source.container not in ("jsonl", "json") or not isinstance(first, dict):
        return None
    if str(first.get("kind", "")).startswith(("youtube#comment", "youtube#commentThread")):
        return NAME
    if {"cid", "text", "author", "channel"} <= set(first) and (
            "time_parsed" in first or "votes" in first):
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    threads = f"{staged.table}_rec"
    page_records(con, values, threads, "$.items")  # a response: a record per item
    comments = f"{staged.table}_comments"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {comments} AS
        WITH items AS (
            SELECT _line, _bad, _empty, rec,
                   rec->>'kind' = 'youtube#commentThread' AS thread
            FROM {threads}
        ), each AS (  -- the thread's top-level comment, then its replies, in order
            SELECT _line, _bad, _empty, 0 AS _i,
                   CASE WHEN thread THEN json_extract(rec, '$.snippet.topLevelComment')
                        ELSE rec END AS c,
                   CASE WHEN thread THEN rec->'snippet'->>'videoId' END AS video,
                   CASE WHEN thread THEN rec->'snippet'->>'channelId' END AS video_channel
            FROM items
            UNION ALL
            SELECT _line, false, false, 1 + generate_subscripts(replies, 1), unnest(replies),
                   NULL, NULL
            FROM (SELECT _line, ss_json_list(rec, '$.replies.comments') AS replies
                  FROM items WHERE thread AND NOT _bad)
            WHERE len(replies) > 0
        )
        SELECT (row_number() OVER (ORDER BY _line, _i) - 1)::BIGINT AS _ord, * FROM each
        """
    )
    relation = f"{staged.table}_cand"
    downloader = "c->>'cid' IS NOT NULL"
    parent = ("coalesce(c->'snippet'->>'parentId', CASE WHEN c->>'cid' LIKE '%.%' "
              "THEN split_part(c->>'cid', '.', 1) END)")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT _line, {post_prologue(
                    f"'{PLATFORM}'", "ss_id(coalesce(c->>'id', c->>'cid'))",
                    "ss_id(coalesce(c->'snippet'->'authorChannelId'->>'value', c->>'channel'))",
                    "coalesce(c->'snippet'->>'publishedAt', c->>'time_parsed')",
                    skip="CASE WHEN _empty THEN 'response without comments' "
                         "WHEN _bad THEN 'malformed JSON' "
                         "WHEN json_type(c) <> 'OBJECT' THEN 'wrong JSON type' END")},
            CASE WHEN {parent} IS NOT NULL OR video IS NOT NULL
                      OR c->'snippet'->>'videoId' IS NOT NULL AND NOT {downloader}
                 THEN 'reply' ELSE 'post' END AS kind,
            coalesce(c->'snippet'->>'textOriginal', c->'snippet'->>'textDisplay', c->>'text')
                AS text,
            CAST(NULL AS VARCHAR) AS lang, CAST(NULL AS VARCHAR) AS client,
            CAST(NULL AS VARCHAR) AS repost_of_post, CAST(NULL AS VARCHAR) AS repost_of_account,
            ss_id(coalesce({parent}, video,
                           CASE WHEN NOT {downloader} THEN c->'snippet'->>'videoId' END))
                AS reply_to_post,
            ss_id(CASE WHEN {parent} IS NULL
                       THEN coalesce(video_channel, c->'snippet'->>'channelId') END)
                AS reply_to_account,
            CAST(NULL AS VARCHAR) AS quote_of_post,
            CAST([] AS VARCHAR[]) AS urls, CAST([] AS VARCHAR[]) AS hashtags,
            ss_text_mentions(coalesce(c->'snippet'->>'textOriginal', c->>'text')) AS mentions,
            CAST([] AS VARCHAR[]) AS media, c AS _comment
        FROM {comments}
        """
    )
    accounts = f"{staged.table}_acc"
    profile = {"handle": "coalesce(c->'snippet'->>'authorDisplayName', c->>'author')",
               "profile_image": "coalesce(c->'snippet'->>'authorProfileImageUrl', "
                                "c->>'photo')"}
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {accounts} AS
        SELECT '{PLATFORM}' AS platform, account_id,
               {latest_profile(profile, "(created_at, _ord)")}, false AS has_profile
        FROM (SELECT account_id, created_at, _ord, _comment AS c FROM {relation}
              WHERE account_id IS NOT NULL AND created_at IS NOT NULL AND _skip IS NULL)
        GROUP BY account_id
        """
    )
    return staged, Candidates("posts", relation, FIELDS, accounts, "created_at",
                              position="_line")
