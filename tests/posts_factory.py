"""Build canonical posts by hand for tests."""

from __future__ import annotations

from datetime import datetime, timedelta

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
    columns = list(POSTS_COLUMNS)
    con.executemany(f"INSERT INTO posts VALUES ({', '.join('?' for _ in columns)})",
                    [[r[c] for c in columns] for r in rows])
