"""Build canonical posts by hand for tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from sockscope.store.schema import POSTS_COLUMNS

BASE = datetime(2024, 3, 4, 12, 0, 0)


def post(post_id: str, account: str, seconds: float, **fields) -> dict:
    row = {c: None for c in POSTS_COLUMNS}
    row.update(platform="x", post_id=post_id, account_id=account,
               created_at=BASE + timedelta(seconds=seconds), time_precision_s=1, kind="post",
               urls=[], hashtags=[], mentions=[], media=[])
    row.update(fields)
    return row


def insert(con, rows: list[dict]) -> None:
    """Append ``rows`` to the posts table (through Arrow: one statement, not one per row)."""
    columns = list(POSTS_COLUMNS)
    table = pa.table({c: pa.array([r[c] for r in rows], type=_arrow_type(con, c))
                      for c in columns})
    con.register("_rows_to_insert", table)
    try:
        con.execute(f"INSERT INTO posts SELECT {', '.join(columns)} FROM _rows_to_insert")
    finally:
        con.unregister("_rows_to_insert")


def _arrow_type(con, column: str) -> pa.DataType:
    """The Arrow type of a posts column, from its DuckDB type."""
    kind = con.execute("SELECT data_type FROM information_schema.columns "
                       "WHERE table_name = 'posts' AND column_name = ?", [column]
                       ).fetchall()[0][0]
    return {"VARCHAR": pa.string(), "VARCHAR[]": pa.list_(pa.string()),
            "TIMESTAMP": pa.timestamp("us"), "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", "UTC"),
            "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
            "BOOLEAN": pa.bool_()}[kind]
