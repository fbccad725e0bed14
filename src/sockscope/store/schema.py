"""Canonical table schemas: one schema for every platform.

Every reader maps its source onto these tables and nothing else, so later stages are
platform-blind. Times are stored as ``TIMESTAMP`` values in UTC; ``time_precision_s``
keeps the source's resolution (60 for the minute-resolution archive times).
"""

from __future__ import annotations

import duckdb

POSTS_COLUMNS: dict[str, str] = {
    "platform": "VARCHAR NOT NULL",
    "post_id": "VARCHAR NOT NULL",
    "account_id": "VARCHAR NOT NULL",
    "created_at": "TIMESTAMP NOT NULL",
    "time_precision_s": "INTEGER NOT NULL",
    "kind": "VARCHAR NOT NULL",  # post | repost | reply | quote
    "text": "VARCHAR",
    "lang": "VARCHAR",
    "client": "VARCHAR",
    "repost_of_post": "VARCHAR",
    "repost_of_account": "VARCHAR",
    "reply_to_post": "VARCHAR",
    "reply_to_account": "VARCHAR",
    "quote_of_post": "VARCHAR",
    "urls": "VARCHAR[]",
    "hashtags": "VARCHAR[]",
    "mentions": "VARCHAR[]",
    "media": "VARCHAR[]",
}

ACCOUNTS_COLUMNS: dict[str, str] = {
    "platform": "VARCHAR NOT NULL",
    "account_id": "VARCHAR NOT NULL",
    "handle": "VARCHAR",
    "display_name": "VARCHAR",
    "description": "VARCHAR",
    "created_at": "TIMESTAMP",
    "followers": "BIGINT",
    "following": "BIGINT",
    "location": "VARCHAR",
    "lang": "VARCHAR",
    "profile_image": "VARCHAR",
    # true when a profile record (users file, includes.users) described the account,
    # false when it is only known from the posts it wrote
    "has_profile": "BOOLEAN NOT NULL",
}

ARTICLES_COLUMNS: dict[str, str] = {
    "article_id": "VARCHAR NOT NULL",
    "byline": "VARCHAR NOT NULL",
    "outlet": "VARCHAR",
    "published_at": "TIMESTAMP",
    "title": "VARCHAR",
    "text": "VARCHAR NOT NULL",
    "url": "VARCHAR",
}

INGEST_LOG_COLUMNS: dict[str, str] = {
    "path": "VARCHAR NOT NULL",
    "member": "VARCHAR",  # file inside a zip archive, if any
    "sha256": "VARCHAR NOT NULL",
    "format": "VARCHAR NOT NULL",
    "target": "VARCHAR NOT NULL",  # posts | accounts | articles
    "rows_read": "BIGINT NOT NULL",
    "rows_kept": "BIGINT NOT NULL",
    "rows_skipped": "BIGINT NOT NULL",
    "position_unit": "VARCHAR NOT NULL",  # line | item
    "skipped": "STRUCT(reason VARCHAR, field VARCHAR, count BIGINT, first_positions BIGINT[])[]",
    "ingested_at": "TIMESTAMP NOT NULL",
    # what a reader wants the user to know about the file (e.g. times in local time)
    "notes": "VARCHAR[]",
}

TABLES: dict[str, dict[str, str]] = {
    "posts": POSTS_COLUMNS,
    "accounts": ACCOUNTS_COLUMNS,
    "articles": ARTICLES_COLUMNS,
    "ingest_log": INGEST_LOG_COLUMNS,
}


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the canonical tables if they do not exist yet."""
    for name, columns in TABLES.items():
        body = ", ".join(f"{col} {typ}" for col, typ in columns.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({body})")
    # databases made before the column existed
    con.execute("ALTER TABLE ingest_log ADD COLUMN IF NOT EXISTS notes VARCHAR[]")

