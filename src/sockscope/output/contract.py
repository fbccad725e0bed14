"""The output contract's shape (docs/output.md), shared by every detection method."""

from __future__ import annotations

import duckdb

ACCOUNT_COLUMNS = ["account_id", "handle", "flagged", "group_id", "score", "behaviours",
                   "signals"]
GROUP_COLUMNS = ["group_id", "size", "score", "p_value", "behaviours", "first_seen",
                 "last_seen", "signals", "summary"]
EDGE_COLUMNS = ["account_a", "account_b", "behaviour", "shared_keys", "weight", "p_value",
                "min_dt_s", "median_dt_s", "example_keys"]


def seen_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    """Every account seen, in a profile or as a poster, with its handle, sorted by id:
    the rows of accounts.csv."""
    return con.execute(
        """SELECT account_id, max(handle) FROM (
               SELECT account_id, handle FROM accounts
               UNION ALL SELECT DISTINCT account_id, NULL FROM posts)
           GROUP BY account_id ORDER BY account_id"""
    ).fetchall()
