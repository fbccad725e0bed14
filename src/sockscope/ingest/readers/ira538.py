"""FiveThirtyEight's Internet Research Agency tweets (``IRAhandle_tweets_N.csv``, Linvill &
Warren's data): one row per tweet with the account's category.

Times are ``M/D/YYYY H:MM`` in UTC, to the minute. The release carries no id for the
tweet a retweet reposts: retweets are kept as reposts with the reposted account taken
from a leading ``RT @handle:`` where the text has one (its id when that account is in
the file too); co-repost cannot see them (the
file's notes say so), co-text and the other traces can. Accounts are keyed by their
numeric id (``external_author_id``, written as a plain integer or, in parts of the
release, as a float such as ``1.23e+17``, then unusable) or else by handle.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.source import Source
from sockscope.ingest.sql import (
    ColumnPicker,
    ids_for_handles,
    post_kind,
    post_prologue,
    poster_profiles,
)
from sockscope.ingest.staging import Staged, stage_csv

NAME = "ira-538"
PLATFORM = "twitter"
REQUIRED = {"external_author_id", "author", "content", "publish_date", "account_category"}


def sniff(source: Source) -> str | None:
    """The format name if this CSV is one of FiveThirtyEight's IRA files, else None."""
    if source.container == "csv" and set(source.columns) >= REQUIRED:
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    con.execute(time_macro())
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)
    author_id = (f"CASE WHEN regexp_full_match(trim({c('external_author_id')}), "
                 f"'[0-9]+(\\.0+)?') THEN ss_id({c('external_author_id')}) "
                 f"ELSE lower({c('author')}) END")
    post_type = f"upper(coalesce({c('post_type')}, ''))"
    repost = f"({c('retweet')} = '1' OR {post_type} = 'RETWEET')"
    rt_handle = f"nullif(lower(regexp_extract({c('content')}, '^RT @(\\w+):', 1)), '')"
    urls = ", ".join(c(name) for name in ("tco1_step1", "tco2_step1", "tco3_step1"))
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT {post_prologue(f"'{PLATFORM}'", f"ss_id({c('tweet_id')})", author_id,
                              c("publish_date"), precision="60",
                              parse="ss_ira538_time")},
            {post_kind(repost, "false", f"{post_type} = 'QUOTE_TWEET'")} AS kind,
            {c('content')} AS text, {c('language')} AS lang, CAST(NULL AS VARCHAR) AS client,
            CAST(NULL AS VARCHAR) AS repost_of_post,
            CASE WHEN {repost} THEN {rt_handle} END AS repost_of_account,
            CAST(NULL AS VARCHAR) AS reply_to_post, CAST(NULL AS VARCHAR) AS reply_to_account,
            CAST(NULL AS VARCHAR) AS quote_of_post,
            list_filter([{urls}], lambda u: u IS NOT NULL) AS urls,
            regexp_extract_all(coalesce({c('content')}, ''), '#(\\w+)', 1) AS hashtags,
            ss_text_mentions({c('content')}) AS mentions,
            CAST([] AS VARCHAR[]) AS media
        FROM {staged.table}
        """
    )
    ids_for_handles(con, staged.table, relation, c("author"), ("repost_of_account",))
    profile = {"handle": c("author"), "followers": f"ss_parse_int({c('followers')})",
               "following": f"ss_parse_int({c('following')})", "lang": c("language")}
    accounts = f"{staged.table}_acc"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts} AS "
                f"{poster_profiles(staged.table, relation, profile, False)}")
    notes = ["this release has no id for the tweet a retweet reposts: retweets are kept "
             "as reposts of the account named in 'RT @handle:', invisible to co-repost"]
    return staged, Candidates("posts", relation,
                              {"post_id": "tweet_id", "account_id": "external_author_id",
                               "created_at": "publish_date"}, accounts, "created_at",
                              notes=notes)


def time_macro() -> str:
    """The macro ``ss_ira538_time(s)``: ``M/D/YYYY H:MM`` (UTC) to a timestamp."""
    return ("CREATE OR REPLACE TEMP MACRO ss_ira538_time(s) AS ("
            "try_strptime(trim(s), '%m/%d/%Y %H:%M'))")
