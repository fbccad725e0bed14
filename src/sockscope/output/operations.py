"""Write the operations stage's result beside the coordination result: byline_links.csv,
persona_accounts.csv, operations.csv and article_shares.parquet, and the byline
analysis' files with each byline's network signals (bylines.csv gains pushed_by,
persona_accounts, organic_share and operation_id)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sockscope.model.detection import Detection
from sockscope.output.bylines import write_byline_tables
from sockscope.output.safe_csv import write_table_csv


def write_operation_tables(detection: Detection, out: Path, context: object) -> None:
    """A registered writer (sockscope.plugins.WRITERS); writes nothing without articles."""
    operations = detection.operations
    if operations is None:
        return
    for name, table in (("byline_links.csv", operations.links),
                        ("persona_accounts.csv", operations.personas),
                        ("operations.csv", operations.operations)):
        write_table_csv(table, out / name)
    pq.write_table(operations.shares, out / "article_shares.parquet")
    if detection.bylines is None:
        write_table_csv(operations.bylines, out / "bylines.csv")
        return
    write_byline_tables(replace(detection.bylines, bylines=with_signals(
        detection.bylines.bylines, operations.bylines)), out)


def with_signals(bylines: pa.Table, signals: pa.Table) -> pa.Table:
    """The byline table with each byline's network signals appended (by byline)."""
    index = {b: i for i, b in enumerate(signals["byline"].to_pylist())}
    rows = [index.get(b) for b in bylines["byline"].to_pylist()]
    for name in signals.column_names[1:]:
        values = signals[name].to_pylist()
        bylines = bylines.append_column(signals.schema.field(name), pa.array(
            [None if i is None else values[i] for i in rows], signals.schema.field(name).type))
    return bylines

