"""Staging: load a file into a temporary DuckDB table, keeping track of positions.

DuckDB's own scanners do the reading. Rows it cannot parse (wrong number of fields,
invalid UTF-8, broken quoting) land in its rejects table with the byte offset of the
record, which we turn into a physical line number. Rows that parse but later fail
validation are located by their ordinal among accepted rows (``_ord``), mapped back
to a line only for the few examples the log keeps.
"""

from __future__ import annotations

import csv
import itertools
import mmap
import re
from dataclasses import dataclass, field

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.source import Source

EXAMPLES_KEPT = 5

REJECT_REASONS = {
    "MISSING COLUMNS": "too few fields",
    "TOO MANY COLUMNS": "too many fields",
    "INVALID ENCODING": "invalid UTF-8",
    "INVALID UNICODE": "invalid UTF-8",
    "UNQUOTED VALUE": "broken quoting",
    "UNTERMINATED QUOTE": "broken quoting",
    "LINE SIZE OVER MAXIMUM": "line too long",
    "CAST": "unparseable value",
}


@dataclass
class Skip:
    """Rows skipped for one reason: how many, and where the first ones are."""

    reason: str
    field: str | None
    count: int
    positions: list[int] = field(default_factory=list)
    example: str | None = None  # the first offending value, where it helps (times)


@dataclass
class Staged:
    """A staged file: a temp table with an ``_ord`` column, plus scan-level rejects."""

    source: Source
    table: str
    unit: str  # line | item | row
    rejects: list[Skip]
    rejected_lines: set[int]
    mode: str  # csv | lines | items

    def rows_rejected(self) -> int:
        return sum(skip.count for skip in self.rejects)

    def locate(self, ordinals: list[int]) -> dict[int, int]:
        """Map ordinals of accepted rows to positions (1-based lines, items or rows)."""
        if self.mode == "items":
            return {o: o + 1 for o in ordinals}
        if self.mode == "lines":
            return _nth_unrejected_lines(ordinals, self.rejected_lines)
        return _csv_record_lines(self.source, ordinals, self.rejected_lines)


def _nth_unrejected_lines(ordinals: list[int], rejected: set[int]) -> dict[int, int]:
    wanted = sorted(set(ordinals))
    found: dict[int, int] = {}
    accepted = -1
    line = 0
    for target in wanted:
        while accepted < target:
            line += 1
            if line not in rejected:
                accepted += 1
        found[target] = line
    return found


def _csv_record_lines(source: Source, ordinals: list[int], rejected: set[int]) -> dict[int, int]:
    """Walk the CSV with Python's reader to find where accepted record N starts."""
    wanted = set(ordinals)
    if not wanted:
        return {}
    last = max(wanted)
    found: dict[int, int] = {}
    with source.open_text() as handle:
        reader = csv.reader(handle, delimiter=source.delimiter)
        start = 1
        accepted = -1
        try:
            next(reader)  # header
            start = reader.line_num + 1
            for record in reader:
                record_start, start = start, reader.line_num + 1
                if not record or record_start in rejected:
                    continue
                accepted += 1
                if accepted in wanted:
                    found[accepted] = record_start
                if accepted >= last:
                    break
        except csv.Error:
            pass
    return found


def _byte_offsets_to_lines(source: Source, offsets: list[int]) -> dict[int, int]:
    """Physical 1-based line numbers of byte offsets, counting newlines in one pass."""
    result: dict[int, int] = {}
    if not offsets:
        return result
    targets = sorted(set(offsets))
    newlines = 0
    consumed = 0
    index = 0
    with source.open_bytes() as handle:
        while index < len(targets):
            block = handle.read(1 << 22)
            if not block:
                break
            end = consumed + len(block)
            while index < len(targets) and targets[index] <= end:
                newlines_before = newlines + block.count(b"\n", 0, targets[index] - consumed)
                result[targets[index]] = newlines_before + 1
                index += 1
            newlines += block.count(b"\n")
            consumed = end
    for offset in targets[index:]:
        result[offset] = newlines + 1
    return result


_counter = itertools.count()

# Row ids follow insertion order (which follows the file), but rows written inside a
# transaction are numbered from a large offset: subtract the smallest.
_ORD = "rowid - (SELECT min(rowid) FROM {t}) AS _ord"


def _name(prefix: str) -> str:
    return f"{prefix}_{next(_counter)}"


