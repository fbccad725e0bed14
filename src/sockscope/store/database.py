"""One DuckDB database holds a run's whole state; this module opens it.

Connections always work in UTC and carry the SQL macros every reader shares
(time parsing, list-string parsing), so parsing happens inside DuckDB's vectorised
engine rather than in Python row loops.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from sockscope.errors import SockscopeError
from sockscope.store.schema import create_tables

_view_numbers = itertools.count(1)
DEFAULT_NA = ("NA",)


def na_macro(tokens: tuple[str, ...] | list[str]) -> str:
    """The macro ``ss_na(s)``: NULL when ``s`` is one of ``tokens``, else ``s``."""
    listed = ", ".join("'" + t.replace("'", "''") + "'" for t in tokens) or "NULL"
    return (f"CREATE OR REPLACE TEMP MACRO ss_na(s) AS "
            f"(CASE WHEN s IN ({listed}) THEN NULL ELSE s END)")


DEFAULT_NA_MACRO = na_macro(DEFAULT_NA)


def local_time_macro(zone: str | None) -> str:
    """The macro ``ss_local_time(s)``: ``ss_parse_time``, except that a date-time written
    without an offset is taken in ``zone`` (an IANA name such as ``Europe/Moscow``) and
    converted to UTC. Without a zone such times are taken as UTC, as everywhere."""
    if not zone or zone == "UTC":
        return "CREATE OR REPLACE TEMP MACRO ss_local_time(s) AS (ss_parse_time(s))"
    quoted = zone.replace("'", "''")
    return rf"""
    CREATE OR REPLACE TEMP MACRO ss_local_time(s) AS (
        CASE WHEN regexp_full_match(trim(s), '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([ T][0-9:.]+)?')
             THEN timezone('UTC', timezone('{quoted}', ss_parse_time(s)))
             ELSE ss_parse_time(s) END
    )
    """


DEFAULT_LOCAL_TIME_MACRO = local_time_macro(None)

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
            -- the common case first, without time zone arithmetic: a naive ISO time is UTC
            WHEN regexp_full_match(trim(s), '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?')
                THEN TRY_CAST(trim(s) AS TIMESTAMP)
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
            -- the archive's common case, ['a', 'b'] with no escapes and no double quotes:
            -- an item cannot hold ', ' unescaped, so splitting on it is exact
            WHEN starts_with(s, '[''') AND ends_with(s, ''']') AND NOT contains(s, '\')
                 AND NOT contains(s, '"') AND length(s) >= 4
                THEN string_split(s[3:-3], ''', ''')
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
    # A JSON list at a path: [] when the path is missing, null or an empty object
    # (academictwitteR writes {} for empty lists), NULL when it holds another type
    # (a record to skip as "wrong JSON type", never a cast error for the whole file).
    r"""
    CREATE OR REPLACE TEMP MACRO ss_json_list_of(e) AS (
        CASE WHEN e IS NULL OR json_type(e) = 'NULL' THEN CAST([] AS JSON[])
             WHEN json_type(e) = 'ARRAY' THEN CAST(e AS JSON[])
             WHEN json_type(e) = 'OBJECT' AND CAST(e AS VARCHAR) = '{}'
                 THEN CAST([] AS JSON[])
             ELSE CAST(NULL AS JSON[]) END
    )
    """,
    # (the value is extracted once and its small text inspected: each JSON function
    # call parses its whole argument, and a record is far larger than one field)
    r"""
    CREATE OR REPLACE TEMP MACRO ss_json_object(j, path) AS (
        CASE WHEN json_type(j, path) = 'OBJECT' THEN json_extract(j, path) END
    )
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO ss_json_list(j, path) AS (
        ss_json_list_of(json_extract(j, path))
    )
    """,
    # Whether the value at a path is not what it should be: a list (or absent/null/{}),
    # or an object (or absent/null).
    r"""
    CREATE OR REPLACE TEMP MACRO ss_json_not_list(j, path) AS (
        j IS NOT NULL AND ss_json_list(j, path) IS NULL
    )
    """,
    r"""
    CREATE OR REPLACE TEMP MACRO ss_json_not_object(j, path) AS (
        j IS NOT NULL AND coalesce(json_type(j, path), 'NULL') NOT IN ('OBJECT', 'NULL')
    )
    """,
    # Tokens a source writes for "no value" in generic tables (R writes NA); the ingest
    # call redefines it from --na (see ``na_macro``).
    DEFAULT_NA_MACRO,
    DEFAULT_LOCAL_TIME_MACRO,
    # What platforms write where an author or a text was deleted or removed: never an
    # account, never a text (Reddit's [deleted]/[removed] and their variants)
    """
    CREATE OR REPLACE TEMP MACRO ss_placeholder(s) AS (
        lower(trim(s)) IN ('[deleted]', '[removed]', '[deleted by user]',
                           '[removed by reddit]', '[removed by moderator]', '[unavailable]')
    )
    """,
    # @handles written in a text (for formats without a mentions field), lower case, in
    # order; an e-mail address or a handle glued to a word is not a mention
    r"""
    CREATE OR REPLACE TEMP MACRO ss_text_mentions(s) AS (
        list_transform(regexp_extract_all(coalesce(s, ''), '(?:^|[^\w@.])@(\w+)', 1),
                       lambda m: lower(m))
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


# DuckDB's share of the memory this process may use, when no limit is given: the rest
# is for the Arrow and NumPy arrays of the Python stages (near-duplicates, persona
# signals, the report) and for the operating system. DuckDB's own default, 80 %, leaves
# too little beside it: a 3e7-post run could swap or be killed.
DUCKDB_MEMORY_SHARE = 0.5


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its container's limit
    (cgroup v2 ``memory.max``, v1 ``memory.limit_in_bytes``) when that is lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max",
                       "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def default_memory_limit() -> str:
    """DuckDB's memory limit when the user gives none: a share of ``machine_memory``."""
    return f"{max(1, int(machine_memory() * DUCKDB_MEMORY_SHARE) >> 20)}MB"


def connect(path: str | Path | None = None, *, read_only: bool = False,
            memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (or create) a run database; ``None`` gives an in-memory database.

    The canonical tables are created when missing, the session time zone is UTC and
    the shared parsing macros are installed. ``memory_limit`` (e.g. ``"6GB"``) caps
    DuckDB's memory, by default half of what the machine (or container) allows
    (``default_memory_limit``); beyond it DuckDB spills to a temporary folder
    (out-of-core): beside a database file, or a folder of this process under the
    system's temporary folder for an in-memory database. DuckDB runs one thread per
    core. A path that is not a DuckDB database, is locked by another process, or lies
    in a missing folder is refused with one line saying so.
    """
    database = ":memory:" if path is None else str(path)
    if memory_limit is not None and not re.fullmatch(
            r"\s*\d+(\.\d+)?\s*([KMGT]i?B|[KMGT]|bytes)\s*", memory_limit, re.IGNORECASE):
        raise SockscopeError(f"--memory-limit {memory_limit!r}: write an amount such as "
                             "6GB or 512MB")
    if path is not None:
        _check_database_path(Path(path), read_only)
    config = {"memory_limit": memory_limit or default_memory_limit()}
    if path is None:
        config["temp_directory"] = str(Path(tempfile.gettempdir()) / f"sockscope-{os.getpid()}")
    try:
        con = duckdb.connect(database, read_only=read_only, config=config)
    except duckdb.IOException as exc:
        holder = re.search(r"PID (\d+)", str(exc))
        if holder or "lock" in str(exc).lower():
            who = f"process {holder.group(1)}" if holder else "another process"
            raise SockscopeError(f"{path}: in use by {who}; wait for it to finish or use "
                                 "another --db") from None
        raise SockscopeError(f"{path}: cannot open the database ({str(exc).splitlines()[0]})"
                             ) from None
    except duckdb.OutOfMemoryException:
        raise  # the command line says which limit to raise
    except duckdb.Error as exc:
        what = "memory" if path is None else path
        raise SockscopeError(f"{what}: not a usable DuckDB database "
                             f"({str(exc).splitlines()[0]})") from None
    con.execute("SET TimeZone = 'UTC'")
    for macro in MACROS:
        con.execute(macro)
    if not read_only:
        create_tables(con)
    elif not _has_canonical_tables(con):
        con.close()
        raise SockscopeError(f"{path}: not a sockscope database (no posts table); make one "
                             "with sockscope ingest --db")
    return con


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def _check_database_path(path: Path, read_only: bool) -> None:
    if path.is_dir():
        raise SockscopeError(f"{path}: is a folder; --db names a database file")
    if not path.exists():
        if read_only:
            raise SockscopeError(f"{path}: no such database")
        if not path.parent.exists():
            raise SockscopeError(f"{path}: the folder {path.parent} does not exist")
        return
    with open(path, "rb") as handle:
        head = handle.read(12)
    if len(head) >= 12 and head[8:12] == DUCKDB_MAGIC:
        return
    if not head:
        raise SockscopeError(f"{path}: an empty file, not a DuckDB database; remove it or "
                             "give a new path for --db")
    kind = "a CSV or text file" if all(32 <= b < 127 or b in (9, 10, 13) for b in head) \
        else "some other kind of file"
    raise SockscopeError(f"{path}: not a DuckDB database (it looks like {kind}); --db names "
                         "the run database, not an input: give a new path for it")


def _has_canonical_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'posts' "
                            "AND NOT temporary").fetchall()[0][0])


def remove_database(path: Path) -> None:
    """Delete a database file and its write-ahead log."""
    for leftover in (path, Path(str(path) + ".wal")):
        leftover.unlink(missing_ok=True)


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
