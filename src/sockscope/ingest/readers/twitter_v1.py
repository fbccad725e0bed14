"""Twitter API v1.1 tweets, one per line (twarc1, streaming dumps), as a JSON array, or in
search responses saved whole (``{"statuses": [...], "search_metadata": {...}}``, one per
line or pretty-printed: each tweet of a page is its own record).

Retweets take their entities from ``retweeted_status`` (the retweet's own entities
describe a truncated "RT @user: ..." text); extended tweets from ``extended_tweet``.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import page_records, stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import (
    embedded_profiles,
    parsed_once,
    post_kind,
    post_prologue,
    wrong_json_types,
)
from sockscope.ingest.staging import Staged

NAME = "twitter-v1"
PLATFORM = "twitter"
FIELDS = {"post_id": "id_str", "account_id": "user.id_str", "created_at": "created_at"}
PROFILE = {  # the v1.1 user object
    "handle": "u->>'screen_name'", "display_name": "u->>'name'",
    "description": "u->>'description'", "created_at": "ss_parse_time(u->>'created_at')",
    "followers": "TRY_CAST(u->>'followers_count' AS BIGINT)",
    "following": "TRY_CAST(u->>'friends_count' AS BIGINT)", "location": "u->>'location'",
    "lang": "u->>'lang'",
    "profile_image": "coalesce(u->>'profile_image_url_https', u->>'profile_image_url')",
}


def sniff(source: Source) -> str | None:
    """The format name if this file looks like one this module reads, else None."""
    first = source.first_object
    if source.container in ("jsonl", "json") and isinstance(first, dict) and (
            isinstance(first.get("statuses"), list)
            or ("id_str" in first and ("user" in first or "full_text" in first
                                       or "in_reply_to_status_id_str" in first))):
        return NAME
    return None


LISTS = ["entities.urls", "entities.hashtags", "entities.user_mentions",
         "extended_entities.media"]
SCALARS = ["id_str", "id", "user.id_str", "user.id", "created_at", "in_reply_to_status_id_str",
           "quoted_status_id_str", "extended_tweet.full_text", "full_text", "text", "lang",
           "source", "retweeted_status.id_str", "retweeted_status.id",
           "retweeted_status.user.id_str", "retweeted_status.user.id",
           "in_reply_to_user_id_str"]
PARTS = ["retweeted_status", "retweeted_status.extended_tweet.entities",
         "retweeted_status.entities", "extended_tweet.entities", "entities",
         "retweeted_status.extended_entities", "extended_tweet.extended_entities",
         "extended_entities"]
OBJECTS = ["user", "entities", "extended_entities", "retweeted_status", "extended_tweet"]


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    # (JSON arrays and pretty-printed documents arrive as JSON lines: ingest/documents.py)
    staged, values = stage_json_values(con, source)
    records = f"{staged.table}_rec"
    page_records(con, values, records, "$.statuses")  # search pages: a record per tweet
    tweets = f"{staged.table}_tw"
    con.execute(f"""CREATE OR REPLACE TEMP VIEW {tweets} AS
                    SELECT * EXCLUDE (_bad, rec), _bad OR _empty AS _bad, rec AS tw
                    FROM {records}""")
    relation = f"{staged.table}_cand"
    wrong, wrong_field = wrong_json_types("tw", LISTS, OBJECTS, types="_types")
    # every JSON function call parses the whole tweet: the scalars and the sub-objects
    # are taken in one call each, by position in these lists
    s = {name: f"_s[{i}]" for i, name in enumerate(SCALARS, start=1)}
    o = {name: f"_o[{i}]" for i, name in enumerate(PARTS, start=1)}
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH parsed AS (
            SELECT *, {parsed_once("tw", SCALARS, PARTS, LISTS, OBJECTS)} FROM {tweets}
        ), t AS (
            SELECT *, CASE WHEN tw IS NOT NULL AND json_type(tw) <> 'OBJECT' THEN '$'
                           WHEN {wrong} THEN {wrong_field} END AS _wrong,
                   {o['retweeted_status']} AS rs,
                   coalesce({o['retweeted_status.extended_tweet.entities']},
                            {o['retweeted_status.entities']}, {o['extended_tweet.entities']},
                            {o['entities']}, '{{}}') AS ent,
                   coalesce({o['retweeted_status.extended_entities']},
                            {o['extended_tweet.extended_entities']},
                            {o['extended_entities']}, '{{}}') AS xent
            FROM parsed
        )
        SELECT _line, {post_prologue(f"'{PLATFORM}'", f"ss_id(coalesce({s['id_str']}, {s['id']}))",
                              f"ss_id(coalesce({s['user.id_str']}, {s['user.id']}))",
                              s["created_at"],
                              skip="CASE WHEN _empty THEN 'search page without tweets' "
                              "WHEN _bad THEN 'malformed JSON' WHEN _wrong IS NOT "
                              "NULL THEN 'wrong JSON type' END", skip_field="_wrong")},
            {post_kind("rs IS NOT NULL",
                       f"ss_id({s['in_reply_to_status_id_str']}) IS NOT NULL",
                       f"ss_id({s['quoted_status_id_str']}) IS NOT NULL")} AS kind,
            coalesce({s['extended_tweet.full_text']}, {s['full_text']}, {s['text']}) AS text,
            {s['lang']} AS lang,
            nullif(trim(regexp_replace({s['source']}, '<[^>]*>', '', 'g')), '') AS client,
            ss_id(coalesce({s['retweeted_status.id_str']}, {s['retweeted_status.id']}))
                AS repost_of_post,
            ss_id(coalesce({s['retweeted_status.user.id_str']},
                           {s['retweeted_status.user.id']})) AS repost_of_account,
            ss_id({s['in_reply_to_status_id_str']}) AS reply_to_post,
            ss_id({s['in_reply_to_user_id_str']}) AS reply_to_account,
            ss_id({s['quoted_status_id_str']}) AS quote_of_post,
            coalesce(list_transform(ss_json_list(ent, '$.urls'),
                lambda u: coalesce(u->'unwound'->>'url', u->>'expanded_url', u->>'url')),
                []) AS urls,
            coalesce(json_extract_string(ent, '$.hashtags[*].text'), []) AS hashtags,
            coalesce(json_extract_string(ent, '$.user_mentions[*].id_str'), []) AS mentions,
            coalesce(json_extract_string(xent, '$.media[*].media_url_https'), []) AS media
        FROM t
        """
    )
    users = f"{staged.table}_users"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {users} AS " + embedded_profiles(
        tweets, "tw", relation, "$.user", "u", PROFILE, f"'{PLATFORM}'"))
    return staged, Candidates("posts", relation, FIELDS, users, "created_at",
                              position="_line")
