"""Twitter API v2 user objects: twarc2 ``users.jsonl`` (pages ``{"data": [users]}`` or one
user per line) and academictwitteR's ``users_*.json`` (a JSON array of users).

They fill the accounts table, including accounts that never posted in the collection
(followers, mentioned accounts, the authors of referenced tweets): a profile is evidence
too (creation dates, templated handles), and it must not be read as a tweet.
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import page_records, stage_json_values
from sockscope.ingest.readers.twitter_v2 import PLATFORM, USER_OBJECT
from sockscope.ingest.source import Source
from sockscope.ingest.staging import Staged

NAME = "twitter-v2-users"
TWEET_KEYS = {"author_id", "text", "referenced_tweets", "conversation_id"}


def looks_like_user(value: object) -> bool:
    """Whether a JSON value is a v2 user object (not a tweet)."""
    return (isinstance(value, dict) and "id" in value and "username" in value
            and not TWEET_KEYS & set(value))


def sniff(source: Source) -> str | None:
    """The format name if this file holds v2 users, else None."""
    first = source.first_object
    if source.container != "jsonl" or not isinstance(first, dict):
        return None
    data = first.get("data")
    if isinstance(data, list) and data and looks_like_user(data[0]):
        return NAME
    return NAME if looks_like_user(first) else None


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged, values = stage_json_values(con, source)
    users = f"{staged.table}_u"
    page_records(con, values, users, "$.data")  # pages of users: a record per user
    relation = f"{staged.table}_cand"
    profile = ", ".join(f"{expr} AS {name}" for name, expr in USER_OBJECT.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT _ord, _line,
               CASE WHEN _bad THEN 'malformed JSON' WHEN _empty THEN 'empty page'
                    WHEN json_type(u) <> 'OBJECT' THEN 'wrong JSON type' END AS _skip,
               CASE WHEN NOT _bad AND json_type(u) <> 'OBJECT' THEN '$' END AS _skip_field,
               '{PLATFORM}' AS platform, ss_id(u->>'id') AS account_id,
               {profile}, CAST(NULL AS VARCHAR) AS lang, true AS has_profile
        FROM (SELECT * EXCLUDE (rec), rec AS u FROM {users})
        """
    )
    return staged, Candidates("accounts", relation, {"account_id": "id"}, position="_line")
