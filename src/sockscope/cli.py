"""The ``sockscope`` command: thin wrappers over :mod:`sockscope.api` with progress and
short summaries.

Only the standard library and Typer load at import time; each command imports what it
needs (the API brings DuckDB, PyArrow and SciPy), so ``sockscope --help`` starts fast.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sockscope.errors import SockscopeError
from sockscope.model.params import DEFAULT_TRACES, DetectParams, default, describe
from sockscope.terminal import clean

if TYPE_CHECKING:
    from rich.console import Console

    from sockscope.ingest.finalize import FileReport

# plain help (rich panels cut long defaults and print a type beside every flag)
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Uncover coordinated sockpuppet networks and fake personas.")
SHOWN_GROUPS = 15  # groups listed after detect; the rest are in groups.csv


@cache
def _consoles() -> tuple[Console, Console]:
    from rich.console import Console

    return Console(stderr=True), Console()


class _Lazy:
    """A rich console made on first use (importing rich costs start-up time)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def real(self) -> Console:
        return _consoles()[self.index]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


console: Any = _Lazy(0)  # messages, progress and notes: standard error
stdout: Any = _Lazy(1)  # results


def escape(text: object) -> str:
    """Text from the data, safe for rich markup and for the terminal."""
    from rich.markup import escape as rich_escape

    return rich_escape(clean(text))


def Table(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - rich's class, made on demand
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)


def _version(value: bool) -> None:
    if value:
        from sockscope import __version__

        print(f"sockscope {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Uncover coordinated sockpuppet networks and fake personas."""


# reader options shared by ingest and detect
FormatOption = Annotated[str | None, typer.Option("--format", help="Force a reader.")]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="CANONICAL=COLUMN for generic tables, e.g. --map account_id=author.")]
PlatformOption = Annotated[str | None, typer.Option(help="Platform name for generic tables.")]
TimezoneOption = Annotated[str | None, typer.Option(
    "--timezone", help="Zone of times written without an offset (old Telegram exports, naive "
                       "table times), e.g. Europe/Moscow; UTC by default.")]
TimeRangeOption = Annotated[str | None, typer.Option(
    "--time-range", help="FROM:TO, dates or years: the span a post's time must fall in "
                         "(default 1990:2100); times outside it are counted skips.")]
TimeFormatOption = Annotated[str | None, typer.Option(
    "--time-format", help="How a generic table writes its times, in strptime codes, e.g. "
                          "'%d/%m/%Y %H:%M'.")]
ListSepOption = Annotated[list[str] | None, typer.Option(
    "--list-sep", help="COLUMN=SEP: a generic table's list column whose items are separated "
                       "by SEP, e.g. --list-sep tags=' ' (repeat per column).")]
NaOption = Annotated[list[str] | None, typer.Option(
    "--na", help="A token meaning 'no value' in generic tables (repeat; default NA, as R "
                 "writes; --na '' for none).")]
MapValuesOption = Annotated[list[str] | None, typer.Option(
    "--map-values", help="CANONICAL=VALUE:TO,...: a generic table's values for kind, e.g. "
                         "--map-values kind=1:repost,0:post.")]
