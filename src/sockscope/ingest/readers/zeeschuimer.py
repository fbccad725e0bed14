"""Zeeschuimer's NDJSON exports (the browser extension that feeds 4CAT): one captured
item per line, ``{"id", "item_id", "timestamp_collected", "source_platform", …,
"data": {…}}``, ``data`` holding the platform's own object.

Read here:

- **TikTok** (``source_platform`` tiktok.com): ``data.id``, ``data.desc``,
  ``data.createTime`` (epoch seconds), ``data.author`` (an object with ``id``,
  ``uniqueId``, ``nickname``; or, in items taken from a page's embedded JSON, the
  ``uniqueId`` alone, then the account is that handle), hashtags and mentions from
  ``textExtra``; a duet (``duetInfo.duetFromId``) quotes the video it answers.
- **Instagram** (instagram.com): the API's media objects (``id``, ``taken_at``,
  ``caption.text``, ``user.pk``/``user.username``) and the older web pages' ``node``
  objects (``owner.id``, ``taken_at_timestamp``, ``edge_media_to_caption``); hashtags
  and mentions from the caption.

Items of other platforms are counted skips naming the platform: 4CAT reads those.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import latest_profile, post_kind, post_prologue
from sockscope.ingest.staging import Staged

NAME = "zeeschuimer"
FIELDS = {"post_id": "data.id", "account_id": "data.author.id", "created_at": "data.createTime"}
PLATFORMS = {"tiktok.com": "tiktok", "instagram.com": "instagram"}


def sniff(source: Source) -> str | None:
    """The format name if this file is a Zeeschuimer export, else None."""
    first = source.first_object
    if (source.container == "jsonl" and isinstance(first, dict)
            and {"source_platform", "data"} <= set(first)
            and ("item_id" in first or "timestamp_collected" in first)):
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    relation = f"{staged.table}_cand"
    platform = ("CASE js->>'source_platform' " + " ".join(
        f"WHEN '{domain}' THEN '{name}'" for domain, name in PLATFORMS.items()) + " END")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH z AS (
            SELECT _ord, _bad, js, {platform} AS site,
                   coalesce(json_extract(js, '$.data.node'), json_extract(js, '$.data')) AS d
            FROM {values}
        ), p AS (
            SELECT *,
                CASE site WHEN 'tiktok' THEN coalesce(d->'author'->>'id',
                                                      CASE WHEN json_type(d, '$.author')
                                                           = 'VARCHAR' THEN d->>'author' END)
                          ELSE coalesce(d->'user'->>'pk', d->'user'->>'id', d->'owner'->>'id')
                          END AS author,
                CASE site WHEN 'tiktok' THEN d->>'desc'
                          ELSE coalesce(d->'caption'->>'text',
                                        d->'edge_media_to_caption'->'edges'->0->'node'->>'text')
                          END AS body,
                CASE site WHEN 'tiktok' THEN d->>'createTime'
                          ELSE coalesce(d->>'taken_at', d->>'taken_at_timestamp') END AS posted,
                CASE WHEN site = 'tiktok' AND coalesce(d->'duetInfo'->>'duetFromId', '0') <> '0'
                     THEN d->'duetInfo'->>'duetFromId' END AS duet_of
            FROM z
        )
        SELECT {post_prologue("coalesce(site, 'zeeschuimer')", "ss_id(d->>'id')", "ss_id(author)",
                              "posted",
                              skip="CASE WHEN _bad THEN 'malformed JSON' "
                                   "WHEN json_type(js) <> 'OBJECT' OR json_type(d) <> 'OBJECT' "
                                   "THEN 'wrong JSON type' WHEN site IS NULL THEN 'not read "
                                   "here (' || coalesce(js->>'source_platform', '?') || "
                                   "' items: import them into 4CAT)' END",
                              skip_field="CASE WHEN NOT _bad AND site IS NULL "
                                         "THEN 'source_platform' END")},
            {post_kind("false", "false", "duet_of IS NOT NULL")} AS kind,
            body AS text, CAST(NULL AS VARCHAR) AS lang, CAST(NULL AS VARCHAR) AS client,
            CAST(NULL AS VARCHAR) AS repost_of_post, CAST(NULL AS VARCHAR) AS repost_of_account,
            CAST(NULL AS VARCHAR) AS reply_to_post, CAST(NULL AS VARCHAR) AS reply_to_account,
            ss_id(duet_of) AS quote_of_post,
            CAST([] AS VARCHAR[]) AS urls,
            CASE WHEN site = 'tiktok' AND json_type(d, '$.textExtra') = 'ARRAY'
                 THEN list_filter(list_transform(ss_json_list(d, '$.textExtra'),
                                                 lambda x: nullif(x->>'hashtagName', '')),
                                  lambda h: h IS NOT NULL)
                 ELSE regexp_extract_all(coalesce(body, ''), '#(\\w+)', 1) END AS hashtags,
            CASE WHEN site = 'tiktok' AND json_type(d, '$.textExtra') = 'ARRAY'
                 THEN list_filter(list_transform(ss_json_list(d, '$.textExtra'),
                                                 lambda x: lower(nullif(x->>'userUniqueId', ''))),
                                  lambda m: m IS NOT NULL)
                 ELSE ss_text_mentions(body) END AS mentions,
            CAST([] AS VARCHAR[]) AS media, d AS _item
        FROM p
        """
    )
    accounts = f"{staged.table}_acc"
    profile = {
        "handle": "coalesce(d->'author'->>'uniqueId', CASE WHEN json_type(d, '$.author') = "
                  "'VARCHAR' THEN d->>'author' END, d->'user'->>'username', "
                  "d->'owner'->>'username')",
        "display_name": "coalesce(d->'author'->>'nickname', d->>'nickname', "
                        "d->'user'->>'full_name')",
        "description": "d->'author'->>'signature'",
        "followers": "TRY_CAST(d->'authorStats'->>'followerCount' AS BIGINT)",
    }
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {accounts} AS
        SELECT platform, account_id, {latest_profile(profile, "(created_at, _ord)")},
               false AS has_profile
        FROM (SELECT platform, account_id, created_at, _ord, _item AS d FROM {relation}
              WHERE account_id IS NOT NULL AND created_at IS NOT NULL AND _skip IS NULL)
        GROUP BY platform, account_id
        """
    )
    return staged, Candidates("posts", relation, FIELDS, accounts, "created_at")
