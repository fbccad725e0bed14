"""Flat CSV of API v1.1 tweets: DocNow Hydrator's export and twarc1's ``json2csv``.

Both write one tweet per row with its author's profile in ``user_*`` columns; hashtags
and URLs are space-separated lists. Hydrator names the reposted tweet ``retweet_id``
(its author only by ``retweet_screen_name``); twarc1 says what a tweet is in
``tweet_type`` and names the reposted or quoted tweet ``retweet_or_quote_id``, with its
author's id. Times are the API's ``Wed Oct 10 20:19:24 +0000 2018``.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.source import Source
from sockscope.ingest.sql import ColumnPicker, post_kind, post_prologue, poster_profiles, split_list
from sockscope.ingest.staging import Staged, stage_csv

NAME = "twitter-v1-csv"
PLATFORM = "twitter"
REQUIRED = {"id", "created_at", "text", "user_id", "user_screen_name"}


def sniff(source: Source) -> str | None:
    """The format name if this CSV is a Hydrator or twarc1 export, else None."""
    columns = {c.lower() for c in source.columns}
    if source.container == "csv" and columns >= REQUIRED and (
            "retweet_id" in columns or "retweet_or_quote_id" in columns):
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)
    tweet_type = f"lower({c('tweet_type')})"
    if c.has("tweet_type"):  # twarc1
        repost = f"{tweet_type} = 'retweet'"
        quote = f"{tweet_type} = 'quote'"
        reposted = f"CASE WHEN {repost} THEN ss_id({c('retweet_or_quote_id')}) END"
        reposted_by = f"CASE WHEN {repost} THEN ss_id({c('retweet_or_quote_user_id')}) END"
        quoted = f"CASE WHEN {quote} THEN ss_id({c('retweet_or_quote_id')}) END"
    else:  # Hydrator
        reposted = f"ss_id({c('retweet_id')})"
        repost = f"{reposted} IS NOT NULL"
        reposted_by = "CAST(NULL AS VARCHAR)"
        quoted = f"ss_id({c('quote_id')})"
        quote = f"{quoted} IS NOT NULL"
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT {post_prologue(f"'{PLATFORM}'", f"ss_id({c('id')})", f"ss_id({c('user_id')})",
                              c("created_at"))},
            {post_kind(repost, f"ss_id({c('in_reply_to_status_id')}) IS NOT NULL", quote)}
                AS kind,
            {c("text")} AS text, {c("lang")} AS lang,
            nullif(trim(regexp_replace({c("source")}, '<[^>]*>', '', 'g')), '') AS client,
            {reposted} AS repost_of_post, {reposted_by} AS repost_of_account,
            ss_id({c("in_reply_to_status_id")}) AS reply_to_post,
            ss_id({c("in_reply_to_user_id")}) AS reply_to_account,
            {quoted} AS quote_of_post,
            {split_list(c("urls"), " ")} AS urls,
            list_transform({split_list(c("hashtags"), " ")}, lambda h: ltrim(h, '#')) AS hashtags,
            ss_text_mentions({c("text")}) AS mentions,  -- no mentions column: from the text
            {split_list(c("media"), " ")} AS media
        FROM {staged.table}
        """
    )
    profile = {
        "handle": c("user_screen_name"), "display_name": c("user_name"),
        "description": c("user_description"),
        "created_at": f"ss_parse_time({c('user_created_at')})",
        "followers": f"ss_parse_int({c('user_followers_count')})",
        "following": f"ss_parse_int({c('user_friends_count')})",
        "location": c("user_location"),
    }
    accounts = f"{staged.table}_acc"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts} AS "
                f"{poster_profiles(staged.table, relation, profile, True)}")
    notes = [] if c.has("tweet_type") else [
        "Hydrator names a reposted tweet's author only by handle: reposts count for "
        "co-repost, not for amplification ties"]
    return staged, Candidates("posts", relation,
                              {"post_id": "id", "account_id": "user_id",
                               "created_at": "created_at"}, accounts, "created_at",
                              notes=notes)