AllowEmptyOption = Annotated[bool, typer.Option(
    "--allow-empty", help="Accept a file whose records are all skipped (without it, that "
                          "is an error: usually the wrong reader).")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Write into an --out folder that holds other files (only the "
                    "result's own files are written).")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", help="Print no progress, only errors and the final summary.")]


def _print_error(message: str) -> None:
    """One line, however long: the console does not wrap it (a log or a script reading
    stderr sees the whole message, path and all, on the line it starts)."""
    console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def _fail(exc: Exception) -> typer.Exit:
    _print_error(str(exc))
    return typer.Exit(code=2)


def _parse_map(values: list[str] | None, option: str = "--map",
               shape: str = "CANONICAL=COLUMN", strip_values: bool = True) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values or []:
        if "=" not in item:
            raise typer.BadParameter(f"{item!r}: use {shape}", param_hint=option)
        key, value = item.split("=", 1)
        mapping[key.strip()] = value.strip() if strip_values else value
    return mapping


def _list_sep(values: list[str] | None) -> dict[str, str]:
    """--list-sep COLUMN=SEP (the separator kept as given: a space is a separator)."""
    return _parse_map(values, "--list-sep", "COLUMN=SEP", strip_values=False)


def _value_map(values: list[str] | None) -> dict[str, dict[str, str]]:
    """--map-values kind=1:repost,0:post."""
    value_map: dict[str, dict[str, str]] = {}
    for canonical, pairs in _parse_map(values, "--map-values",
                                       "CANONICAL=VALUE:TO,VALUE:TO").items():
        for pair in pairs.split(","):
            if ":" not in pair:
                raise typer.BadParameter(f"{pair!r}: use VALUE:TO, e.g. 1:repost",
                                         param_hint="--map-values")
            value, to = pair.split(":", 1)
            value_map.setdefault(canonical, {})[value.strip()] = to.strip()
    return value_map


def _na(values: list[str] | None) -> list[str] | None:
    """--na tokens; a single empty --na '' means none (blank cells are missing anyway)."""
    if values is None:
        return None
    return [v for v in values if v != ""]


def _skips_text(report: FileReport) -> str:
    parts = []
    for skip in report.skips:
        where = ", ".join(str(p) for p in skip.positions)
        field = f" [{skip.field}]" if skip.field else ""
        if skip.example is not None:
            field += f" (first: {skip.example!r})"
        parts.append(f"{skip.count} {skip.reason}{field}"
                     + (f" ({report.unit} {where}{'…' if skip.count > len(skip.positions) else ''})"
                        if where else ""))
    return "; ".join(parts)


@app.command()
def ingest(
    inputs: Annotated[list[Path], typer.Argument(help="Files to read (zip, gz, csv, json…).")],
    db: Annotated[Path | None, typer.Option(help="DuckDB file for the run; memory if omitted.")]
    = None,
    fmt: FormatOption = None,
    map_: MapOption = None,
    platform: PlatformOption = None,
    strict: Annotated[bool, typer.Option(help="Fail on the first skipped row.")] = False,
    na: NaOption = None,
    timezone: TimezoneOption = None,
    time_format: TimeFormatOption = None,
    time_range: TimeRangeOption = None,
    list_sep: ListSepOption = None,
    map_values: MapValuesOption = None,
    allow_empty: AllowEmptyOption = False,
    quiet: QuietOption = False,
) -> None:
    """Read input files into the canonical tables (posts, accounts, articles)."""
    from sockscope import api
    from sockscope.terminal import StageProgress

    try:
        mapping = _parse_map(map_)
        with StageProgress(console.real(), quiet) as progress:
            result = api.ingest(inputs, db, fmt=fmt, mapping=mapping, platform=platform,
                                strict=strict, on_file=_file_progress(progress), na=_na(na),
                                timezone=timezone, time_format=time_format,
                                list_sep=_list_sep(list_sep), allow_empty=allow_empty,
                                value_map=_value_map(map_values), time_range=time_range)
    except SockscopeError as exc:
        raise _fail(exc) from None
    table = Table(title="ingest", show_lines=False)
    for column in ("file", "format", "read", "kept", "skipped", "why skipped"):
        table.add_column(column, overflow="fold")
    for report in result.reports:
        table.add_row(escape(Path(report.display).name), report.format, f"{report.rows_read:,}",
                      f"{report.rows_kept:,}", f"{report.rows_skipped:,}",
                      escape(_skips_text(report)))
    stdout.print(table)
    for report in result.reports:
        for note in report.notes:
            console.print(f"[yellow]note:[/] {escape(Path(report.display).name)}: {escape(note)}")
    summary = api.info(result.connection)
    stdout.print(f"{summary['posts']:,} posts from {summary['posting_accounts']:,} accounts, "
                 f"{summary['profiles']:,} user profiles, {summary['articles']:,} articles; "
                 f"rows read {result.rows_read:,}, kept {result.rows_kept:,}, "
                 f"skipped {result.rows_skipped:,}"
                 + (f" → {escape(db)}" if db else " (in memory)"))


def _file_progress(progress: Any) -> Any:
    """An ingest ``on_file`` callback that names each file as it is read and, when it is
    done, its rows and their rate."""
    import time

    started: dict[str, float] = {}

    def on_file(display: str, report: FileReport | None) -> None:
        if report is None:
            started[display] = time.perf_counter()
            progress(f"reading {Path(display).name}")
            return
        from sockscope.terminal import progress_line

        seconds = time.perf_counter() - started.get(display, time.perf_counter())
        progress.note(f"{Path(display).name}: {report.format}, "
                      f"{progress_line(report.rows_read, seconds)}, "
                      f"{report.rows_kept:,} kept")
    return on_file


@app.command()
def info(
    db: Annotated[Path, typer.Option(help="DuckDB file of the run.")],
) -> None:
    """Summarise a run database: counts, platforms, time span, skipped rows."""
    from sockscope import api

    if not db.exists():
        raise _fail(SockscopeError(f"{db}: no such database"))
    try:
        summary = api.info(db)
    except SockscopeError as exc:
        raise _fail(exc) from None
    table = Table(title=escape(str(db)), show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    table.add_row("posts", f"{summary['posts']:,} from {summary['posting_accounts']:,} accounts")
    table.add_row("accounts", f"{summary['accounts']:,} ({summary['profiles']:,} with a profile)")
    table.add_row("articles", f"{summary['articles']:,}")
    platforms = ", ".join(f"{k} {v:,}" for k, v in summary["platforms"].items())
    table.add_row("platforms", escape(platforms))
    table.add_row("kinds", ", ".join(f"{k} {v:,}" for k, v in summary["kinds"].items()))
    table.add_row("time span", "no posts" if summary["first_post"] is None else
                  f"{summary['first_post']} → {summary['last_post']} UTC")
    table.add_row("time resolution", ", ".join(
        f"{k} s: {v:,}" for k, v in summary["time_precision_s"].items()))
    table.add_row("files", f"{summary['ingest_log']:,}")
    table.add_row("rows", f"read {summary['rows_read']:,}, kept {summary['rows_kept']:,}, "
                  f"skipped {summary['rows_skipped']:,}")
    for skip in summary["skipped"]:
        field = f" [{skip['field']}]" if skip["field"] else ""
        table.add_row("  skipped", escape(f"{skip['count']:,} {skip['reason']}{field}"))
    for file in summary["files"]:
        for note in file["notes"]:
            table.add_row("  note", escape(f"{Path(file['path']).name}: {note}"))
    stdout.print(table)



@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Folder for tweets.csv, users.csv, truth.csv.")],
    accounts: Annotated[int, typer.Option(help="Number of accounts.")] = 20_000,
    days: Annotated[int, typer.Option(help="Number of days.")] = 14,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 1,
    collection: Annotated[str, typer.Option(
        help="full, or targeted: the public's reposts of the fans' idol are not in the "
             "dump, as in a collection built around chosen accounts.")] = "full",
    operation: Annotated[bool, typer.Option(
        "--operation", help="Add an influence operation with invented bylines: also "
                            "writes articles.csv and bylines_truth.csv.")] = False,
    sockpuppets: Annotated[bool, typer.Option(
        "--sockpuppets", help="Add sockmasters whose accounts take turns (ban evasion, "
                              "rotating personas) and patrollers who revert them.")] = False,
    resolution: Annotated[str, typer.Option(
        help="seconds, or minutes: times written to the minute, as in the platforms' "
             "information-operations archives.")] = "seconds",
    fan_pace: Annotated[str, typer.Option(
        help="fast: fans repost their idol within minutes; crowd: at the public's pace, "
             "over hours.")] = "fast",
    feed_clock: Annotated[str, typer.Option(
        help="shared: feed accounts post seconds after the operator's half-hour slots; "
             "own: each hourly at its own minute.")] = "shared",
) -> None:
    """Generate a synthetic world with organic users, campaigns and ground truth."""
    from sockscope.lab.simulate import simulate as run_simulation

    try:
        with console.status("simulating…"):
            stats = run_simulation(out, accounts=accounts, days=days, seed=seed,
                                   collection=collection, operation=operation,
                                   sockpuppets=sockpuppets, resolution=resolution,
                                   fan_pace=fan_pace, feed_clock=feed_clock)
    except ValueError as exc:
        raise _fail(exc) from None
    out_text = escape(str(out))
    console.print(f"{stats['posts']:,} posts by {stats['accounts']:,} accounts; "
                  f"{stats['campaigns']} campaigns with {stats['campaign_accounts']:,} accounts; "
                  f"{stats['fans']:,} fans, {stats['outlets']:,} local outlets → "
                  f"{out_text}/tweets.csv, users.csv, truth.csv")
    if sockpuppets:
        console.print(f"{stats['sockpuppets']:,} sockpuppets, {stats['patrollers']:,} "
                      "patrollers (truth labels sockpuppet, patroller)")
    if operation:
        console.print(f"{stats['articles']:,} columns under {stats['bylines']} bylines → "
                      f"{out_text}/articles.csv, bylines_truth.csv")


def _parse_windows(values: list[str] | None, traces: list[str]) -> tuple[dict[str, int], bool]:
    """``--window 30`` (all traces), ``--window co-repost=10`` or ``--window auto``."""
    windows: dict[str, int] = {}
    auto = False
    for value in values or []:
        try:
            if value == "auto":
                auto = True
            elif "=" in value:
                name, seconds = value.split("=", 1)
                windows[name.strip()] = int(seconds)
            else:
                windows.update({t: int(value) for t in traces})
        except ValueError:
            raise typer.BadParameter(f"{value!r}: use SECONDS, TRACE=SECONDS or auto",
                                     param_hint="--window") from None
    return windows, auto


def _detect_params(traces: str | None, window: list[str] | None, parameters: Path | None,
                   **values: Any) -> DetectParams:
    """The run's parameters from the options, or from a manifest (``--parameters``)."""
    if parameters is not None:
        try:
            manifest = json.loads(parameters.read_text(encoding="utf-8"))
            return DetectParams.from_dict(manifest.get("parameters", manifest))
        except (OSError, ValueError, AttributeError, TypeError, RecursionError) as exc:
            raise SockscopeError(f"{parameters}: not a manifest.json with parameters "
                                 f"({str(exc)[:200]})") from None
    chosen = [t.strip() for t in traces.split(",") if t.strip()] if traces else \
        list(DEFAULT_TRACES)
    windows, auto = _parse_windows(window, chosen)
    return DetectParams(traces=tuple(chosen), windows=windows, auto_window=auto, **values)


@app.command()
def detect(
    inputs: Annotated[list[Path] | None, typer.Argument(
        help="Files to analyse; none to analyse what --db already holds.")] = None,
    out: Annotated[Path, typer.Option(help="Result folder (output contract).")] = Path("result"),
    method: Annotated[str, typer.Option(
        help="coordination (statistics, groups, evidence) or naive (reference baseline).")]
    = "coordination",
    traces: Annotated[str | None, typer.Option(
        help="Comma-separated behaviours; default: " + ", ".join(DEFAULT_TRACES))] = None,
    window: Annotated[list[str] | None, typer.Option(
        help="Co-action window: SECONDS, TRACE=SECONDS, or auto.")] = None,
    fdr: Annotated[float, typer.Option(help=describe("fdr"))] = default("fdr"),
    seed: Annotated[int, typer.Option(help=describe("seed"))] = default("seed"),
    min_shared: Annotated[int, typer.Option(help=describe("min_shared"))]
    = default("min_shared"),
    neighbour_cap: Annotated[int, typer.Option(help=describe("neighbour_cap"))]
    = default("neighbour_cap"),
    window_free: Annotated[bool, typer.Option(help=describe("window_free"))]
    = default("window_free"),
    amplification: Annotated[bool, typer.Option(help=describe("amplification"))]
    = default("amplification"),
    attach_rounds: Annotated[int, typer.Option(help=describe("attach_rounds"))]
    = default("attach_rounds"),
    min_group_size: Annotated[int, typer.Option(help=describe("min_group_size"))]
    = default("min_group_size"),
    persona: Annotated[bool, typer.Option(help=describe("persona"))] = default("persona"),
    operators: Annotated[bool, typer.Option(help=describe("operators"))]
    = default("operators"),
    parameters: Annotated[Path | None, typer.Option(
        help="Take every detection parameter from a manifest.json (repeat a run).")] = None,
    db: Annotated[Path | None, typer.Option(help="DuckDB file; memory if omitted.")] = None,
    memory_limit: Annotated[str | None, typer.Option(
        help="Cap DuckDB's memory, e.g. 6GB (it spills to disk beyond); default: half "
        "of the memory the machine or container allows.")] = None,
    engine: Annotated[str, typer.Option(
        help="Where the co-action stages run: duckdb (embedded) or spark (needs "
        "'sockscope[spark]' and Java 17+); same results.")] = "duckdb",
    spark_master: Annotated[str, typer.Option(
        help="Spark master URL for --engine spark, e.g. spark://host:7077.")] = "local[*]",
    spark_workdir: Annotated[Path | None, typer.Option(
        help="Folder the Spark driver and every executor can read, for the tables "
        "they exchange; default: a temporary folder (local mode).")] = None,
    fmt: FormatOption = None,
    map_: MapOption = None,
    platform: PlatformOption = None,
    na: NaOption = None,
    timezone: TimezoneOption = None,
    time_format: TimeFormatOption = None,
    time_range: TimeRangeOption = None,
    list_sep: ListSepOption = None,
    map_values: MapValuesOption = None,
    allow_empty: AllowEmptyOption = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
    articles: Annotated[list[Path] | None, typer.Option(
        "--articles", help="An article corpus to read as one (sniffed among the inputs "
        "otherwise); repeat for several.")] = None,
) -> None:
    """Find coordinated groups of accounts and write the result tables. With article
    corpora among the inputs, also compare their bylines and tie them to the groups that
    push them (byline_links.csv, persona_accounts.csv, operations.csv)."""
    from sockscope import api
    from sockscope.lab.baseline import detect_naive
    from sockscope.terminal import StageProgress

    inputs = inputs or []
    try:
        if not inputs and not articles and db is None:
            raise SockscopeError("give input files, or --db with a run made by ingest")
        if not inputs and not articles and not db.exists():
            raise SockscopeError(f"{db}: no such database")
        if method not in ("coordination", "naive"):
            raise SockscopeError(f"unknown method {method!r}; choose coordination or naive")
        mapping = _parse_map(map_)
        if method == "naive":
            with console.status("ingesting…"):
                result = api.ingest(inputs, db, fmt=fmt, mapping=mapping, platform=platform,
                                    na=_na(na), timezone=timezone, time_format=time_format,
                                    list_sep=_list_sep(list_sep), allow_empty=allow_empty,
                                    value_map=_value_map(map_values), time_range=time_range)
            with console.status("detecting (naive)…"):
                manifest = detect_naive(result.connection, out)
            console.print(f"{manifest['flagged']:,} of {manifest['accounts']:,} accounts "
                          f"flagged in {manifest['groups']:,} groups → {escape(str(out))}")
            return
        params = _detect_params(traces, window, parameters, fdr=fdr, seed=seed,
                                min_shared=min_shared, neighbour_cap=neighbour_cap,
                                window_free=window_free, amplification=amplification,
                                attach_rounds=attach_rounds, min_group_size=min_group_size,
                                persona=persona, operators=operators)
        with StageProgress(console.real(), quiet) as progress:
            detection = api.detect(inputs, out, db=db, params=params, on_stage=progress,
                                   on_file=_file_progress(progress),
                                   memory_limit=memory_limit, fmt=fmt, mapping=mapping,
                                   platform=platform, na=_na(na), timezone=timezone,
                                   time_format=time_format, list_sep=_list_sep(list_sep),
                                   engine=engine, spark_master=spark_master,
                                   spark_workdir=spark_workdir, allow_empty=allow_empty,
                                   value_map=_value_map(map_values), force=force,
                                   articles=articles or [], time_range=time_range)
    except SockscopeError as exc:
        raise _fail(exc) from None
    for note in detection.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    table = Table(title=f"{len(detection.groups):,} groups, {len(detection.membership):,} "
                  "accounts flagged", show_lines=False)
    for column in ("group", "size", "q-value", "summary"):
        table.add_column(column, overflow="fold")
    for group in detection.groups[:SHOWN_GROUPS]:
        table.add_row(group.group_id, f"{len(group.members):,}", f"{group.q_value:.1e}",
                      escape(group.summary))
    if len(detection.groups) > SHOWN_GROUPS:
        table.add_row("…", "", "", f"{len(detection.groups) - SHOWN_GROUPS} more in groups.csv")
    stdout.print(table)
    seconds = sum(detection.timings.values())
    if detection.operations is not None:
        _print_operations(detection.operations)
    console.print(f"{len(detection.edges):,} significant edges of {detection.tests:,} "
                  f"pairs tested at FDR {params.fdr}; {seconds:.1f} s → {escape(str(out))}")


def _print_operations(operations) -> None:
    table = Table(title=f"{operations.operations.num_rows:,} operations; "
                  f"{operations.links.num_rows:,} byline-group links, "
                  f"{operations.personas.num_rows:,} persona accounts")
    for column in ("operation", "accounts", "bylines", "summary"):
        table.add_column(column, overflow="fold")
    for row in operations.operations.slice(0, SHOWN_GROUPS).to_pylist():
        table.add_row(row["operation_id"], f"{row['account_count']:,}",
                      escape(row["bylines"].replace(";", "; ")), escape(row["summary"]))
    stdout.print(table)


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Option(help="truth.csv from `sockscope simulate`.")],
    result: Annotated[Path, typer.Option(help="Result folder with accounts.csv.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score a detection result against ground truth."""
    import json

    from sockscope.lab.evaluate import evaluate as score

    try:
        metrics = score(truth, result)
    except SockscopeError as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps(metrics, indent=2, sort_keys=True))
        return
    table = Table(title="detection quality", show_header=False)
    table.add_column("metric")
    table.add_column("value")
    for key in ("precision", "recall", "f1", "fpr_organic", "fpr_fans", "fpr_outlets", "ari"):
        table.add_row(key, f"{metrics[key]:.4f}")
    table.add_row("flagged", f"{metrics['flagged']:,} (campaign accounts: "
                  f"{metrics['campaign_accounts']:,})")
    table.add_row("campaigns recovered", f"{metrics['campaigns_recovered']} of "
                  f"{metrics['campaigns']} (Jaccard ≥ 0.5)")
    for strategy, value in metrics["recall_per_strategy"].items():
        table.add_row(f"recall {strategy}", f"{value:.4f}")
    for name, row in metrics["per_campaign"].items():
        table.add_row(f"campaign {escape(name)}",
                      f"{row['size']} accounts, {escape(row['strategy'])}: recall "
                      f"{row['recall']:.2f}, best Jaccard {row['best_jaccard']:.2f}")
    if "fpr_readers" in metrics:
        table.add_row("fpr_readers", f"{metrics['fpr_readers']:.4f}")
    if "sockpuppets" in metrics:
        table.add_row("sockpuppet recall", f"{metrics['sockpuppet_recall']:.4f} of "
                      f"{metrics['sockpuppets']:,} " + ", ".join(
                          f"{escape(k)} {v:.2f}" for k, v in
                          metrics["sockpuppet_recall_per_strategy"].items()))
        table.add_row("fpr_patrollers", f"{metrics['fpr_patrollers']:.4f}")
        table.add_row("operator groups", f"{metrics['operator_groups']}, adjusted Rand "
                      f"{metrics['operator_ari']:.4f} against the sockmasters; "
                      f"{metrics['operator_accounts_not_sockpuppets']} accounts in them "
                      "not sockpuppets")
    if isinstance(metrics.get("operations"), str):
        table.add_row("operations", escape(metrics["operations"]))
    if "byline_recall" in metrics:
        table.add_row("byline recall", f"{metrics['byline_recall']:.4f}")
        table.add_row("false byline links", f"{metrics['false_byline_links']}")
        table.add_row("loyal readers' columnists in operations",
                      escape(", ".join(metrics["loyal_columnists_in_operations"]) or "none"))
        for name, row in metrics["per_operation"].items():
            table.add_row(f"operation {escape(name)}",
                          f"{row['operation']}: {row['desk_share']:.0%} of the desk, "
                          f"{row['outsiders']} outsiders, {row['bylines_linked']} of "
                          f"{row['bylines']} bylines linked, all bylines held: "
                          f"{row['all_bylines']}, persona accounts found: "
                          f"{row['persona_accounts_found']}")
    stdout.print(table)


@app.command()
def account(
    account_id: Annotated[str, typer.Argument(help="The account's id.")],
    db: Annotated[Path, typer.Option(help="DuckDB file of a run made with detect --db.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One account's dossier: profile, persona signals, group, strongest ties, evidence."""
    from sockscope import api

    if not db.exists():
        raise _fail(SockscopeError(f"{db}: no such database"))
    try:
        dossier = api.account(db, account_id)
    except SockscopeError as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps(dossier, indent=2, sort_keys=True, default=str))
        return
    profile, persona, group = dossier["profile"], dossier["persona"], dossier["group"]
    table = Table(title=escape(f"account {account_id}"), show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    for key in ("handle", "display_name", "description", "created_at", "followers",
                "location", "lang"):
        if profile.get(key) not in (None, ""):
            table.add_row(key, escape(str(profile[key])))
    posts = dossier["posts"]
    table.add_row("posts", f"{posts['count']:,} ({posts['first']} → {posts['last']} UTC)")
    for key in ("top_client", "client_share", "post_lang", "posts_per_day", "schedule",
                "utc_offset", "schedule_fit"):
        if persona.get(key) is not None:
            table.add_row(key, escape(str(persona[key])))
    table.add_row("persona marks", escape((persona.get("signals") or "none").replace(";", "; ")))
    if group:
        table.add_row("group", escape(f"{group['group_id']} ({group['size']:,} accounts): "
                                      f"{group['summary']}"))
        table.add_row("group signals", escape("; ".join(group["signals"]) or "none"))
    else:
        table.add_row("group", "not flagged")
    stdout.print(table)
    if dossier["edges"]:
        ties = Table(title="strongest ties")
        for column in ("other account", "behaviour", "shared", "weight", "q", "examples"):
            ties.add_column(column, overflow="fold")
        for e in dossier["edges"]:
            ties.add_row(escape(e["other"]), e["behaviour"], f"{e['shared_keys']:,}",
                         f"{e['weight']:.3f}", f"{e['q_value']:.1e}",
                         escape(" | ".join(k[:40] for k in e["example_keys"])))
        stdout.print(ties)
    _print_same_operator(dossier.get("same_operator"))
    if dossier["evidence"]:
        rows = Table(title=f"evidence (first {len(dossier['evidence'])} of "
                     f"{dossier['evidence_total']:,})")
        for column in ("behaviour", "with", "key", "time", "Δt s"):
            rows.add_column(column, overflow="fold")
        for r in dossier["evidence"]:
            other = r["account_b"] if r["account_a"] == account_id else r["account_a"]
            rows.add_row(r["behaviour"], escape(other), escape(str(r["key"])[:60]),
                         str(r["time_a"]), "" if r["dt_s"] is None else f"{r['dt_s']:.0f}")
        stdout.print(rows)


def _print_same_operator(found: dict | None) -> None:
    """The dossier's probable same-operator accounts, evidence side by side."""
    if not found or not found["accounts"]:
        return
    table = Table(title=f"probably the same operator (group {found['operator_group']})")
    for column in ("other account", "q", "this account active", "other active",
                   "shared targets", "names", "evidence"):
        table.add_column(column, overflow="fold")
    for other in found["accounts"]:
        span = " → ".join(str(t)[:16] for t in other["span"])
        other_span = " → ".join(str(t)[:16] for t in other["other_span"])
        table.add_row(escape(f"{other['other']} ({other['handle'] or '?'})"),
                      f"{other['q_value']:.1e}", span, other_span,
                      escape(f"{other['shared_targets']}: "
                             + " | ".join(t[:50] for t in other["example_targets"])),
                      f"{other['name_similarity']:.2f}", escape(other["evidence"]))
    stdout.print(table)


@app.command()
def posts(
    db: Annotated[Path, typer.Option(help="DuckDB file of a run (ingest --db or detect --db).")],
    account_id: Annotated[str | None, typer.Option(
        "--account", help="One account's posts.")] = None,
    group_id: Annotated[str | None, typer.Option(
        "--group", help="A group's posts (a run made with detect --db).")] = None,
    limit: Annotated[int, typer.Option(help="Posts shown on the terminal, oldest first; "
                                            "--csv writes them all.")] = 50,
    csv_out: Annotated[Path | None, typer.Option(
        "--csv", help="Write every post to this CSV file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """The posts themselves, of one account or one group, with links to them."""
    from sockscope import api

    if not db.exists():
        raise _fail(SockscopeError(f"{db}: no such database"))
    try:
        table = api.posts(db, account_id=account_id, group_id=group_id,
                          limit=None if csv_out or as_json else limit)
        if csv_out is not None:
            from sockscope.output.safe_csv import write_relation_csv
            from sockscope.store.database import connect

            write_relation_csv(connect(), table, csv_out)
    except (SockscopeError, OSError) as exc:
        raise _fail(exc) from None
    if csv_out is not None:
        console.print(f"{table.num_rows:,} posts → {escape(csv_out)}")
        return
    if as_json:
        for row in table.to_pylist():
            print(json.dumps(row, default=str, ensure_ascii=False, sort_keys=True))
        return
    shown = Table(title=escape(f"{table.num_rows:,} posts of "
                               + (f"account {account_id}" if account_id else
                                  f"group {group_id}") + " (UTC, oldest first)"))
    for column in ("time (UTC)", "account", "kind", "text", "link"):
        shown.add_column(column, overflow="fold")
    for row in table.to_pylist():
        target = f" → {row['target_post']}" if row["target_post"] else ""
        shown.add_row(f"{row['created_at']:%Y-%m-%d %H:%M:%S}",
                      escape(row["handle"] or row["account_id"]), row["kind"] + escape(target),
                      escape((row["text"] or "")[:200]), escape(row["post_url"] or ""))
    stdout.print(shown)


@app.command()
def export(
    group_id: Annotated[str, typer.Argument(help="The group, e.g. G0003.")],
    result: Annotated[Path, typer.Option(help="The result folder written by detect.")]
    = Path("result"),
    out: Annotated[Path | None, typer.Option(
        help="Folder to write; default: the group id beside the result folder.")] = None,
    db: Annotated[Path | None, typer.Option(
        help="The run database (detect --db), to add the members' posts.")] = None,
) -> None:
    """Everything about one group in a folder: members, ties, what it pushed, evidence
    with post links and, with --db, the posts."""
    from sockscope import api

    target = out if out is not None else result.parent / f"{result.name}-{group_id}"
    try:
        if db is not None and not db.exists():
            raise SockscopeError(f"{db}: no such database")
        counts = api.export(group_id, result, target, db=db)
    except (SockscopeError, OSError) as exc:
        raise _fail(exc) from None
    console.print(f"{group_id}: " + ", ".join(f"{name} {rows:,} rows"
                                              for name, rows in counts.items())
                  + f" → {escape(target)}")


@app.command()
def bylines(
    inputs: Annotated[list[Path] | None, typer.Argument(
        help="Article corpora (CSV, JSONL, Parquet); none to use what --db holds.")] = None,
    out: Annotated[Path, typer.Option(help="Result folder.")] = Path("bylines"),
    db: Annotated[Path | None, typer.Option(help="DuckDB file; memory if omitted.")] = None,
    background: Annotated[Path | None, typer.Option(
        help="A PAN-layout corpus of other writers to fit and calibrate on.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for impostors and clustering.")] = 1,
    fmt: FormatOption = None,
    map_: MapOption = None,
    force: ForceOption = False,
) -> None:
    """Which bylines share a writer, and which are written by several hands."""
    from sockscope import api

    try:
        if not inputs and db is None:
            raise SockscopeError("give article files, or --db with a run made by ingest")
        with console.status("comparing bylines…"):
            analysis = api.bylines(inputs or [], out, db=db, background=background, seed=seed,
                                   fmt=fmt, mapping=_parse_map(map_), force=force)
    except SockscopeError as exc:
        raise _fail(exc) from None
    for note in analysis.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    same = [p for p in analysis.pairs.to_pylist() if p.get("decision") == "same"]
    table = Table(title=f"{len(same):,} byline pairs likely share a writer")
    for column in ("byline A", "byline B", "same writer", "shared passages"):
        table.add_column(column, overflow="fold")
    for pair in sorted(same, key=lambda p: -p["same_writer"])[:SHOWN_GROUPS]:
        table.add_row(escape(pair["byline_a"]), escape(pair["byline_b"]),
                      f"{pair['same_writer']:.2f}", f"{pair['shared_passages']:,}")
    stdout.print(table)
    several = [b for b in analysis.bylines.to_pylist() if b["hands"] > 1]
    console.print(f"{analysis.bylines.num_rows:,} bylines; {len(several):,} look written by "
                  f"several hands → {escape(str(out))}")


@app.command("eval-pan")
def eval_pan(
    corpus: Annotated[Path, typer.Argument(help="A PAN-layout verification corpus folder.")],
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Cross-validated AUC, c@1, F0.5u and Brier of each verifier and the fused one."""
    from sockscope.authorship.pan import evaluate_corpus

    try:
        metrics = evaluate_corpus(corpus, folds=folds)
    except SockscopeError as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps(metrics, indent=2, sort_keys=True))
        return
    names = ["auc", "c@1", "f0.5u", "brier", "auc*c@1", "overall"]
    table = Table(title=escape(f"{corpus.name}: {folds}-fold cross-validation"))
    table.add_column("verifier")
    for name in names:
        table.add_column(name, justify="right")
    for verifier, row in metrics.items():
        table.add_row(verifier, *(f"{row[n]:.3f}" for n in names))
    stdout.print(table)


@app.command()
def verify(
    unknown: Annotated[Path, typer.Option(help="The text whose writer is in question.")],
    known: Annotated[list[Path] | None, typer.Option(
        help="Text file(s) by the known writer: --known a.txt b.txt, or the flag before "
             "each.")] = None,
    more_known: Annotated[list[Path] | None, typer.Argument(
        help="More known texts (what a shell glob after --known gives).",
        show_default=False, metavar="KNOWN")] = None,
    background: Annotated[Path | None, typer.Option(
        help="A PAN-layout corpus of other writers to fit and calibrate on (default: "
             "the shipped English calibration set).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Did the writer of the known texts also write the unknown one?"""
    from sockscope.api import verify as run_verify

    known = [*(known or []), *(more_known or [])]
    if not known:
        raise _fail(SockscopeError("verify: no known text; give one or more with --known"))
    for path in [*known, unknown]:
        if not path.is_file():
            raise _fail(SockscopeError(f"{path}: no such file"))
    try:
        texts = [p.read_text(encoding="utf-8-sig", errors="replace") for p in known]
        decision = run_verify(texts, unknown.read_text(encoding="utf-8-sig", errors="replace"),
                              background=background)
    except OSError as exc:
        raise _fail(SockscopeError(f"{exc.filename}: {exc.strerror}")) from None
    except SockscopeError as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps(decision.as_dict(), indent=2, sort_keys=True))
        return
    stdout.print(f"{decision.decision} (same writer: {decision.same_writer:.3f}; "
                 f"{decision.words_known:,} known words, {decision.words_unknown:,} unknown)")
    for name, value in decision.scores.items():
        stdout.print(f"  {name}: {value:.3f}")
    if decision.agreeing or decision.disagreeing:
        stdout.print(f"agreeing: {', '.join(decision.agreeing) or 'none'}; "
                     f"disagreeing: {', '.join(decision.disagreeing) or 'none'}")
    if decision.outside:
        stdout.print(f"beyond every calibration pair: {', '.join(decision.outside)} (the "
                     "calibration problems do not look like this one, e.g. in the number "
                     "or length of known texts; the probability is extrapolated)")
    stdout.print(f"calibration: {decision.calibration}")


@app.command()
def report(
    db: Annotated[Path, typer.Option(help="DuckDB file of a run made with detect --db.")],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
) -> None:
    """Rebuild the self-contained HTML report from a run database."""
    from sockscope import __version__
    from sockscope.output.store import load_detection
    from sockscope.report import build_report
    from sockscope.store.database import connect

    if not db.exists():
        raise _fail(SockscopeError(f"{db}: no such database"))
    if out.is_dir():
        raise _fail(SockscopeError(f"{out}: is a folder; give the page's file name, such as "
                                   f"{out / 'report.html'}"))
    try:
        con = connect(db, read_only=True)
        path = build_report(con, load_detection(con), out, __version__)
    except SockscopeError as exc:
        raise _fail(exc) from None
    console.print(f"report → {escape(str(path))} ({path.stat().st_size / 1e6:.1f} MB)")


def run() -> None:
    """Run the command line. Ctrl-C stops it with one line and exit 130: every write is a
    transaction (ingest) or lands all at once (detect's result folder), so nothing
    half-done is left. ``sockscope.entry`` installs the SIGINT handler before this module
    is imported (``python -m sockscope`` and the ``sockscope`` script both start
    there)."""
    from sockscope.interrupt import Interrupted, stop

    try:
        app()
    except (Interrupted, KeyboardInterrupt):
        raise stop() from None
    except Exception as exc:
        if _stopped_by_ctrl_c(exc):
            raise stop() from None
        message = _resource_error(exc)
        if message is None:
            raise
        _print_error(message)
        raise SystemExit(2) from None


def _resource_error(exc: Exception) -> str | None:
    """One line for what the machine refused (a file system, the disk, memory), or None
    for an error that is a bug and keeps its traceback."""
    import errno
    import sys

    if isinstance(exc, OSError):
        where = exc.filename or "the output"
        if exc.errno == errno.ENOSPC:
            return f"no space left on the device holding {where}; free space or write elsewhere"
        if exc.errno == errno.EFBIG:
            return f"{where}: the file size limit (ulimit -f) was reached"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"{where}: not allowed to write here ({exc.strerror})"
        return f"{where}: {exc.strerror or exc}"
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(exc, duckdb.OutOfMemoryException):
        return ("out of memory: raise --memory-limit (or the machine's or container's "
                "limit), or give DuckDB a file with --db so that it can spill to disk "
                f"({str(exc).splitlines()[0]})")
    if duckdb is not None and isinstance(exc, duckdb.IOException) and \
            "No space left" in str(exc):
        return "no space left on the device holding the run's temporary files"
    return None


def _stopped_by_ctrl_c(exc: Exception) -> bool:
    """Whether ``exc`` is how DuckDB reports a query stopped by Ctrl-C: its own
    interrupt, any DuckDB error after a SIGINT (an Arrow scan whose reader was
    interrupted says "reading the schema of ... failed: Interrupted"), or a runtime
    error saying so."""
    import sys

    from sockscope.interrupt import SIGNALS_SEEN

    duckdb = sys.modules.get("duckdb")  # not imported: the error cannot be DuckDB's
    if duckdb is not None and (isinstance(exc, duckdb.InterruptException)
                               or (SIGNALS_SEEN and isinstance(exc, duckdb.Error))):
        return True
    return isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()




if __name__ == "__main__":
    run()
