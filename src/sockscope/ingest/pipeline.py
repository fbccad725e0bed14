"""Run readers over input files and load the canonical tables.

For each file: open zips, probe the content, pick a reader (or the forced
``--format``), stage, validate, insert, and write one ``ingest_log`` row. The whole
call is one transaction: with ``--strict`` a bad row anywhere leaves the database
as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.documents import as_json_lines, needs_splitting
from sockscope.ingest.finalize import (
    ACCOUNT_POOL_DDL,
    FileReport,
    finalize,
    merge_accounts,
    set_time_range,
)
from sockscope.ingest.formats import sniff_format
from sockscope.ingest.readers.mapped_table import set_table_layout
from sockscope.ingest.source import Source, expand, probe
from sockscope.plugins import READERS
from sockscope.store.database import DEFAULT_NA, local_time_macro, na_macro

ProgressCallback = Callable[[str, FileReport | None], None]


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    platform: str | None = None,
    strict: bool = False,
    on_file: ProgressCallback | None = None,
    na: Sequence[str] | None = None,
    timezone: str | None = None,
    time_format: str | None = None,
    list_sep: dict[str, str] | None = None,
    allow_empty: bool = False,
    value_map: dict[str, dict[str, str]] | None = None,
    time_range: str | None = None,
) -> list[FileReport]:
    """Ingest ``paths`` into the canonical tables of ``con`` and return one report per file.
    A file whose records were all skipped (but as duplicates of rows already stored) is
    an error naming the reader and the fields, unless ``allow_empty``: it almost always
    means the wrong reader."""
    if fmt is not None and fmt not in READERS:
        raise IngestError(str(fmt), f"unknown format; choose one of {', '.join(READERS)}")
    reports: list[FileReport] = []
    # generic tables: which tokens mean "no value" (the default: R's NA)
    con.execute(na_macro(tuple(na) if na is not None else DEFAULT_NA))
    # times a source writes without an offset (old Telegram exports, naive table times)
    if timezone:
        try:
            con.execute("SELECT timezone(?, TIMESTAMP '2024-01-01')", [timezone]).fetchall()
        except duckdb.Error:
            raise IngestError(str(timezone), "unknown time zone; use an IANA name such as "
                              "Europe/Moscow or America/New_York") from None
    con.execute(local_time_macro(timezone))
    con.execute("SET VARIABLE ss_timezone = ?", [timezone or "UTC"])
    # generic tables: how their times and list columns are written
    set_table_layout(con, time_format, list_sep, value_map)
    # the times a post may carry (FROM:TO); others are counted skips
    set_time_range(con, time_range)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _account_pool ({ACCOUNT_POOL_DDL})")
        with tempfile.TemporaryDirectory(prefix="sockscope-") as workdir:
            for path in paths:
                for opened in expand(Path(path), Path(workdir)):
                    display = opened.display
                    if on_file:
                        on_file(display, None)
                    source = probe(opened)
                    document_note = None
                    if needs_splitting(source):
                        split, origin, document_note = as_json_lines(source, Path(workdir))
                        source = probe(split)
                        source.origin = origin
                    name = fmt or sniff_format(source, mapping)
                    staged, candidates = READERS[name].read(con, source, mapping or {},
                                                            platform)
                    report = finalize(con, staged, candidates, name, "_account_pool")
                    if not allow_empty and nothing_kept(report):
                        raise IngestError(display, nothing_kept_message(
                            report, candidates.fields, source, forced=fmt is not None))
                    if document_note:  # positions count the document's records
                        report.notes.insert(0, document_note)
                        report.unit = "item"
                    if strict and report.skips:
                        first = min(report.skips,
                                    key=lambda s: s.positions[0] if s.positions else 0)
                        value = f" {first.example!r}" if first.example is not None else ""
                        raise IngestError(display, f"{first.reason}{value} "
                                          f"({report.rows_skipped} bad rows; --strict stops "
                                          "at the first)",
                                          line=first.positions[0] if first.positions else None,
                                          field=first.field, unit=report.unit)
                    _log(con, report)
                    reports.append(report)
                    if on_file:
                        on_file(display, report)
                    _drop_staging(con)
        merge_accounts(con, "_account_pool")
        con.execute("DROP TABLE _account_pool")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return reports


def nothing_kept(report: FileReport) -> bool:
    """Records were read and none kept, and none of them repeats a row already stored
    (a file read again is recognised, not misread)."""
    duplicates = sum(s.count for s in report.skips if s.reason.startswith("duplicate "))
    return report.rows_read > 0 and report.rows_kept == 0 and duplicates == 0


def nothing_kept_message(report: FileReport, fields: dict[str, str], source: Source,
                         forced: bool) -> str:
    """One line: the reader chosen, why rows were skipped, the fields it looked for and
    those the file has, and what to pass instead."""
    reasons = "; ".join(f"{s.count:,} {s.reason}" + (f" [{s.field}]" if s.field else "")
                        for s in sorted(report.skips, key=lambda s: -s.count)[:3])
    looked = ", ".join(f"{canonical} from {field!r}" for canonical, field in fields.items())
    found = list(source.columns) or sorted(source.first_object or {})
    shown = ", ".join(found[:15]) + (", …" if len(found) > 15 else "")
    chosen = "forced with --format" if forced else "chosen from the file's first records"
    records = f"{report.rows_read:,} record{'s' if report.rows_read != 1 else ''}"
    return (f"{records} read with the {report.format} reader ({chosen}) "
            f"and none kept ({reasons}); that reader looks for {looked}; the file has "
            f"{shown or 'no named fields'}. Pass --format with the right reader, or --map "
            "CANONICAL=FIELD; --allow-empty accepts a file with nothing to keep")


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the per-file temporary views and tables (``stage_*``)."""
    for kind, catalog in (("VIEW", "duckdb_views()"), ("TABLE", "duckdb_tables()")):
        for (name,) in con.execute(f"SELECT {kind.lower()}_name FROM {catalog} "
                                   f"WHERE temporary AND {kind.lower()}_name LIKE 'stage_%'"
                                   ).fetchall():
            con.execute(f"DROP {kind} IF EXISTS {name}")


def _log(con: duckdb.DuckDBPyConnection, report: FileReport) -> None:
    skipped = [
        {"reason": s.reason, "field": s.field, "count": s.count, "first_positions": s.positions}
        for s in report.skips
    ]
    con.execute(
        "INSERT INTO ingest_log (path, member, sha256, format, target, rows_read, rows_kept, "
        "rows_skipped, position_unit, skipped, ingested_at, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report.display, report.member, report.sha256, report.format, report.target,
         report.rows_read, report.rows_kept, report.rows_skipped, report.unit, skipped,
         datetime.now(UTC).replace(tzinfo=None), report.notes],
    )
