"""One DuckDB database holds a run's whole state; this module opens it.

Connections always work in UTC and carry the SQL macros every reader shares
(time parsing, list-string parsing), so parsing happens inside DuckDB's vectorised
engine rather than in Python row loops.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from sockscope.store.schema import create_tables

_view_numbers = itertools.count(1)

# Python-style list strings as found in the information-operations archive:
# "['a', 'b']" or "[\"it's\"]"; bare "[a, b]" lists are split on commas.
_QUOTED_ITEM = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""

MACROS = [
    # Parse a time string into a UTC TIMESTAMP. Accepts epoch seconds or milliseconds,
    # ISO 8601 with or without an offset (naive times are taken as UTC), the API v1.1
    # form "Wed Oct 10 20:19:24 +0000 2018", and minute-resolution archive times.
    r"""
    CREATE OR REPLACE TEMP MACRO ss_parse_time(s) AS (
        CASE
            WHEN s IS NULL OR trim(s) = '' THEN NULL
            WHEN regexp_full_match(trim(s), '-?[0-9]+(\.[0-9]+)?') THEN
                CASE WHEN abs(TRY_CAST(trim(s) AS DOUBLE)) >= 1e11
                     THEN try(make_timestamp(CAST(round(TRY_CAST(trim(s) AS DOUBLE) * 1000) AS BIGINT)))
                     ELSE try(make_timestamp(CAST(round(TRY_CAST(trim(s) AS DOUBLE) * 1000000) AS BIGINT)))
                END
            WHEN regexp_full_match(trim(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]+)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?| ?UTC)?')
                THEN try(timezone('UTC', CAST(replace(trim(s), ' UTC', '+00') AS TIMESTAMPTZ)))
            ELSE coalesce(
                try(timezone('UTC', strptime(trim(s), '%a %b %d %H:%M:%S %z %Y'))),
                try(timezone('UTC', strptime(trim(s), '%a, %d %b %Y %H:%M:%S %z')))
            )
        END
    )
    """,
    # The resolution of a time string in seconds: 86400 for a bare date, 60 for
    # hh:mm without seconds, 1 otherwise.
    r"""
    CREATE OR REPLACE TEMP MACRO ss_time_precision(s) AS (
        CASE
            WHEN regexp_full_match(trim(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 86400
            WHEN regexp_full_match(trim(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(Z|[+-][0-9:]+)?') THEN 60
            ELSE 1
        END
    )
    """,
    # Parse a list string into VARCHAR[]; NULL, '' and '[]' give an empty list.
    rf"""
    CREATE OR REPLACE TEMP MACRO ss_parse_list(s) AS (
        CASE
            WHEN s IS NULL OR s = '' OR s = '[]' OR trim(s) IN ('', '[]') THEN CAST([] AS VARCHAR[])
            WHEN starts_with(s, '[''') OR starts_with(s, '["') OR regexp_matches(trim(s), '^\[\s*[''"]') THEN
                list_transform(
                    regexp_extract_all(s, '{_QUOTED_ITEM.replace("'", "''")}'),
                    lambda x: CASE WHEN contains(x, '\') THEN regexp_replace(x[2:-2], '\\(.)', '\1', 'g')
                                   ELSE x[2:-2] END)
            ELSE list_filter(
                list_transform(string_split(regexp_replace(trim(s), '^\[|\]$', '', 'g'), ','),
                               lambda x: trim(x)),
                lambda x: x <> '')
        END
    )
    """,
    # Integers that may arrive as "1,234" or "12.0"; garbage becomes NULL.
    r"""
    CREATE OR REPLACE TEMP MACRO ss_parse_int(s) AS (
        TRY_CAST(TRY_CAST(replace(trim(s), ',', '') AS DOUBLE) AS BIGINT)
    )
    """,
    # Identifiers: blank becomes NULL; "123.0" (ids that went through a float) becomes "123".
    r"""
    CREATE OR REPLACE TEMP MACRO ss_id(s) AS (
        CASE WHEN s IS NULL OR s = '' THEN NULL
             WHEN contains(s, '.') AND regexp_full_match(trim(s), '[0-9]+\.0+') THEN regexp_replace(trim(s), '\.0+$', '')
             WHEN ascii(s) IN (9, 10, 13, 32) OR ascii(right(s, 1)) IN (9, 10, 13, 32) THEN nullif(trim(s), '')
             ELSE s END
    )
    """,
    # Empty strings become NULL (CSV readers give '' for missing values).
    r"""
    CREATE OR REPLACE TEMP MACRO ss_nullif_blank(s) AS (
        CASE WHEN s IS NULL OR s = '' THEN NULL
             WHEN ascii(s) IN (9, 10, 13, 32) AND trim(s) = '' THEN NULL
             ELSE s END
    )
    """,
]


def connect(path: str | Path | None = None, *, read_only: bool = False,
            memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (or create) a run database; ``None`` gives an in-memory database.

    The canonical tables are created when missing, the session time zone is UTC and
    the shared parsing macros are installed. ``memory_limit`` (e.g. ``"6GB"``) caps
    DuckDB's memory; beyond it DuckDB spills to a temporary folder (out-of-core).
    Without it DuckDB may use up to 80% of the machine's memory.
    """
    database = ":memory:" if path is None else str(path)
    config = {"memory_limit": memory_limit} if memory_limit else {}
    if memory_limit and path is None:
        config["temp_directory"] = str(Path(tempfile.gettempdir()) / f"sockscope-{os.getpid()}")
    con = duckdb.connect(database, read_only=read_only, config=config)
    con.execute("SET TimeZone = 'UTC'")
    for macro in MACROS:
        con.execute(macro)
    if not read_only:
        create_tables(con)
    return con


def table_from_arrow(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table | dict,
                     *, temp: bool = True) -> None:
    """Create (or replace) table ``name`` holding ``data`` (an Arrow table or a dict of
    columns). ``name`` is ours, never a user string."""
    with arrow_view(con, data) as view:
        con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {name} AS "
                    f"SELECT * FROM {view}")


@contextmanager
def arrow_view(con: duckdb.DuckDBPyConnection, data: pa.Table | dict) -> Iterator[str]:
    """Expose ``data`` to SQL under a fresh name for the duration of a ``with`` block."""
    name = f"arrow_{next(_view_numbers)}"
    con.register(name, data if isinstance(data, pa.Table) else pa.table(data))
    try:
        yield name
    finally:
        con.unregister(name)


def temp_relations(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """The connection's temporary tables and views, as (kind, name)."""
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
                        ).fetchall()
    return {("TABLE", t) for (t,) in tables} | {("VIEW", v) for (v,) in views}