def _collect_rejects(con: duckdb.DuckDBPyConnection, source: Source, rejects_table: str,
                     columns: list[str] | None) -> tuple[list[Skip], set[int]]:
    rows = con.execute(
        f"""
        SELECT error_type, column_name, line_byte_position
        FROM {rejects_table}
        QUALIFY row_number() OVER (PARTITION BY line_byte_position ORDER BY column_idx) = 1
        ORDER BY line_byte_position
        """
    ).fetchall()
    offsets = [int(r[2]) for r in rows if r[2] is not None]
    lines = _byte_offsets_to_lines(source, offsets)
    grouped: dict[tuple[str, str | None], Skip] = {}
    for error_type, column_name, offset in rows:
        reason = REJECT_REASONS.get(error_type, error_type.lower())
        column = column_name if error_type != "TOO MANY COLUMNS" else None
        if columns is None:  # line mode: the "field" is the whole line
            reason = "invalid UTF-8" if reason == "invalid UTF-8" else "malformed line"
            column = None
        skip = grouped.setdefault((reason, column), Skip(reason, column, 0))
        skip.count += 1
        if len(skip.positions) < EXAMPLES_KEPT and offset is not None:
            skip.positions.append(lines[int(offset)])
    return list(grouped.values()), set(lines.values())


def _duck_error(source: Source, exc: Exception) -> IngestError:
    """One line for an error DuckDB raised on a whole file, with the line it names (or
    the line of the byte offset it names)."""
    message = str(exc).split("\n")[0]
    line = None
    match = re.search(r"line (\d+)", str(exc))
    offset = re.search(r"at byte (\d+)", str(exc))
    if match:
        line = int(match.group(1))
    elif offset:
        line = _byte_offsets_to_lines(source, [int(offset.group(1))])[int(offset.group(1))]
    message = re.sub(r'in file "[^"]*",? ?', "", message)
    message = re.sub(r"at byte \d+ ?", "", message)
    message = re.sub(r" ?in record/value \d+", "", message)
    return IngestError(source.display, f"unreadable: {message}", line=line)


# DuckDB's CSV scanner counts a line longer than max_line_size as a reject, but one past
# about a gigabyte vanishes from both the rows and the rejects: such a line is refused
# before DuckDB sees it (no record is that long; it is a damaged or unsplit file)
LONGEST_LINE = 512 << 20


def check_line_lengths(source: Source) -> None:
    """Refuse a file with a line of ``LONGEST_LINE`` bytes or more, naming the line. One
    pass at memchr speed, only over files larger than that: each step jumps to the
    last line end within the next ``LONGEST_LINE`` bytes."""
    size = source.path.stat().st_size
    if size < LONGEST_LINE:
        return
    with open(source.path, "rb") as handle, \
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = 0
        while size - start >= LONGEST_LINE:
            end = data.rfind(b"\n", start, start + LONGEST_LINE)
            if end < 0:
                line = 1 + sum(data[at:min(at + (64 << 20), start)].count(b"\n")
                               for at in range(0, start, 64 << 20))
                raise IngestError(source.display, f"a line of more than "
                                  f"{LONGEST_LINE >> 20:,} MB: no record is that long; the "
                                  "file is damaged or not split into lines", line=line)
            start = end + 1


def stage_csv(con: duckdb.DuckDBPyConnection, source: Source) -> Staged:
    """Stage a delimited file with every column as text, header from the probe."""
    check_line_lengths(source)
    names: list[str] = []
    for column in source.columns:
        name = column or "column"
        if name.lower() == "rowid":  # DuckDB's row number, which staging relies on
            name += "_"
        while name in names:
            name += "_"
        names.append(name)
    source.columns = names
    table, scan, errors = _name("stage"), _name("rej_scan"), _name("rej_err")
    try:
        con.execute(
            f"""
            CREATE TEMP TABLE {table} AS
            SELECT * FROM read_csv($path, columns = $columns, auto_detect = false,
                header = true, delim = $delim, quote = '"', escape = '"',
                store_rejects = true, rejects_scan = '{scan}', rejects_table = '{errors}',
                max_line_size = 33554432, strict_mode = false)
            """,
            {"path": str(source.path), "columns": {n: "VARCHAR" for n in names},
             "delim": source.delimiter},
        )
    except duckdb.Error as exc:
        raise _duck_error(source, exc) from exc
    skips, lines = _collect_rejects(con, source, errors, names)
    con.execute(f"DROP TABLE IF EXISTS {errors}")
    con.execute(f"DROP TABLE IF EXISTS {scan}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_v AS SELECT {_ORD.format(t=table)}, * "
                f"FROM {table}")
    return Staged(source, f"{table}_v", "line", skips, lines, "csv")


