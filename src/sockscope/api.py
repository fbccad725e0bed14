"""The Python API shared by the command line and notebooks.

>>> import sockscope
>>> result = sockscope.ingest(["tweets.csv"], db="run.duckdb")   # doctest: +SKIP
>>> sockscope.info("run.duckdb")["posts"]                         # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from sockscope.errors import SockscopeError
from sockscope.model.operators import KINDS
from sockscope.model.params import DetectParams
from sockscope.store.database import connect, remove_database

if TYPE_CHECKING:
    from sockscope.authorship.calibration import Decision
    from sockscope.detect.engines.spark import SparkEngine
    from sockscope.ingest.finalize import FileReport
    from sockscope.ingest.pipeline import ProgressCallback
    from sockscope.model.bylines import BylineResult
    from sockscope.model.detection import Detection

# The stages (SciPy, igraph, scikit-learn behind them) are imported by the calls that run
# them, so that ``info``, ``account`` and ``posts`` start in a fraction of a second.


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
    na: Sequence[str] | None = None,
    timezone: str | None = None,
    time_format: str | None = None,
    list_sep: dict[str, str] | None = None,
    allow_empty: bool = False,
    value_map: dict[str, dict[str, str]] | None = None,
    time_range: str | None = None,
) -> IngestResult:
    """Read input files into the canonical tables of a run database.

    ``db`` is a DuckDB file (created if missing) or ``None`` for an in-memory run.
    ``fmt`` forces a reader (see ``sockscope.plugins.READERS``); ``mapping`` maps
    canonical columns to source columns for generic tables and article corpora.
    With ``strict`` a skipped row raises :class:`sockscope.errors.IngestError` and
    nothing is written. ``na`` lists the tokens a generic table writes for "no value"
    (default ``["NA"]``, as R writes; blank cells are always missing). ``timezone`` (an
    IANA name) is the zone of times a source writes without an offset: old Telegram
    exports, naive times in generic tables (UTC when not given). ``time_format`` (strptime
    codes, e.g. ``%d/%m/%Y %H:%M``) reads a generic table's times; ``list_sep`` maps a
    generic table's list column to the separator of its items (``{"tags": " "}``).
    A file with records of which none could be kept is an error naming the reader and
    the fields (almost always the wrong reader), unless ``allow_empty``. ``value_map``
    maps a generic table's kind values to kinds: ``{"kind": {"1": "repost", "0": "post"}}``.
    ``time_range`` (``"FROM:TO"``, dates or years) is the span a post's time must fall in
    (default ``"1990:2100"``); a time outside it is a counted skip naming the field.
    """
    from sockscope.ingest.pipeline import ingest_files

    created = connection is None and db is not None and not Path(db).exists()
    con = connection if connection is not None else connect(db)
    try:
        reports = ingest_files(con, inputs, fmt=fmt, mapping=mapping, platform=platform,
                               strict=strict, on_file=on_file, na=na, timezone=timezone,
                               time_format=time_format, list_sep=list_sep,
                               allow_empty=allow_empty, value_map=value_map,
                               time_range=time_range)
    except BaseException:
        if created:  # a failed ingest into a new database leaves no database behind
            con.close()
            remove_database(Path(db))
        raise
    return IngestResult(reports, con)


def info(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Summarise a run database: rows per table, platforms, time span, skipped rows."""
    con = _opened(db)
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
    # databases made before ingest_log had notes (opened read-only here) have none
    notes = "notes" if con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'ingest_log' "
        "AND column_name = 'notes'").fetchall()[0][0] else "CAST([] AS VARCHAR[])"
    summary["files"] = [
        {"path": r[0], "format": r[1], "rows_read": r[2], "rows_kept": r[3], "rows_skipped": r[4],
         "notes": list(r[5] or [])}
        for r in con.execute(
            f"SELECT path, format, rows_read, rows_kept, rows_skipped, {notes} FROM ingest_log "
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
    na: Sequence[str] | None = None,
    timezone: str | None = None,
    time_format: str | None = None,
    list_sep: dict[str, str] | None = None,
    engine: str = "duckdb",
    spark_master: str = "local[*]",
    spark_workdir: str | Path | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_file: ProgressCallback | None = None,
    allow_empty: bool = False,
    value_map: dict[str, dict[str, str]] | None = None,
    force: bool = False,
    articles: Sequence[str | Path] = (),
    time_range: str | None = None,
    **parameters: Any,
) -> Detection:
    """Find coordinated groups: ingest ``inputs`` (if any) into ``db`` (or memory),
    run the detection pipeline and, when ``out`` is given, write the output contract.

    Detection parameters are given as ``params`` or as keywords, the fields of
    :class:`sockscope.model.params.DetectParams` (``traces``, ``windows``, ``fdr``,
    ``seed``, ...); they are checked before any data is read. The result is also kept
    in the run database (tables ``result_*``). ``engine="spark"`` runs the co-action
    stages on Apache Spark (``spark_master``, default ``local[*]``; tables travel
    through ``spark_workdir``, a folder every executor can read), with the same results.
    ``on_stage(name)`` hears of each stage as it starts, ``on_file`` of each input file
    (as in :func:`ingest`). ``out`` must be new, empty or an earlier result (replaced
    whole), unless ``force``.

    With articles among the inputs (sniffed, or forced with ``articles``), the run also
    compares their bylines and assembles operations: articles matched to the posts that
    share them, byline <-> group links, persona accounts (``detection.bylines``,
    ``detection.operations``; byline_links.csv, operations.csv, ... in ``out``).

    >>> detection = sockscope.detect(["tweets.csv"], "result", fdr=0.01)  # doctest: +SKIP
    >>> detection.groups[0].summary                                        # doctest: +SKIP
    """
    from sockscope import __version__
    from sockscope.detect.pipeline import run_detection
    from sockscope.ingest.pipeline import ingest_files
    from sockscope.output.files import write_results
    from sockscope.output.store import store_detection

    if params is None:
        params = DetectParams.from_dict(parameters)
    elif parameters:
        raise SockscopeError("give either params or keyword parameters, not both")
    started = time.perf_counter()
    spark = _engine(engine, params, spark_master, spark_workdir)  # before ingest: fail early
    spark_s = time.perf_counter() - started
    started = time.perf_counter()
    con = connection if connection is not None else connect(db, memory_limit=memory_limit)
    if inputs:
        ingest_files(con, inputs, fmt=fmt, mapping=mapping, platform=platform, na=na,
                     timezone=timezone, time_format=time_format, list_sep=list_sep,
                     on_file=on_file, allow_empty=allow_empty, value_map=value_map,
                     time_range=time_range)
    if articles:
        ingest_files(con, articles, fmt="articles", on_file=on_file, allow_empty=allow_empty,
                     time_range=time_range)
    ingest_s = time.perf_counter() - started
    detection = run_detection(con, params, spark, on_stage)
    detection.timings = {"ingest": ingest_s, **detection.timings}
    if spark is not None:
        detection.timings["spark session"] = spark_s
    if con.execute("SELECT count(*) FROM articles").fetchall()[0][0]:
        _operations(con, detection, on_stage, seed=params.seed)
        if not con.execute("SELECT count(*) FROM posts").fetchall()[0][0]:
            detection.notes.append("articles but no posts were read: the bylines are "
                                   "compared, but no byline can be tied to the accounts "
                                   "that share it (sockscope bylines compares articles "
                                   "alone)")
    detection.inputs = [
        {"path": r[0], "sha256": r[1], "format": r[2], "rows_read": r[3], "rows_kept": r[4],
         "rows_skipped": r[5], "notes": list(r[6] or [])}
        for r in con.execute("SELECT path, sha256, format, rows_read, rows_kept, "
                             "rows_skipped, notes FROM ingest_log ORDER BY path").fetchall()]
    detection.notes.extend(f"{Path(i['path']).name}: {note}" for i in detection.inputs
                           for note in i["notes"])
    if out is not None:
        if on_stage is not None:
            on_stage("writing results")
        manifest = write_results(con, detection, Path(out), __version__, force)
    else:
        manifest = detection.manifest(__version__)
    store_detection(con, detection, manifest)
    return detection




def _operations(con: duckdb.DuckDBPyConnection, detection: Detection,
                on_stage: Callable[[str], None] | None, seed: int) -> None:
    """With articles in the run: the byline analysis and the operations stage, kept on
    ``detection`` (a byline analysis that cannot run is a note: the links still can)."""
    from sockscope.authorship.bylines import analyse_bylines
    from sockscope.operations.assemble import assemble_operations
    from sockscope.output.contract import with_operations

    if on_stage is not None:
        on_stage("comparing bylines")
    started = time.perf_counter()
    try:
        detection.bylines = analyse_bylines(con, None, seed)
        detection.notes.extend(detection.bylines.notes)
    except SockscopeError as exc:
        detection.notes.append(f"bylines not compared: {exc}")
    detection.timings["bylines"] = time.perf_counter() - started
    if on_stage is not None:
        on_stage("operations")
    started = time.perf_counter()
    detection.operations = assemble_operations(con, detection, detection.bylines)
    detection.accounts = with_operations(detection.accounts, detection.operations.operations)
    detection.notes.extend(detection.operations.notes)
    detection.timings["operations"] = time.perf_counter() - started


def bylines(
    inputs: Sequence[str | Path] = (),
    out: str | Path | None = None,
    *,
    db: str | Path | None = None,
    background: str | Path | None = None,
    seed: int = 1,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    force: bool = False,
) -> BylineResult:
    """Which bylines share a writer, and which are written by several hands: ingest the
    article corpora ``inputs`` (if any) into ``db`` (or memory), analyse the ``articles``
    table and, when ``out`` is given, write bylines.csv, byline_pairs.csv, articles.csv,
    passages.parquet, report.html and manifest.json there. ``background`` is a PAN-layout
    corpus of other writers to fit and calibrate the verifiers on.

    >>> result = sockscope.bylines(["columns.csv"], "bylines")   # doctest: +SKIP
    >>> result.bylines.to_pylist()[0]["hands"]                    # doctest: +SKIP
    """
    from sockscope.authorship.bylines import analyse_bylines

    started = time.perf_counter()
    con = connection if connection is not None else connect(db)
    reports = ingest(inputs, connection=con, fmt=fmt, mapping=mapping).reports if inputs else []
    background = Path(background) if background is not None else None
    result = analyse_bylines(con, background, seed)
    if out is not None:
        write_bylines(result, Path(out), {
            "method": "bylines", "seed": seed,
            "background": str(background) if background else None,
            "inputs": [{"path": r.display, "sha256": r.sha256, "rows_read": r.rows_read,
                        "rows_kept": r.rows_kept, "rows_skipped": r.rows_skipped}
                       for r in reports],
            "seconds": round(time.perf_counter() - started, 2)}, force)
    return result


def write_bylines(result: BylineResult, out: Path, manifest: dict, force: bool = False) -> None:
    """A byline analysis' files and report into ``out``, moved there together once all
    are written (``out`` as for :func:`detect`)."""
    from sockscope import __version__
    from sockscope.output.bylines import write_byline_tables
    from sockscope.output.files import result_folder, write_manifest
    from sockscope.report.bylines import build_bylines_report

    manifest = {"version": __version__, **manifest, "calibration": result.calibration,
                "notes": result.notes, "counts": {
        "bylines": result.bylines.num_rows, "pairs": result.pairs.num_rows,
        "articles": result.articles.num_rows, "passages": result.passages.num_rows}}
    with result_folder(out, force) as staging:
        write_byline_tables(result, staging)
        build_bylines_report(result, manifest, staging / "report.html")
        write_manifest(staging, manifest)


def verify(known: Sequence[str], unknown: str, *, background: str | Path | None = None,
           seed: int = 0) -> Decision:
    """Did the writer of the ``known`` texts also write ``unknown``? A calibrated
    probability and a decision ("same", "different" or "no answer"), calibrated on
    ``background`` (a PAN-layout corpus of other writers) when given, else on the
    shipped set of public-domain English prose cut to the question's shape; texts in
    another language without a background get the raw scores and "no answer".
    ``Decision.calibration`` says which calibration was used.

    >>> sockscope.verify([column_a, column_b], letter).decision        # doctest: +SKIP
    """
    from sockscope.authorship.pan import verify as run_verify

    return run_verify(list(known), unknown, Path(background) if background else None, seed)


def _opened(db: str | Path | duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A run database to read: the connection given, or the file opened read-only."""
    return db if isinstance(db, duckdb.DuckDBPyConnection) else connect(db, read_only=True)


def _engine(engine: str, params: DetectParams, master: str,
            workdir: str | Path | None) -> SparkEngine | None:
    """The Spark engine for ``engine="spark"`` (None: DuckDB runs every stage), checked
    against the parameters and the installed extras."""
    from sockscope.detect.engines import ENGINES

    if engine not in ENGINES:
        raise SockscopeError(f"unknown engine {engine!r}; choose {' or '.join(ENGINES)}")
    if engine == "duckdb":
        return None
    if params.auto_window:
        raise SockscopeError("--window auto is not available on the Spark engine yet; "
                             "estimate the windows with the DuckDB engine and pass them")
    try:
        from sockscope.detect.engines.spark import SparkEngine
    except ImportError as exc:
        raise SockscopeError(f"the Spark engine needs the spark extra ({exc.name} is "
                             "missing): pip install 'sockscope[spark]', and Java 17 "
                             "or later") from None
    return SparkEngine(master, workdir)


def account(db: str | Path | duckdb.DuckDBPyConnection, account_id: str, *,
            ties: int = 10, examples: int = 5) -> dict[str, Any]:
    """One account's dossier from a run made with ``detect --db``: profile, persona
    signals, group (with its summary and signals), strongest edges, example evidence,
    and its probable same-operator accounts with their evidence side by side."""
    import pyarrow.compute as pa_compute

    from sockscope.output.store import load_detection

    con = _opened(db)
    account_id = resolve_account(con, account_id)
    profile = con.execute(
        """SELECT handle, display_name, description, created_at, followers, following,
                  location, lang, profile_image, has_profile
           FROM accounts WHERE account_id = ? ORDER BY has_profile DESC LIMIT 1""",
        [account_id]).fetchall()
    posts = con.execute("SELECT count(*), min(created_at), max(created_at) FROM posts "
                        "WHERE account_id = ?", [account_id]).fetchall()[0]
    detection = load_detection(con)
    persona = {}
    if detection.persona is not None:
        rows = detection.persona.filter(pa_compute.equal(detection.persona["account_id"],
                                                         account_id)).to_pylist()
        persona = {k: v for k, v in (rows[0] if rows else {}).items() if k != "hour_of_week"}
    group = next((g for g in detection.groups if account_id in g.members), None)
    edges = sorted((e for e in detection.edges if account_id in (e.account_a, e.account_b)),
                   key=lambda e: (-e.weight, e.q_value, e.key))
    evidence = detection.evidence.filter(pa_compute.or_(
        pa_compute.equal(detection.evidence["account_a"], account_id),
        pa_compute.equal(detection.evidence["account_b"], account_id)))
    fields = ("handle", "display_name", "description", "created_at", "followers",
              "following", "location", "lang", "profile_image", "has_profile")
    return {
        "account_id": account_id,
        "profile": dict(zip(fields, profile[0], strict=True)) if profile else {},
        "posts": {"count": int(posts[0]), "first": posts[1], "last": posts[2]},
        "persona": persona,
        "group": None if group is None else {
            "group_id": group.group_id, "size": len(group.members), "summary": group.summary,
            "signals": group.signals},
        "edges": [{"other": e.account_b if e.account_a == account_id else e.account_a,
                   "behaviour": e.behaviour, "shared_keys": e.shared_keys,
                   "weight": e.weight, "q_value": e.q_value,
                   "example_keys": list(e.example_keys)} for e in edges[:ties]],
        "evidence": evidence.slice(0, examples).to_pylist(),
        "evidence_total": evidence.num_rows,
        "same_operator": _same_operator(detection, account_id),
    }


def _same_operator(detection: Detection, account_id: str) -> dict[str, Any] | None:
    """The account's probable same-operator accounts, each with its evidence side by
    side: both accounts' active spans (the hand-over), shared targets, the names."""
    operators = detection.operators
    if operators is None:
        return None
    rows = [r for r in operators.pairs.to_pylist() if account_id in (r["account_a"],
                                                                      r["account_b"])]
    others = []
    for r in rows:  # stored strongest first
        mine, theirs = ("a", "b") if r["account_a"] == account_id else ("b", "a")
        others.append({
            "other": r[f"account_{theirs}"], "handle": r[f"handle_{theirs}"],
            "score": r["score"], "q_value": r["q_value"],
            "evidence": r["evidence"],
            "kinds": {k: r[f"{k}_p"] for k in KINDS},
            "span": [r[f"first_{mine}"], r[f"last_{mine}"]],
            "other_span": [r[f"first_{theirs}"], r[f"last_{theirs}"]],
            "handover_s": r["handover_s"], "shared_targets": r["shared_targets"],
            "reactive_targets": r["reactive_targets"],
            "example_targets": [t for t in (r["example_targets"] or "").split(" | ") if t],
            "name_similarity": r["name_similarity"],
            "writing_similarity": r["writing_similarity"], "same_marks": r["same_marks"]})
    return {"operator_group": operators.groups.get(account_id), "accounts": others}


POST_COLUMNS = ["post_id", "account_id", "handle", "created_at", "kind", "text", "target_post",
                "target_account", "urls", "hashtags", "mentions", "platform", "post_url"]


def posts(db: str | Path | duckdb.DuckDBPyConnection, *, account_id: str | None = None,
          group_id: str | None = None, accounts: Sequence[str] | None = None,
          limit: int | None = None) -> pa.Table:
    """The posts themselves: one account's (``account_id``), one group's (``group_id``,
    from a run made with ``detect --db``) or those of ``accounts``, oldest first, with
    what each amplified and a link to it on its platform (POST_COLUMNS)."""
    from sockscope.output.links import post_url
    from sockscope.store.database import arrow_view

    con = _opened(db)
    wanted = _accounts_wanted(con, account_id, group_id, accounts)
    with arrow_view(con, {"account_id": pa.array(sorted(wanted), pa.string())}) as chosen:
        rows = con.execute(f"""
            SELECT p.post_id, p.account_id, a.handle, p.created_at, p.kind, p.text,
                   coalesce(p.repost_of_post, p.quote_of_post, p.reply_to_post),
                   coalesce(p.repost_of_account, p.reply_to_account),
                   array_to_string(p.urls, ' '), array_to_string(p.hashtags, ' '),
                   array_to_string(p.mentions, ' '), p.platform
            FROM posts p SEMI JOIN {chosen} USING (account_id)
            LEFT JOIN (SELECT account_id, max(handle) AS handle FROM accounts GROUP BY 1) a
                   USING (account_id)
            ORDER BY p.created_at, p.account_id, p.post_id
            {f"LIMIT {int(limit)}" if limit else ""}""").fetchall()
    columns: dict[str, list] = {name: [] for name in POST_COLUMNS}
    for row in rows:
        for name, value in zip(POST_COLUMNS, (*row, post_url(row[11], row[0], row[4])),
                               strict=True):
            columns[name].append(value)
    types = {"created_at": pa.timestamp("us")}
    return pa.table({name: pa.array(values, types.get(name, pa.string()))
                     for name, values in columns.items()})


def _accounts_wanted(con: duckdb.DuckDBPyConnection, account_id: str | None,
                     group_id: str | None, accounts: Sequence[str] | None) -> set[str]:
    if sum(x is not None for x in (account_id, group_id, accounts)) != 1:
        raise SockscopeError("name one account, one group or a list of accounts")
    if accounts is not None:
        return set(accounts)
    if account_id is not None:
        return {resolve_account(con, account_id)}
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                       "'result_accounts'").fetchall()[0][0]:
        raise SockscopeError("this database holds no detection result: run "
                             "sockscope detect ... --db on it first")
    members = {a for (a,) in con.execute(
        "SELECT account_id FROM result_accounts WHERE group_id = ?", [group_id]).fetchall()}
    if not members:
        raise SockscopeError(f"no group {group_id!r} in this database")
    return members


def resolve_account(con: duckdb.DuckDBPyConnection, account_id: str) -> str:
    """The account id as the database has it. An id copied from a CSV written before ids
    were kept verbatim may carry the spreadsheet guard's leading apostrophe; it is
    accepted without it."""
    for candidate in dict.fromkeys([account_id, account_id.removeprefix("'")]):
        found = con.execute(
            "SELECT (SELECT count(*) FROM accounts WHERE account_id = ?) + "
            "(SELECT count(*) FROM posts WHERE account_id = ?)",
            [candidate, candidate]).fetchall()[0][0]
        if found:
            return candidate
    raise SockscopeError(f"no account {account_id!r} in this database")


def export(group_id: str, result: str | Path, out: str | Path, *,
           db: str | Path | duckdb.DuckDBPyConnection | None = None) -> dict[str, int]:
    """Everything about one group into the folder ``out``: its rows of the result
    folder's files (groups, members, accounts, edges, content, evidence with post links)
    and, with the run database ``db``, its members' posts (posts.csv). Returns the rows
    written per file."""
    from sockscope.output.export import export_group
    from sockscope.output.safe_csv import write_relation_csv

    extra = None
    if db is not None:
        con = _opened(db)

        def extra(folder: Path, members: set[str]) -> dict[str, int]:
            table = posts(con, accounts=sorted(members))
            write_relation_csv(con, table, folder / "posts.csv")
            return {"posts.csv": table.num_rows}
    return export_group(Path(result), group_id, Path(out), extra)
