"""Bluesky posts (``app.bsky.feed.post`` records) and reposts, one JSON object per line,
in the layouts researchers collect them in:

- **Jetstream** events (``{"did", "time_us", "kind": "commit", "commit": {"operation",
  "collection", "rkey", "record"}}``): creations of posts and reposts are read; other
  collections (likes, follows) and other operations (deletes) are counted skips;
- **API views**: ``PostView`` objects (``searchPosts``, ``getPosts``: ``uri``, ``author``,
  ``record``) and feed items that wrap one in ``post`` (``getAuthorFeed``, ``getTimeline``;
  the item is the post itself, by its author);
- **flat collector lines**: ``uri``, ``author`` (a DID) or ``did``, ``text``,
  ``createdAt`` at the top level;
- **repository exports** (``.car``): turned into lines of ``uri``, ``did`` and
  ``record`` by ``sockscope.ingest.car`` before this reader sees them.

A post's id is its ``at://`` URI; its account, the author's DID. Replies, quotes
(``app.bsky.embed.record`` and ``recordWithMedia``) and reposts name the URI they point
at, and its author's DID (the URI's authority). Links come from link facets and external
embeds, mentions (DIDs) and hashtags from facets and ``tags``.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import latest_profile, post_kind, post_prologue
from sockscope.ingest.staging import Staged

NAME = "bluesky"
PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
FIELDS = {"post_id": "uri", "account_id": "did", "created_at": "createdAt"}


def sniff(source: Source) -> str | None:
    """The format name if this file holds Bluesky records, else None."""
    first = source.first_object
    if source.container != "jsonl" or not isinstance(first, dict):
        return None
    if {"did", "time_us", "kind"} <= set(first):  # Jetstream
        return NAME
    view = first.get("post") if isinstance(first.get("post"), dict) else first
    uri = str(view.get("uri", ""))
    if uri.startswith("at://") and (isinstance(view.get("record"), dict)
                                    or {"text", "createdAt"} <= set(view)):
        return NAME
    return None


# what a line is when it is no post or repost creation
SKIP = f"""CASE WHEN _bad THEN 'malformed JSON'
    WHEN json_type(js) <> 'OBJECT' THEN 'wrong JSON type'
    WHEN jetstream AND coalesce(v->>'kind', '') <> 'commit'
    THEN 'not a post (' || coalesce(v->>'kind', '?') || ')'
    WHEN jetstream AND v->'commit'->>'operation' <> 'create'
    THEN 'not a creation (' || (v->'commit'->>'operation') || ')'
    WHEN collection NOT IN ('{POST}', '{REPOST}')
    THEN 'not a post (' || collection || ')' END"""
SKIP_FIELD = f"""CASE WHEN NOT _bad AND json_type(js) = 'OBJECT'
    AND (jetstream AND (coalesce(v->>'kind', '') <> 'commit'
                        OR v->'commit'->>'operation' <> 'create')
         OR collection NOT IN ('{POST}', '{REPOST}'))
    THEN CASE WHEN jetstream THEN 'kind' ELSE '$type' END END"""


def _features(kind: str, value: str) -> str:
    """SQL: the ``value`` of each rich-text facet feature of ``kind`` (link, tag,
    mention), NULL for the others."""
    return (f"list_transform(features, lambda x: CASE WHEN ends_with("
            f"json_extract_string(x, '$.\"$type\"'), '#{kind}') THEN x->>'{value}' END)")


def _did_of(uri: str) -> str:
    """SQL: the DID (authority) of an ``at://`` URI."""
    return f"nullif(regexp_extract({uri}, '^at://([^/]+)/', 1), '')"


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH lines AS (
            SELECT _ord, _bad, js,
                   CASE WHEN json_type(js, '$.post') = 'OBJECT'
                        THEN json_extract(js, '$.post') ELSE js END AS v
            FROM {values}
        ), b AS (
            SELECT *,
                   json_type(js, '$.commit') = 'OBJECT' OR js->>'kind' IS NOT NULL AS jetstream,
                   coalesce(json_extract(v, '$.commit.record'), json_extract(v, '$.record'),
                            v) AS rec,
                   coalesce(v->'commit'->>'collection',
                            json_extract_string(v, '$.record."$type"'), '{POST}') AS collection,
                   coalesce(CASE WHEN v->>'did' IS NOT NULL AND v->'commit'->>'rkey' IS NOT NULL
                                 THEN 'at://' || (v->>'did') || '/' ||
                                      (v->'commit'->>'collection') || '/' ||
                                      (v->'commit'->>'rkey') END,
                            v->>'uri') AS uri,
                   coalesce(v->>'did', v->'author'->>'did',
                            CASE WHEN json_type(v, '$.author') = 'VARCHAR'
                                 THEN v->>'author' END,
                            {_did_of("v->>'uri'")}) AS did
            FROM lines
        ), r AS (
            SELECT *,
                   coalesce(rec->'embed'->'record'->'record'->>'uri',
                            rec->'embed'->'record'->>'uri') AS quoted,
                   coalesce(list_transform(ss_json_list(rec, '$.facets'),
                                           lambda f: ss_json_list(f, '$.features')), [])
                       AS feature_lists
            FROM b
        ), f AS (
            SELECT *, flatten(feature_lists) AS features FROM r
        )
        SELECT {post_prologue(f"'{PLATFORM}'", "ss_id(uri)", "ss_id(did)",
                              "coalesce(rec->>'createdAt', v->>'createdAt')",
                              skip=SKIP, skip_field=SKIP_FIELD)},
            {post_kind(f"collection = '{REPOST}'",
                       "rec->'reply'->'parent'->>'uri' IS NOT NULL",
                       "quoted IS NOT NULL")} AS kind,
            CASE WHEN collection = '{POST}' THEN rec->>'text' END AS text,
            rec->'langs'->>0 AS lang, CAST(NULL AS VARCHAR) AS client,
            ss_id(rec->'subject'->>'uri') AS repost_of_post,
            ss_id({_did_of("rec->'subject'->>'uri'")}) AS repost_of_account,
            ss_id(rec->'reply'->'parent'->>'uri') AS reply_to_post,
            ss_id({_did_of("rec->'reply'->'parent'->>'uri'")}) AS reply_to_account,
            ss_id(quoted) AS quote_of_post,
            list_filter(list_concat({_features("link", "uri")},
                                    [rec->'embed'->'external'->>'uri',
                                     rec->'embed'->'media'->'external'->>'uri']),
                        lambda u: u IS NOT NULL) AS urls,
            list_distinct(list_filter(list_concat(
                {_features("tag", "tag")},
                coalesce(CAST(json_extract_string(rec, '$.tags[*]') AS VARCHAR[]), [])),
                lambda t: t IS NOT NULL)) AS hashtags,
            list_filter({_features("mention", "did")}, lambda d: d IS NOT NULL) AS mentions,
            CAST([] AS VARCHAR[]) AS media,
            v AS _view
        FROM f
        """
    )
    accounts = f"{staged.table}_acc"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {accounts} AS
        SELECT '{PLATFORM}' AS platform, account_id,
               {latest_profile({"handle": "coalesce(_view->'author'->>'handle', _view->>'handle')",
                                "display_name": "_view->'author'->>'displayName'",
                                "profile_image": "_view->'author'->>'avatar'"},
                               "(created_at, _ord)")},
               coalesce(bool_or(json_type(_view, '$.author') = 'OBJECT'), false)
                   AS has_profile
        FROM {relation}
        WHERE account_id IS NOT NULL AND created_at IS NOT NULL AND _skip IS NULL
        GROUP BY account_id
        """
    )
    return staged, Candidates("posts", relation, FIELDS, accounts, "created_at")
