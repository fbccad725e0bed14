"""Write a byline analysis' tables: bylines.csv, byline_pairs.csv, articles.csv and
passages.parquet (the report and the manifest are written beside them by the API)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from sockscope.model.bylines import BylineResult
from sockscope.output.safe_csv import write_table_csv


def write_byline_tables(result: BylineResult, out: Path) -> None:
    for name, table in (("bylines.csv", result.bylines), ("byline_pairs.csv", result.pairs),
                        ("articles.csv", result.articles)):
        write_table_csv(table, out / name)
    pq.write_table(result.passages, out / "passages.parquet")
