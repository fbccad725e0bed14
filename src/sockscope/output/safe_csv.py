"""Writers for result tables. Text cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
apostrophe, so text from the data can never execute in Excel or LibreOffice.

Identifiers are the exception: columns named in ``ID_COLUMNS`` are written exactly as
the input had them, so that ids round-trip (a hashed archive id such as ``+Xa9…=``
pasted into ``sockscope account`` or joined back to the release must match). Ids are
made by platforms, not typed by the accounts; a spreadsheet user opens these files with
the id columns imported as text (docs/output.md)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# columns of account, post and group ids (a list of ids is ``;``-joined): never altered
ID_COLUMNS = frozenset({"account_id", "account_a", "account_b", "group_id", "post_id",
                        "post_a", "post_b", "account_ids", "example_posts", "other_account",
                        "repost_of_post", "reply_to_post", "quote_of_post", "members_ids"})


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, four-digit year (``0001-01-02T00:00:00Z``); a
    naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def safe_cell(value: object, verbatim: bool = False) -> str:
    """The text of a CSV cell, neutralised if it could be read as a formula (unless
    ``verbatim``: an id)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, datetime):
        return iso_utc(value)
    text = str(value)
    if isinstance(value, str) and not verbatim and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              guard: bool = True) -> None:
    """Rows end with LF; any field holding CR or LF is quoted (a bare CR must never split
    a row for a reader that takes CR as a line end). Columns in ID_COLUMNS are verbatim
    (every column, without ``guard``: rows copied from a file already guarded); a
    ``datetime`` is written in ISO 8601, UTC."""
    ids = [name in ID_COLUMNS or not guard for name in header]
    buffer = io.StringIO()
    # CRLF as the writer's terminator makes it quote fields with either character; the
    # terminator itself is then written as LF
    writer = csv.writer(buffer, lineterminator="\r\n")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        cells = ([safe_cell(v, i) for v, i in zip(r, ids, strict=True)] for r in rows)
        for row in itertools.chain([header], cells):
            writer.writerow(row)
            handle.write(buffer.getvalue()[:-2] + "\n")
            buffer.seek(0)
            buffer.truncate()


def write_table_csv(table: pa.Table, path: Path) -> None:
    """An Arrow table as ``write_csv`` writes rows, its columns in order."""
    write_csv(path, table.column_names,
              zip(*(table[c].to_pylist() for c in table.column_names), strict=True))


def guard_sql(column: str) -> str:
    """SQL for a text column's cells with the leading apostrophe of ``safe_cell``."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return (f"CASE WHEN left({column}, 1) IN ({starts}) THEN chr(39) || {column} "
            f"ELSE {column} END")


def write_relation_csv(con: duckdb.DuckDBPyConnection,
                       relation: duckdb.DuckDBPyRelation | pa.Table, path: Path,
                       order_by: str | None = None) -> None:
    """A table (rows in its order) or a query (rows in ``order_by``, which must make the
    order total) as CSV, written by DuckDB: text columns guarded as in ``safe_cell``,
    ID_COLUMNS verbatim, times as ISO 8601 UTC, quotes only where needed, LF line ends.
    The path is passed as a value, never SQL."""
    if isinstance(relation, pa.Table):
        relation = con.from_arrow(relation)
    columns = []
    for name, kind in zip(relation.columns, relation.types, strict=True):
        quoted = '"' + name.replace('"', '""') + '"'
        guarded = str(kind) == "VARCHAR" and name not in ID_COLUMNS
        columns.append(f"{guard_sql(quoted)} AS {quoted}" if guarded else quoted)
    # DuckDB's parallel CSV writer may put row blocks of a multi-pipeline query out of
    # order: the rows are fetched in order first and written by one thread
    selected = relation.select(", ".join(columns))
    ordered = (selected.order(order_by) if order_by else selected).to_arrow_table()
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute("SET threads = 1")
    try:
        con.from_arrow(ordered).write_csv(str(path), header=True,
                                          timestamp_format="%Y-%m-%dT%H:%M:%SZ")
    finally:
        con.execute(f"SET threads = {int(threads)}")
