"""CrowdTangle CSV exports of Facebook pages and groups, and of Instagram accounts (the
input of CooRnet).

One row per post: the account in ``Facebook Id`` / ``User Name`` (``Page Name`` is its
display name), the post's own address in ``URL`` (its id here: exports carry no other),
the shared link in ``Link`` (``Final Link`` after redirects, when CrowdTangle resolved
it), the text in ``Message`` (Instagram: ``Description``). ``Post Created`` is written
in the exporting dashboard's time zone, as an abbreviation: ``2021-03-01 10:15:02 EST``.
"""

from __future__ import annotations

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.finalize import Candidates
from sockscope.ingest.source import Source
from sockscope.ingest.sql import ColumnPicker, post_prologue, poster_profiles
from sockscope.ingest.staging import Staged, stage_csv
from sockscope.ingest.zones import resolve

NAME = "crowdtangle"
# the abbreviations CrowdTangle writes, as UTC offsets: its meanings win over the tz
# database's (where IST and CST are ambiguous); any other abbreviation is looked up there
ZONES = {"UTC": "+00:00", "GMT": "+00:00", "EST": "-05:00", "EDT": "-04:00",
         "CST": "-06:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
         "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00",
         "HST": "-10:00", "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00",
         "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00", "IST": "+05:30",
         "JST": "+09:00", "AEST": "+10:00", "AEDT": "+11:00"}


def sniff(source: Source) -> str | None:
    """The format name if this CSV is a CrowdTangle export, else None."""
    columns = set(source.columns)
    if source.container == "csv" and {"Post Created", "URL"} <= columns and (
            "Facebook Id" in columns or "User Name" in columns):
        return NAME
    return None


ABBREVIATION = " ([A-Z]{2,6})$"  # a zone abbreviation ending a time


def zoned_time(value: str, zones: dict[str, str]) -> str:
    """SQL parsing ``2021-03-01 10:15:02 EST`` (or an ISO time) to a UTC timestamp, with
    ``zones`` giving each abbreviation's offset; an unknown abbreviation gives NULL (the
    row is skipped as an unparseable time, and the first such time is shown)."""
    cases = " ".join(f"WHEN '{abbr}' THEN '{offset}'" for abbr, offset in zones.items())
    abbr = f"regexp_extract(trim({value}), '{ABBREVIATION}', 1)"
    known = f"(CASE {abbr} {cases} END)" if zones else "CAST(NULL AS VARCHAR)"
    return (f"CASE WHEN {abbr} = '' THEN ss_parse_time({value}) "
            f"ELSE ss_parse_time(regexp_replace(trim({value}), '{ABBREVIATION}', '') || "
            f"{known}) END")


def _zones(con: duckdb.DuckDBPyConnection, table: str, columns: list[str],
           display: str) -> dict[str, str]:
    """The offsets of the zone abbreviations the file writes (CrowdTangle's own first,
    then the tz database's); an ambiguous one is refused by name."""
    if not columns:
        return {}
    found = {a for (a,) in con.execute(
        " UNION ".join(f"SELECT DISTINCT regexp_extract(trim({column}), '{ABBREVIATION}', 1) "
                       f"FROM {table}" for column in columns)).fetchall() if a}
    known, ambiguous = resolve(found, ZONES)
    if ambiguous:
        said = "; ".join(f"{a} is {' or '.join(offsets)}" for a, offsets in ambiguous.items())
        raise IngestError(display, f"ambiguous time-zone abbreviation ({said} in the tz "
                          "database); export the file with times in UTC, or replace the "
                          "abbreviation with its offset (e.g. +05:30)")
    return known


def read(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, Candidates]:
    staged = stage_csv(con, source)
    c = ColumnPicker(source.columns)
    times = [c(name) for name in ("Post Created", "Page Created") if name in source.columns]
    con.execute(time_macro(_zones(con, staged.table, times, source.display)))
    account = f"ss_id(coalesce({c('Facebook Id')}, {c('User Name')}))"
    link = f"coalesce({c('Final Link')}, {c('Link')})"
    relation = f"{staged.table}_cand"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT {post_prologue(
                    f"CASE WHEN contains({c('URL')}, 'instagram.com') THEN 'instagram' "
                    "ELSE 'facebook' END",
                    f"ss_id({c('URL')})", account, c("Post Created"),
                    parse="ss_crowdtangle_time")},
            'post' AS kind,
            coalesce({c('Message')}, {c('Description')}) AS text,
            CAST(NULL AS VARCHAR) AS lang, CAST(NULL AS VARCHAR) AS client,
            CAST(NULL AS VARCHAR) AS repost_of_post, CAST(NULL AS VARCHAR) AS repost_of_account,
            CAST(NULL AS VARCHAR) AS reply_to_post, CAST(NULL AS VARCHAR) AS reply_to_account,
            CAST(NULL AS VARCHAR) AS quote_of_post,
            CASE WHEN {link} IS NULL THEN CAST([] AS VARCHAR[]) ELSE [{link}] END AS urls,
            coalesce(list_transform(regexp_extract_all(
                coalesce({c('Message')}, {c('Description')}, ''), '#(\\w+)', 1),
                lambda h: h), []) AS hashtags,
            ss_text_mentions(coalesce({c('Message')}, {c('Description')})) AS mentions,
            CAST([] AS VARCHAR[]) AS media
        FROM {staged.table}
        """
    )
    profile = {
        "handle": c("User Name"), "display_name": c("Page Name", "Account"),
        "description": c("Page Description"),
        "created_at": f"ss_crowdtangle_time({c('Page Created')})",
        "followers": f"ss_parse_int(coalesce({c('Followers at Posting')}, "
                     f"{c('Likes at Posting')}))",
    }
    accounts = f"{staged.table}_acc"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts} AS "
                f"{poster_profiles(staged.table, relation, profile, True)}")
    return staged, Candidates("posts", relation,
                              {"post_id": "URL", "account_id": "Facebook Id",
                               "created_at": "Post Created"}, accounts, "created_at")


def time_macro(zones: dict[str, str]) -> str:
    """The macro ``ss_crowdtangle_time(s)`` (see ``zoned_time``)."""
    return (f"CREATE OR REPLACE TEMP MACRO ss_crowdtangle_time(s) AS "
            f"({zoned_time('s', zones)})")
