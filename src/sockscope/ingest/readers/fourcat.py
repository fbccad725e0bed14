"""4CAT's CSV export of X/Twitter data (collected with Zeeschuimer or the API).

One row per tweet: ``author_id`` and ``author`` (handle), ``timestamp`` (UTC, also as
``unix_timestamp``), ``body``; ``is_retweet``/``is_quote_tweet``/``is_reply`` are
``yes``/``no``; hashtags, URLs and mentioned handles are comma-separated. 4CAT keeps no
id for the tweet a retweet reposts, only its author's handle (``retweeted_user``): a
retweet is kept as a repost of that account (its id when the account is in the file),
unseen by co-repost; a reply points to its conversation (``thread_id``), the only
parent 4CAT writes. The file's notes say both.
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
    split_list,
)
from sockscope.ingest.staging import Staged, stage_csv

NAME = "4cat-twitter"
PLATFORM = "twitter"
REQUIRED = {"id", "thread_id", "timestamp", "body", "author", "author_id", "is_retweet"}


def sniff(source: Source) -> str | None:
    """The format name if this CSV is 4CAT's X/Twitter export, else None."""
    if source.container == "csv" and set(source.columns) >= REQUIRED:
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)

    def yes(column: str) -> str:
        return f"lower(coalesce({c(column)}, '')) = 'yes'"

    time_text = f"coalesce({c('unix_timestamp')}, {c('timestamp')})"
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT {post_prologue(f"'{PLATFORM}'", f"ss_id({c('id')})", f"ss_id({c('author_id')})",
                              time_text)},
            {post_kind(yes("is_retweet"), yes("is_reply"), yes("is_quote_tweet"))} AS kind,
            {c("body")} AS text, {c("language_guess")} AS lang, {c("source")} AS client,
            CAST(NULL AS VARCHAR) AS repost_of_post,
            CASE WHEN {yes("is_retweet")} THEN lower({c("retweeted_user")}) END
                AS repost_of_account,
            CASE WHEN {yes("is_reply")} THEN ss_id({c("thread_id")}) END AS reply_to_post,
            CASE WHEN {yes("is_reply")} THEN lower({c("replied_user")}) END AS reply_to_account,
            CAST(NULL AS VARCHAR) AS quote_of_post,
            {split_list(c("urls"), ",")} AS urls, {split_list(c("hashtags"), ",")} AS hashtags,
            list_transform({split_list(c("mentions"), ",")}, lambda m: lower(m)) AS mentions,
            list_concat({split_list(c("images"), ",")}, {split_list(c("videos"), ",")}) AS media
        FROM {staged.table}
        """
    )
    ids_for_handles(con, staged.table, relation, c("author"),
                    ("repost_of_account", "reply_to_account"))
    profile = {"handle": c("author"), "display_name": c("author_fullname"),
               "profile_image": c("author_avatar_url")}
    accounts = f"{staged.table}_acc"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts} AS "
                f"{poster_profiles(staged.table, relation, profile, True)}")
    notes = ["4CAT keeps no id for the tweet a retweet reposts: retweets are reposts of "
             "the account named in retweeted_user, unseen by co-repost; replies point to "
             "their conversation (thread_id)"]
    return staged, Candidates("posts", relation,
                              {"post_id": "id", "account_id": "author_id",
                               "created_at": "unix_timestamp"}, accounts, "created_at",
                              notes=notes)
