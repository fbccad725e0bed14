"""Write a Detection to the output contract (docs/output.md).

``write_results`` runs every registered writer (``sockscope.plugins.WRITERS``: the
built-in tables, networks and report, then any plugin's) into a temporary folder beside
``out`` and moves the files into ``out`` only when all of them are written, with the
manifest last: a failed run leaves ``out`` as it was. Paths never enter SQL text.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from sockscope.errors import SockscopeError
from sockscope.model.detection import Detection
from sockscope.output.contract import (
    EDGE_COLUMNS,
    EXAMPLE_KEY_CHARS,
    GROUP_COLUMNS,
    edge_table,
)
from sockscope.output.group_tables import GroupTables
from sockscope.output.networks import write_networks
from sockscope.output.operations import write_operation_tables
from sockscope.output.operators import write_operator_tables
from sockscope.output.safe_csv import iso_utc, write_csv, write_relation_csv, write_table_csv


@dataclass(frozen=True)
class WriteContext:
    """What writers may read besides the Detection: the run database (canonical tables,
    read only) and the version writing."""

    con: duckdb.DuckDBPyConnection
    version: str
    tables: GroupTables | None = None  # the per-group tables, built once for all writers


def write_tables(detection: Detection, out: Path, context: WriteContext) -> None:
    """accounts.csv, groups.csv, edges.parquet, edges.csv, evidence.parquet and
    persona.parquet."""
    write_table_csv(detection.accounts, out / "accounts.csv")
    write_csv(out / "groups.csv", GROUP_COLUMNS, (
        (g.group_id, len(g.members), g.score, f"{g.q_value:.3g}",
         ";".join(b for b, _, _ in g.behaviours), iso_utc(g.first_seen),
         iso_utc(g.last_seen), ";".join(g.signals), g.summary)
        for g in detection.groups))
    edges = edge_table(detection.edges)
    pq.write_table(edges, out / "edges.parquet")
    write_csv(out / "edges.csv", EDGE_COLUMNS, (
        (e.account_a, e.account_b, e.behaviour, e.shared_keys, e.weight, f"{e.p_value:.3g}",
         f"{e.q_value:.3g}", e.min_dt_s, e.median_dt_s, e.window_s,
         " | ".join(k[:EXAMPLE_KEY_CHARS] for k in e.example_keys))
        for e in detection.edges))
    pq.write_table(detection.evidence, out / "evidence.parquet")
    if detection.persona is not None:
        pq.write_table(detection.persona, out / "persona.parquet")


def write_group_tables(detection: Detection, out: Path, context: WriteContext) -> None:
    """members.csv, group_content.csv, evidence_by_key.csv and evidence.csv: who is in
    each group, what it pushed, and the evidence by key and by pair with post links."""
    con = context.con
    tables = context.tables or GroupTables(con, detection)
    write_relation_csv(con, tables.members, out / "members.csv")
    write_relation_csv(con, tables.content, out / "group_content.csv")
    write_relation_csv(con, tables.keys, out / "evidence_by_key.csv")
    tables.write_evidence_csv(out / "evidence.csv")


def write_network_files(detection: Detection, out: Path, context: WriteContext) -> None:
    """network.gexf and network.graphml."""
    write_networks(detection, out)


# what sockscope.plugins.WRITERS registers first (the report registers its own writer)
BUILTIN = [("tables", write_tables), ("group tables", write_group_tables),
           ("networks", write_network_files), ("operations", write_operation_tables),
           ("operators", write_operator_tables)]


def is_result(folder: Path) -> bool:
    """Whether ``folder`` holds a sockscope result: a manifest.json naming its method."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "method" in manifest and "version" in manifest


@contextmanager
def result_folder(out: Path, force: bool = False) -> Iterator[Path]:
    """A temporary folder to write into; when the block ends without an error its files
    move into ``out`` (created if missing), ``manifest.json`` last, and the files of an
    earlier result that this one does not write are removed, so nothing stale is left.
    A failure leaves ``out`` as it was.

    ``out`` must be new, empty or an earlier result; a folder holding other files is
    refused unless ``force`` (then only the result's files are written into it). The
    temporary folder is made inside ``out`` when it exists, beside it otherwise, so the
    final moves stay on one file system (``out`` may be a mount point or a link)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SockscopeError(f"{out}: is a file, not a folder; choose another --out")
    earlier = out.is_dir() and is_result(out)
    if out.is_dir() and not earlier and not force and any(
            not p.name.startswith(".") for p in out.iterdir()):
        raise SockscopeError(f"{out}: holds other files and is not a sockscope result; "
                             "choose a new or empty folder, or pass --force")
    where = out if out.is_dir() else out.parent
    where.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=where))
    try:
        yield staging
        out.mkdir(exist_ok=True)
        written = {p.name for p in staging.iterdir()}
        if earlier:  # replaced whole: the earlier run's files this one does not write go
            for old in out.iterdir():
                if old.is_file() and not old.name.startswith(".") and old.name not in written:
                    old.unlink()
        for path in sorted(staging.iterdir(), key=lambda p: p.name == "manifest.json"):
            os.replace(path, out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def write_results(con: duckdb.DuckDBPyConnection, detection: Detection, out: Path,
                  version: str, force: bool = False) -> dict:
    """Every output of ``detection`` into ``out`` (created if missing; see
    ``result_folder`` for ``force``); returns the manifest."""
    from sockscope.plugins import WRITERS

    context = WriteContext(con, version, GroupTables(con, detection))
    with result_folder(out, force) as staging:
        for _name, writer in WRITERS.items():
            writer(detection, staging, context)
        manifest = detection.manifest(version)
        write_manifest(staging, manifest)
    return manifest
