"""Twitter API v2: twarc2 JSON lines (response pages with ``data`` and ``includes``,
or one flattened tweet per line) and the flat CSV written by twarc-csv.

Referenced tweets in ``includes.tweets`` are used only to learn who wrote a reposted
or quoted tweet; they are not ingested as posts (they are context, not the sample).
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import (
    ColumnPicker,
    ident,
    json_strings,
    latest_profile,
    parsed_once,
    post_kind,
    post_prologue,
    wrong_json_types,
)
from sockscope.ingest.staging import Staged, stage_csv

JSONL = "twitter-v2-jsonl"
CSV = "twarc-csv"
PLATFORM = "twitter"
FIELDS = {"post_id": "id", "account_id": "author_id", "created_at": "created_at"}
USER_OBJECT = {  # an API v2 user object (includes.users, or a flattened tweet's author)
    "handle": "u->>'username'", "display_name": "u->>'name'",
    "description": "u->>'description'", "created_at": "ss_parse_time(u->>'created_at')",
    "followers": "TRY_CAST(u->'public_metrics'->>'followers_count' AS BIGINT)",
    "following": "TRY_CAST(u->'public_metrics'->>'following_count' AS BIGINT)",
    "location": "u->>'location'", "profile_image": "u->>'profile_image_url'",
}


def sniff(source: Source) -> str | None:
    """The format name if this file looks like one this module reads, else None."""
    first = source.first_object
    if source.container == "jsonl" and isinstance(first, dict):
        if "source_platform" in first:
            return None  # Zeeschuimer/4CAT items wrap other platforms' posts in "data"
        data = first.get("data")
        sample = data[0] if isinstance(data, list) and data else data
        if _is_tweet(sample) or (isinstance(first.get("includes"), dict)
                                 and isinstance(data, list)):
            return JSONL
        if _is_tweet(first) and "author_id" in first and "id_str" not in first:
            return JSONL
    if source.container == "csv":
        cols = set(source.columns)
        if {"id", "author_id", "created_at", "text"} <= cols and (
            "author.username" in cols or "referenced_tweets.retweeted.id" in cols
            or "__twarc.retrieved_at" in cols
        ):
            return CSV
    return None


def _is_tweet(record: object) -> bool:
    """An API v2 tweet: an object with a string id and a text (the two fields every
    tweet has, whatever fields were asked for)."""
    return (isinstance(record, dict) and isinstance(record.get("id"), str)
            and isinstance(record.get("text"), str))


def _ref(kind: str) -> str:
    """The referenced tweet of ``kind`` (retweeted, replied_to, quoted), from the
    ``refs`` list taken once from the tweet."""
    return f"list_filter(refs, lambda r: r->>'type' = '{kind}')[1]"


# a tweet's fields taken in one call each (every JSON call parses the whole tweet)
SCALARS = ["id", "author_id", "created_at", "note_tweet.text", "text", "lang", "source",
           "in_reply_to_user_id"]
PARTS = ["referenced_tweets", "entities", "attachments.media_keys"]


PAGE_LISTS = ["includes.users", "includes.tweets"]
TWEET_LISTS = ["referenced_tweets", "entities.urls", "entities.mentions", "entities.hashtags",
               "attachments.media_keys"]
TWEET_OBJECTS = ["entities", "attachments", "note_tweet", "author"]


def read_jsonl(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    tweets = f"{staged.table}_tw"
    page_wrong, page_field = wrong_json_types("js", PAGE_LISTS)
    # one row per tweet: a page's tweets share its line (_line) but each is its own
    # record (_ord), so one bad tweet never takes its page-mates with it
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {tweets} AS
        SELECT (row_number() OVER (ORDER BY _ord, _i) - 1)::BIGINT AS _ord, _ord AS _line,
               _bad, _error, _page_wrong, tw
        FROM (
            SELECT _ord, _bad, _error, _page_wrong, unnest(items) AS tw,
                   unnest(range(len(items))) AS _i
            FROM (
                SELECT _ord, _bad,
                       NOT _bad AND json_exists(js, '$.errors') AND NOT json_exists(js, '$.data')
                           AS _error,
                       CASE WHEN _bad THEN NULL
                            WHEN json_exists(js, '$.data')
                                 AND json_type(js, '$.data') NOT IN ('ARRAY', 'OBJECT')
                                THEN 'data'
                            WHEN {page_wrong} THEN {page_field} END AS _page_wrong,
                       CASE WHEN _bad THEN [CAST(NULL AS JSON)]
                            WHEN json_type(js, '$.data') = 'ARRAY'
                                 AND json_array_length(js, '$.data') > 0
                                THEN CAST(json_extract(js, '$.data') AS JSON[])
                            WHEN json_type(js, '$.data') = 'OBJECT'
                                THEN [json_extract(js, '$.data')]
                            ELSE [js] END AS items
                FROM {values}))
        """
    )
    refs = f"{staged.table}_refs"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {refs} AS
        SELECT DISTINCT ON (id) id, author_id FROM (
            SELECT t->>'id' AS id, t->>'author_id' AS author_id
            FROM (SELECT unnest(ss_json_list(js, '$.includes.tweets')) AS t
                  FROM {values} WHERE NOT _bad))
        WHERE id IS NOT NULL AND author_id IS NOT NULL
        ORDER BY id, author_id
        """
    )
    relation = f"{staged.table}_cand"
    wrong, wrong_field = wrong_json_types("tw", TWEET_LISTS, TWEET_OBJECTS, types="_types")
    v = {name: f"_s[{i}]" for i, name in enumerate(SCALARS, start=1)}

    skip = ("CASE WHEN _bad THEN 'malformed JSON' WHEN _error THEN 'API error record' "
            f"WHEN _page_wrong IS NOT NULL OR {wrong} THEN 'wrong JSON type' END")
    skip_field = f"CASE WHEN _page_wrong IS NOT NULL THEN _page_wrong WHEN {wrong} " \
                 f"THEN {wrong_field} END"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH parsed AS (
            SELECT *, {parsed_once("tw", SCALARS, PARTS, TWEET_LISTS, TWEET_OBJECTS)}
            FROM {tweets}
        ), r AS (
            SELECT *, coalesce(ss_json_list_of(_o[1]), []) AS refs FROM parsed
        ), t AS (
            SELECT *, {_ref('retweeted')} AS rt, {_ref('replied_to')} AS rp,
                   {_ref('quoted')} AS qt,
                   CASE WHEN json_type(_o[2]) = 'OBJECT' THEN _o[2] ELSE '{{}}' END AS ent
            FROM r
        )
        SELECT _line, {post_prologue(f"'{PLATFORM}'", f"ss_id({v['id']})",
                                     f"ss_id({v['author_id']})", v["created_at"],
                                     skip=skip, skip_field=skip_field)},
            {post_kind("rt IS NOT NULL", "rp IS NOT NULL", "qt IS NOT NULL")} AS kind,
            coalesce({v['note_tweet.text']}, {v['text']}) AS text,
            {v['lang']} AS lang,
            {v['source']} AS client,
            rt->>'id' AS repost_of_post,
            coalesce(rt->>'author_id', included.author_id) AS repost_of_account,
            rp->>'id' AS reply_to_post,
            {v['in_reply_to_user_id']} AS reply_to_account,
            qt->>'id' AS quote_of_post,
            coalesce(list_transform(ss_json_list(ent, '$.urls'),
                lambda u: coalesce(u->>'unwound_url', u->>'expanded_url', u->>'url')),
                []) AS urls,
            coalesce(list_transform(ss_json_list(ent, '$.hashtags'), lambda h: h->>'tag'), [])
                AS hashtags,
            coalesce(list_transform(ss_json_list(ent, '$.mentions'),
                lambda m: coalesce(m->>'id', lower(m->>'username'))), []) AS mentions,
            coalesce(list_transform(ss_json_list_of(_o[3]), lambda k: k->>'$'), []) AS media
        FROM t LEFT JOIN {refs} included ON included.id = rt->>'id'
        """
    )
    users = f"{staged.table}_users"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {users} AS
        WITH u AS (
            SELECT _ord, unnest(ss_json_list(js, '$.includes.users')) AS u
            FROM {values} WHERE NOT _bad
            UNION ALL
            SELECT _line, json_extract(tw, '$.author') AS u FROM {tweets}
            WHERE NOT _bad AND json_type(tw, '$.author') = 'OBJECT'
        )
        SELECT '{PLATFORM}' AS platform, u->>'id' AS account_id,
            {latest_profile(USER_OBJECT, "_ord")},
            true AS has_profile
        FROM u WHERE u->>'id' IS NOT NULL GROUP BY u->>'id'
        """
    )
    return staged, Candidates("posts", relation, FIELDS, users, "created_at",
                              position="_line")


def read_csv(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)

    def json_column(column: str, *keys: str, strip: str = "", lower: bool = False) -> str:
        """A column holding a JSON list, of objects or (twarc-csv >= 0.7) of strings."""
        name = c.name(column)
        if not name:
            return "CAST([] AS VARCHAR[])"
        items = (f"ss_json_list(CASE WHEN json_valid({ident(name)}) THEN "
                 f"CAST({ident(name)} AS JSON) END, '$')")
        return f"coalesce({json_strings(items, *keys, strip=strip, lower=lower)}, [])"

    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT {post_prologue(f"'{PLATFORM}'", f"ss_id({c('id')})", f"ss_id({c('author_id')})",
                              c("created_at"))},
            {post_kind(f'ss_id({c("referenced_tweets.retweeted.id")}) IS NOT NULL',
                       f'ss_id({c("referenced_tweets.replied_to.id")}) IS NOT NULL',
                       f'ss_id({c("referenced_tweets.quoted.id")}) IS NOT NULL')} AS kind,
            {c("text")} AS text,
            {c("lang")} AS lang,
            {c("source")} AS client,
            ss_id({c("referenced_tweets.retweeted.id")}) AS repost_of_post,
            ss_id({c("retweeted_user_id", "referenced_tweets.retweeted.author_id")})
                AS repost_of_account,
            ss_id({c("referenced_tweets.replied_to.id")}) AS reply_to_post,
            ss_id({c("in_reply_to_user_id")}) AS reply_to_account,
            ss_id({c("referenced_tweets.quoted.id")}) AS quote_of_post,
            {json_column("entities.urls", "unwound_url", "expanded_url", "url")} AS urls,
            {json_column("entities.hashtags", "tag", strip="#")} AS hashtags,
            {json_column("entities.mentions", "id", strip="@", lower=True)} AS mentions,
            coalesce(ss_parse_list({c("attachments.media_keys")}), []) AS media
        FROM {staged.table}
        """
    )
    accounts = None
    if c.has("author.username"):
        author = {  # the author.* columns of twarc-csv
            "handle": c("author.username"), "display_name": c("author.name"),
            "description": c("author.description"),
            "created_at": f"ss_parse_time({c('author.created_at')})",
            "followers": f"ss_parse_int({c('author.public_metrics.followers_count')})",
            "following": f"ss_parse_int({c('author.public_metrics.following_count')})",
            "location": c("author.location"), "profile_image": c("author.profile_image_url"),
        }
        accounts = f"{staged.table}_acc"
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {accounts} AS
            SELECT '{PLATFORM}' AS platform, account_id,
                {latest_profile(author, "_ord")},
                true AS has_profile
            FROM {staged.table} JOIN {relation} USING (_ord)
            WHERE account_id IS NOT NULL GROUP BY account_id
            """
        )
    return staged, Candidates("posts", relation, FIELDS, accounts, "created_at")
