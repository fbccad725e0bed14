"""Mastodon statuses as the Mastodon API returns them (timelines, account statuses,
search): JSON arrays of status objects, or one status per line.

A boost is a status whose ``reblog`` holds the boosted status: a repost of it, its text
and tags taken from it. A quote is a status whose ``quote`` names the quoted status:
Mastodon 4.4 and later give ``quote.quoted_status`` (or ``quote.quoted_status_id``),
Truth Social gives ``quote_id`` and ``quote``. Truth Social's API is Mastodon's: its
statuses (``uri`` on truthsocial.com) are read by the same code as platform
``truthsocial``. Ids are the instance's own (``id``, ``account.id``,
``in_reply_to_id`` all come from the instance that answered), so statuses collected
from several instances should be ingested per instance with ``--platform``. Text is
the status's HTML with tags removed and entities decoded.
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

NAME = "mastodon"
PLATFORM = "mastodon"
TRUTH_SOCIAL = "truthsocial"  # the reader's and the platform's name
# the quoted status of a quote: Mastodon >= 4.4, then Truth Social
QUOTED = ("coalesce(js->'quote'->'quoted_status'->>'id', js->'quote'->>'quoted_status_id', "
          "js->>'quote_id', js->'quote'->>'id')")
PROFILE = {
    "handle": "a->>'acct'", "display_name": "nullif(a->>'display_name', '')",
    "description": "ss_html_text(a->>'note')", "created_at": "ss_parse_time(a->>'created_at')",
    "followers": "TRY_CAST(a->>'followers_count' AS BIGINT)",
    "following": "TRY_CAST(a->>'following_count' AS BIGINT)",
    "profile_image": "a->>'avatar'",
}
HTML_TEXT = r"""
    CREATE OR REPLACE TEMP MACRO ss_html_text(h) AS (
        nullif(trim(
            replace(replace(replace(replace(replace(replace(
                regexp_replace(regexp_replace(h, '<br\s*/?>|</p>\s*<p>', chr(10), 'g'),
                               '<[^>]*>', '', 'g'),
                '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''),
                '&apos;', ''''), '&amp;', '&')), '')
    )
"""


def sniff(source: Source) -> str | None:
    """The format name if this file holds Mastodon (or Truth Social) statuses, else
    None."""
    first = source.first_object
    if (source.container == "jsonl" and isinstance(first, dict)
            and {"id", "uri", "created_at", "account"} <= set(first)
            and isinstance(first.get("account"), dict) and "acct" in first["account"]):
        uri = str(first.get("uri") or first.get("url") or "")
        return TRUTH_SOCIAL if uri.startswith("https://truthsocial.com/") else NAME
    return None


def read_truth_social(con: duckdb.DuckDBPyConnection, source: Source
                      ) -> tuple[Staged, Candidates]:
    return read(con, source, TRUTH_SOCIAL)


def read(con: duckdb.DuckDBPyConnection, source: Source, platform: str = PLATFORM
         ) -> tuple[Staged, Candidates]:
    con.execute(HTML_TEXT)
    staged, values = stage_json_values(con, source)
    relation = f"{staged.table}_cand"
    lists, objects = ["tags", "mentions", "media_attachments"], ["account"]
    wrong, wrong_field = wrong_json_types("js", lists, objects, types="_types")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH s AS (
            SELECT *, ss_json_object(js, '$.reblog') AS boosted,
                   coalesce(ss_json_object(js, '$.reblog'), js) AS shown,
                   {json_types("js", lists, objects)} AS _types
            FROM {values}
        )
        SELECT {post_prologue(f"'{platform}'", "ss_id(js->>'id')",
                              "ss_id(js->'account'->>'id')", "js->>'created_at'",
                              skip=f"CASE WHEN _bad THEN 'malformed JSON' WHEN {wrong} "
                                   "THEN 'wrong JSON type' END",
                              skip_field=f"CASE WHEN NOT _bad THEN {wrong_field} END")},
            {post_kind("boosted IS NOT NULL", "js->>'in_reply_to_id' IS NOT NULL",
                       f"ss_id({QUOTED}) IS NOT NULL")} AS kind,
            ss_html_text(shown->>'content') AS text, shown->>'language' AS lang,
            js->'application'->>'name' AS client,
            ss_id(boosted->>'id') AS repost_of_post,
            ss_id(boosted->'account'->>'id') AS repost_of_account,
            ss_id(js->>'in_reply_to_id') AS reply_to_post,
            ss_id(js->>'in_reply_to_account_id') AS reply_to_account,
            CASE WHEN boosted IS NULL THEN ss_id({QUOTED}) END AS quote_of_post,
            CASE WHEN shown->'card'->>'url' IS NOT NULL THEN [shown->'card'->>'url']
                 ELSE CAST([] AS VARCHAR[]) END AS urls,
            coalesce(list_transform(ss_json_list(shown, '$.tags'), lambda t: t->>'name'), [])
                AS hashtags,
            coalesce(list_transform(ss_json_list(shown, '$.mentions'), lambda m: m->>'id'), [])
                AS mentions,
            coalesce(list_transform(ss_json_list(shown, '$.media_attachments'),
                                    lambda m: m->>'url'), []) AS media
        FROM s
        """
    )
    accounts = f"{staged.table}_acc"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts} AS " + embedded_profiles(
        values, "js", relation, "$.account", "a", PROFILE, f"'{platform}'"))
    return staged, Candidates("posts", relation,
                              {"post_id": "id", "account_id": "account.id",
                               "created_at": "created_at"}, accounts, "created_at")