def stage_lines(con: duckdb.DuckDBPyConnection, source: Source) -> Staged:
    """Stage a JSON-lines file: one row per physical line, blank lines dropped later."""
    check_line_lengths(source)
    table, scan, errors = _name("stage"), _name("rej_scan"), _name("rej_err")
    try:
        con.execute(
            f"""
            CREATE TEMP TABLE {table} AS
            SELECT raw FROM read_csv($path, columns = {{'raw': 'VARCHAR'}}, auto_detect = false,
                header = false, delim = '\x01', quote = '', escape = '',
                store_rejects = true, rejects_scan = '{scan}', rejects_table = '{errors}',
                max_line_size = 268435456)
            """,
            {"path": str(source.path)},
        )
    except duckdb.Error as exc:
        raise _duck_error(source, exc) from exc
    skips, lines = _collect_rejects(con, source, errors, None)
    con.execute(f"DROP TABLE IF EXISTS {errors}")
    con.execute(f"DROP TABLE IF EXISTS {scan}")
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {table}_v AS
            SELECT {_ORD.format(t=table)}, raw, json_valid(raw) AS _valid FROM {table}
            WHERE raw IS NOT NULL AND trim(raw) <> ''"""
    )
    return Staged(source, f"{table}_v", "line", skips, lines, "lines")


def stage_document(con: duckdb.DuckDBPyConnection, source: Source, items_path: str,
                   meta: dict[str, str] | None = None) -> Staged:
    """Stage the elements of a list inside one JSON document (array file or export).

    ``items_path`` is a JSONPath to the list, e.g. ``$`` for a top-level array or
    ``$.messages`` for a Telegram export. Each element becomes one row (``item``);
    ``meta`` names scalar fields of the document copied onto every row.
    """
    meta_sql = "".join(
        f", json_extract_string(json, '{path}') AS {name}" for name, path in (meta or {}).items()
    )
    meta_cols = "".join(f", {name}" for name in (meta or {}))
    table = _name("stage")
    size = json_object_size(source)
    try:
        con.execute(
            f"""
            CREATE TEMP TABLE {table}_docs AS
            SELECT row_number() OVER () AS _doc, json
            FROM read_json_objects($path, format = 'unstructured',
                                   maximum_object_size = {size})
            """,
            {"path": str(source.path)},
        )
        wrong = con.execute(
            f"""SELECT _doc, coalesce(json_type(json, $items), 'missing') FROM {table}_docs
                WHERE coalesce(json_type(json, $items), 'missing') <> 'ARRAY'
                ORDER BY _doc LIMIT 1""", {"items": items_path}).fetchall()
        if wrong:
            where = items_path.removeprefix("$").removeprefix(".") or "the document"
            raise IngestError(source.display, f"{where} is {_json_kind(wrong[0][1])}, not a "
                              f"list of records (document {wrong[0][0]} of the file)")
        # several documents may be concatenated (two exports in one file): number the
        # records across all of them
        con.execute(
            f"""
            CREATE TEMP TABLE {table} AS
            WITH items AS (
                SELECT _doc, CAST(json_extract(json, $items) AS JSON[]) AS items{meta_sql}
                FROM {table}_docs
            ), flat AS (
                SELECT _doc, unnest(range(len(items))) AS _i, unnest(items) AS item{meta_cols}
                FROM items
            )
            SELECT (row_number() OVER (ORDER BY _doc, _i) - 1)::BIGINT AS _ord,
                   item{meta_cols}
            FROM flat
            """,
            {"items": items_path},
        )
        con.execute(f"DROP TABLE {table}_docs")
    except duckdb.Error as exc:
        raise _duck_error(source, exc) from exc
    return Staged(source, table, "item", [], set(), "items")


def json_object_size(source: Source) -> int:
    """The largest JSON object DuckDB must accept to read ``source`` as one document."""
    return min(max(source.path.stat().st_size * 8 + 1024, 16 << 20), 2**31 - 1)


def _json_kind(json_type: str) -> str:
    return {"OBJECT": "an object", "VARCHAR": "a string", "NULL": "null",
            "missing": "missing", "BIGINT": "a number", "UBIGINT": "a number",
            "DOUBLE": "a number", "BOOLEAN": "true or false"}.get(json_type, json_type.lower())


def stage_parquet(con: duckdb.DuckDBPyConnection, source: Source) -> Staged:
    table = _name("stage")
    try:
        con.execute(
            f"""CREATE TEMP TABLE {table} AS
                SELECT file_row_number AS _ord, * EXCLUDE (file_row_number)
                FROM read_parquet($path, file_row_number = true)""",
            {"path": str(source.path)},
        )
    except duckdb.Error as exc:
        raise _duck_error(source, exc) from exc
    source.columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] != "_ord"]
    return Staged(source, table, "row", [], set(), "items")
