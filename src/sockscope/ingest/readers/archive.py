"""X/Twitter information-operations archive: the tweets CSV and the users CSV.

The 30/31-column schema used by every state-linked release. Older releases call the
retweet column ``retweeted_tweetid``; list columns arrive as Python-style strings
(``['a', 'b']``); ``is_retweet`` is true/false in any case; ``tweet_time`` has minute
resolution in the hashed public releases.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.source import Source
from sockscope.ingest.sql import ColumnPicker, post_kind, post_prologue
from sockscope.ingest.staging import Staged, stage_csv

TWEETS = "archive-tweets"
USERS = "archive-users"
PLATFORM = "twitter"


def sniff(source: Source) -> str | None:
    """The format name if this file looks like one this module reads, else None."""
    if source.container != "csv":
        return None
    cols = {c.lower() for c in source.columns}
    if {"tweetid", "userid", "tweet_time"} <= cols:
        return TWEETS
    if {"userid", "user_screen_name"} <= cols and "tweetid" not in cols:
        return USERS
    return None


def _account_fields(c: ColumnPicker) -> dict[str, str]:
    return {
        "handle": c("user_screen_name"),
        "display_name": c("user_display_name"),
        "description": c("user_profile_description"),
        "created_at": f"ss_parse_time({c('account_creation_date')})",
        "followers": f"ss_parse_int({c('follower_count')})",
        "following": f"ss_parse_int({c('following_count')})",
        "location": c("user_reported_location"),
        "lang": c("account_language"),
        "profile_image": c("user_profile_image_url", "profile_image_url"),
    }


def read_tweets(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)
    is_retweet = f"lower(coalesce({c('is_retweet')}, '')) IN ('true', 't', '1', 'yes')"
    retweet_of = c("retweet_tweetid", "retweeted_tweetid")
    relation = f"{staged.table}_cand"
    # a view: parsing runs once, when the checked rows are materialised
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW {relation} AS
        SELECT {post_prologue(f"'{PLATFORM}'", f"ss_id({c('tweetid')})",
                              f"ss_id({c('userid')})", c("tweet_time"),
                              precision=f"ss_time_precision({c('tweet_time')})")},
            {post_kind(f"{is_retweet} OR ss_id({retweet_of}) IS NOT NULL",
                       f'ss_id({c("in_reply_to_tweetid")}) IS NOT NULL',
                       f'ss_id({c("quoted_tweet_tweetid")}) IS NOT NULL')} AS kind,
            {c("tweet_text")} AS text,
            {c("tweet_language")} AS lang,
            {c("tweet_client_name")} AS client,
            ss_id({retweet_of}) AS repost_of_post,
            ss_id({c("retweet_userid")}) AS repost_of_account,
            ss_id({c("in_reply_to_tweetid")}) AS reply_to_post,
            ss_id({c("in_reply_to_userid")}) AS reply_to_account,
            ss_id({c("quoted_tweet_tweetid")}) AS quote_of_post,
            ss_parse_list({c("urls")}) AS urls,
            ss_parse_list({c("hashtags")}) AS hashtags,
            ss_parse_list({c("user_mentions")}) AS mentions,
            ss_parse_list({c("media_urls", "media")}) AS media
        FROM {staged.table}
        """
    )
    accounts = f"{staged.table}_acc"
    # profile fields as of the account's latest tweet; archive times sort
    # chronologically as text, so no parsing is needed to pick the latest
    fields = _account_fields(c)
    packed = ", ".join(f"{name}: {expr}" for name, expr in fields.items())
    unpacked = ", ".join(f"p.{name} AS {name}" for name in fields)
    user = f"ss_id({c('userid')})"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {accounts} AS
        SELECT '{PLATFORM}' AS platform, account_id, {unpacked}, false AS has_profile
        FROM (SELECT {user} AS account_id, arg_max({{{packed}}}, ({c('tweet_time')}, _ord)) AS p
              FROM {staged.table} WHERE {user} IS NOT NULL GROUP BY {user})
        """
    )
    fields = {"post_id": "tweetid", "account_id": "userid", "created_at": "tweet_time"}
    return staged, Candidates("posts", relation, fields, accounts, "created_at")


def read_users(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)
    relation = f"{staged.table}_cand"
    profile = ", ".join(f"{expr} AS {name}" for name, expr in _account_fields(c).items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT _ord, CAST(NULL AS VARCHAR) AS _skip, CAST(NULL AS VARCHAR) AS _skip_field,
            '{PLATFORM}' AS platform, ss_id({c("userid")}) AS account_id,
            {profile}, true AS has_profile
        FROM {staged.table}
        """
    )
    return staged, Candidates("accounts", relation, {"account_id": "userid"})
