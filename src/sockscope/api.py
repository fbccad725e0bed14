"""The Python API shared by the command line and notebooks.

>>> import sockscope
>>> result = sockscope.ingest(["tweets.csv"], db="run.duckdb")   # doctest: +SKIP
>>> sockscope.info("run.duckdb")["posts"]                         # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from sockscope.detect.model import Detection
from sockscope.detect.params import DetectParams
from sockscope.detect.pipeline import run_detection
from sockscope.errors import SockscopeError
from sockscope.ingest.finalize import FileReport
from sockscope.ingest.pipeline import ProgressCallback, ingest_files
from sockscope.output.files import write_results
from sockscope.output.store import store_detection
from sockscope.store.database import connect, remove_database


@dataclass
class IngestResult:
    """What an ingest call did: one report per file, and the open database."""

    reports: list[FileReport]
    connection: duckdb.DuckDBPyConnection

    @property
    def rows_read(self) -> int:
        return sum(r.rows_read for r in self.reports)

    @property
    def rows_kept(self) -> int:
        return sum(r.rows_kept for r in self.reports)

    @property
    def rows_skipped(self) -> int:
        return sum(r.rows_skipped for r in self.reports)


def ingest(
    inputs: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    platform: str | None = None,
    strict: bool = False,
    on_file: ProgressCallback | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> IngestResult:
    """Read input files into the canonical tables of a run database.

    ``db`` is a DuckDB file (created if missing) or ``None`` for an in-memory run.
    ``fmt`` forces a reader (see ``sockscope.plugins.READERS``); ``mapping`` maps
    canonical columns to source columns for generic tables and article corpora.
    With ``strict`` a skipped row raises :class:`sockscope.errors.IngestError` and
    nothing is written.
    """
    created = connection is None and db is not None and not Path(db).exists()
    con = connection if connection is not None else connect(db)
    try:
        reports = ingest_files(con, inputs, fmt=fmt, mapping=mapping, platform=platform,
                               strict=strict, on_file=on_file)
    except BaseException:
        if created:  # a failed ingest into a new database leaves no database behind
            con.close()
            remove_database(Path(db))
        raise
    return IngestResult(reports, con)


def info(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Summarise a run database: rows per table, platforms, time span, skipped rows."""
    con = db if isinstance(db, duckdb.DuckDBPyConnection) else connect(db, read_only=True)
    summary: dict[str, Any] = {}
    for table in ("posts", "accounts", "articles", "ingest_log"):
        summary[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    summary["posting_accounts"] = con.execute(
        "SELECT count(DISTINCT (platform, account_id)) FROM posts").fetchall()[0][0]
    summary["profiles"] = con.execute(
        "SELECT count(*) FROM accounts WHERE has_profile").fetchall()[0][0]
    summary["platforms"] = dict(con.execute(
        "SELECT platform, count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    summary["kinds"] = dict(con.execute(
        "SELECT kind, count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    first, last = con.execute("SELECT min(created_at), max(created_at) FROM posts").fetchall()[0]
    summary["first_post"], summary["last_post"] = first, last
    summary["time_precision_s"] = dict(con.execute(
        "SELECT time_precision_s, count(*) FROM posts GROUP BY 1 ORDER BY 1").fetchall())
    summary["rows_read"], summary["rows_kept"], summary["rows_skipped"] = con.execute(
        "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_kept), 0), "
        "coalesce(sum(rows_skipped), 0) FROM ingest_log").fetchall()[0]
    summary["skipped"] = [
        {"reason": r[0], "field": r[1], "count": int(r[2])}
        for r in con.execute(
            """SELECT s.reason, s.field, sum(s.count) FROM
               (SELECT unnest(skipped) AS s FROM ingest_log) GROUP BY ALL ORDER BY 3 DESC, 1"""
        ).fetchall()
    ]
    summary["files"] = [
        {"path": r[0], "format": r[1], "rows_read": r[2], "rows_kept": r[3], "rows_skipped": r[4]}
        for r in con.execute(
            "SELECT path, format, rows_read, rows_kept, rows_skipped FROM ingest_log "
            "ORDER BY ingested_at, path").fetchall()
    ]
    return summary


def detect(
    inputs: Sequence[str | Path] = (),
    out: str | Path | None = None,
    *,
    db: str | Path | None = None,
    params: DetectParams | None = None,
    memory_limit: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    platform: str | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    **parameters: Any,
) -> Detection:
    """Find coordinated groups: ingest ``inputs`` (if any) into ``db`` (or memory),
    run the detection pipeline and, when ``out`` is given, write the output contract.

    Detection parameters are given as ``params`` or as keywords, the fields of
    :class:`sockscope.detect.params.DetectParams` (``traces``, ``windows``, ``fdr``,
    ``seed``, ...); they are checked before any data is read. The result is also kept
    in the run database (tables ``result_*``).

    >>> detection = sockscope.detect(["tweets.csv"], "result", fdr=0.01)  # doctest: +SKIP
    >>> detection.groups[0].summary                                        # doctest: +SKIP
    """
    from sockscope import __version__

    if params is None:
        params = DetectParams.from_dict(parameters)
    elif parameters:
        raise SockscopeError("give either params or keyword parameters, not both")
    started = time.perf_counter()
    con = connection if connection is not None else connect(db, memory_limit=memory_limit)
    if inputs:
        ingest_files(con, inputs, fmt=fmt, mapping=mapping, platform=platform)
    ingest_s = time.perf_counter() - started
    detection = run_detection(con, params)
    detection.timings = {"ingest": ingest_s, **detection.timings}
    detection.inputs = [
        {"path": r[0], "sha256": r[1], "format": r[2], "rows_read": r[3], "rows_kept": r[4],
         "rows_skipped": r[5]}
        for r in con.execute("SELECT path, sha256, format, rows_read, rows_kept, "
                             "rows_skipped FROM ingest_log ORDER BY path").fetchall()]
    if out is not None:
        manifest = write_results(con, detection, Path(out), __version__)
    else:
        manifest = detection.manifest(__version__)
    store_detection(con, detection, manifest)
    return detection


