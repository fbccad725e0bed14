"""X/Twitter tweets as snscrape writes them (``snscrape --jsonl twitter-search …``): one
``snscrape.modules.twitter.Tweet`` per line.

snscrape 0.5 and later write ``rawContent`` and ``links`` (objects with ``url``); older
versions ``content`` and ``outlinks`` (strings); ``media`` is a list of photos and
videos, or (0.7) an object of ``photos``, ``videos`` and ``animated``: all are read.
A retweet's entities are the retweeted tweet's, as in the v1.1 reader;
``mentionedUsers`` gives the mentions (ids), ``user`` the author's profile.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import (
    embedded_profiles,
    json_types,
    post_kind,
    post_prologue,
    wrong_json_types,
)
from sockscope.ingest.staging import Staged

NAME = "snscrape"
PLATFORM = "twitter"
FIELDS = {"post_id": "id", "account_id": "user.id", "created_at": "date"}
PROFILE = {
    "handle": "u->>'username'", "display_name": "u->>'displayname'",
    "description": "coalesce(u->>'rawDescription', u->>'description')",
    "created_at": "ss_parse_time(u->>'created')",
    "followers": "TRY_CAST(u->>'followersCount' AS BIGINT)",
    "following": "TRY_CAST(u->>'friendsCount' AS BIGINT)", "location": "u->>'location'",
    "profile_image": "u->>'profileImageUrl'",
}
LISTS = ["links", "outlinks", "hashtags", "mentionedUsers"]
OBJECTS = ["user", "retweetedTweet", "quotedTweet", "inReplyToUser"]


def sniff(source: Source) -> str | None:
    """The format name if this file holds snscrape tweets, else None."""
    first = source.first_object
    if source.container == "jsonl" and isinstance(first, dict) and (
            str(first.get("_type", "")).startswith("snscrape.modules.twitter.")
            or ({"url", "date", "user"} <= set(first) and isinstance(first["user"], dict)
                and "username" in first["user"]
                and ("rawContent" in first or "renderedContent" in first))):
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    relation = f"{staged.table}_cand"
    wrong, wrong_field = wrong_json_types("js", LISTS, OBJECTS, types="_types")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH t AS (
            SELECT *, ss_json_object(js, '$.retweetedTweet') AS rt,
                   coalesce(ss_json_object(js, '$.retweetedTweet'), js) AS shown,
                   {json_types("js", LISTS, OBJECTS)} AS _types
            FROM {values}
        )
        SELECT {post_prologue(f"'{PLATFORM}'", "ss_id(js->>'id')", "ss_id(js->'user'->>'id')",
                              "js->>'date'",
                              skip=f"CASE WHEN _bad THEN 'malformed JSON' "
                                   f"WHEN json_type(js) <> 'OBJECT' OR {wrong} "
                                   "THEN 'wrong JSON type' END",
                              skip_field=f"CASE WHEN NOT _bad AND json_type(js) = 'OBJECT' "
                                         f"THEN {wrong_field} END")},
            {post_kind("rt IS NOT NULL", "ss_id(js->>'inReplyToTweetId') IS NOT NULL",
                       "json_type(js, '$.quotedTweet') = 'OBJECT'")} AS kind,
            coalesce(js->>'rawContent', js->>'content', js->>'renderedContent') AS text,
            js->>'lang' AS lang,
            coalesce(js->>'sourceLabel',
                     nullif(trim(regexp_replace(js->>'source', '<[^>]*>', '', 'g')), ''))
                AS client,
            ss_id(rt->>'id') AS repost_of_post, ss_id(rt->'user'->>'id') AS repost_of_account,
            ss_id(js->>'inReplyToTweetId') AS reply_to_post,
            ss_id(js->'inReplyToUser'->>'id') AS reply_to_account,
            ss_id(js->'quotedTweet'->>'id') AS quote_of_post,
            coalesce(CASE WHEN json_type(shown, '$.links') = 'ARRAY'
                          THEN list_transform(ss_json_list(shown, '$.links'),
                                              lambda l: l->>'url')
                          ELSE CAST(json_extract_string(shown, '$.outlinks[*]')
                                    AS VARCHAR[]) END, []) AS urls,
            coalesce(CAST(json_extract_string(shown, '$.hashtags[*]') AS VARCHAR[]), [])
                AS hashtags,
            coalesce(list_transform(ss_json_list(shown, '$.mentionedUsers'),
                                    lambda m: m->>'id'), []) AS mentions,
            CASE WHEN json_type(shown, '$.media') = 'OBJECT'  -- snscrape 0.7: by kind
                 THEN coalesce(list_concat(
                     CAST(json_extract_string(shown, '$.media.photos[*].url') AS VARCHAR[]),
                     CAST(json_extract_string(shown, '$.media.videos[*].thumbnailUrl')
                          AS VARCHAR[]),
                     CAST(json_extract_string(shown, '$.media.animated[*].thumbnailUrl')
                          AS VARCHAR[])), [])
                 ELSE coalesce(list_transform(ss_json_list(shown, '$.media'),
                          lambda m: coalesce(m->>'fullUrl', m->>'thumbnailUrl',
                                             m->>'previewUrl')), []) END AS media
        FROM t
        """
    )
    users = f"{staged.table}_users"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {users} AS " + embedded_profiles(
        values, "js", relation, "$.user", "u", PROFILE, f"'{PLATFORM}'"))
    return staged, Candidates("posts", relation, FIELDS, users, "created_at")
