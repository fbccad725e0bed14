"""The output contract's shape (docs/output.md), declared once.

The Arrow schemas here are the columns of the result files and of the ``result_*``
tables of the run database; every writer and the loader use them, for every detection
method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

if TYPE_CHECKING:
    from sockscope.model.detection import Edge, Group
    from sockscope.persona.accounts import Persona

ACCOUNT_SCHEMA = pa.schema([
    ("account_id", pa.string()), ("handle", pa.string()), ("flagged", pa.bool_()),
    ("group_id", pa.string()), ("operator_group", pa.string()), ("score", pa.float64()),
    ("behaviours", pa.string()), ("signals", pa.string()), ("operation_id", pa.string())])
GROUP_SCHEMA = pa.schema([
    ("group_id", pa.string()), ("size", pa.int64()), ("score", pa.float64()),
    ("q_value", pa.float64()), ("behaviours", pa.string()),
    ("first_seen", pa.timestamp("us")), ("last_seen", pa.timestamp("us")),
    ("signals", pa.string()), ("summary", pa.string())])
EDGE_SCHEMA = pa.schema([
    ("account_a", pa.string()), ("account_b", pa.string()), ("behaviour", pa.string()),
    ("shared_keys", pa.int64()), ("weight", pa.float64()), ("p_value", pa.float64()),
    ("q_value", pa.float64()), ("min_dt_s", pa.float64()), ("median_dt_s", pa.float64()),
    ("window_s", pa.int64()), ("example_keys", pa.list_(pa.string()))])
EVIDENCE_SCHEMA = pa.schema([
    ("behaviour", pa.string()), ("account_a", pa.string()), ("account_b", pa.string()),
    ("key", pa.string()), ("post_a", pa.string()), ("post_b", pa.string()),
    ("time_a", pa.timestamp("us")), ("time_b", pa.timestamp("us")), ("dt_s", pa.float64()),
    ("text_a", pa.string()), ("text_b", pa.string())])

ACCOUNT_COLUMNS = ACCOUNT_SCHEMA.names
GROUP_COLUMNS = GROUP_SCHEMA.names
EDGE_COLUMNS = EDGE_SCHEMA.names
EXAMPLE_KEY_CHARS = 80  # example keys are cut to this length in edges.csv


def seen_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    """Every account seen, in a profile or as a poster, with its handle, sorted by id:
    the rows of accounts.csv."""
    return con.execute(
        """SELECT account_id, max(handle) FROM (
               SELECT account_id, handle FROM accounts
               UNION ALL SELECT DISTINCT account_id, NULL FROM posts)
           GROUP BY account_id ORDER BY account_id"""
    ).fetchall()


def account_table(con: duckdb.DuckDBPyConnection, groups: list[Group],
                  edges: list[Edge], persona: Persona | None = None,
                  operator_groups: dict[str, str] | None = None) -> pa.Table:
    """The account table: every account seen; flagged ones (in a coordinated group or an
    operator group) with their groups, score (the fused weight of their significant
    edges) and behaviours; persona marks for all."""
    membership = {m: g.group_id for g in groups for m in g.members}
    operator_groups = operator_groups or {}
    score: dict[str, float] = {}
    behaviours: dict[str, set[str]] = {}
    for e in edges:
        for account in (e.account_a, e.account_b):
            score[account] = score.get(account, 0.0) + e.weight
            behaviours.setdefault(account, set()).add(e.behaviour)
    rows = seen_accounts(con)
    flagged = [a in membership or a in operator_groups for a, _ in rows]
    return pa.table({
        "account_id": [a for a, _ in rows], "handle": [h for _, h in rows],
        "flagged": flagged,
        "group_id": [membership.get(a) for a, _ in rows],
        "operator_group": [operator_groups.get(a) for a, _ in rows],
        "score": [round(score.get(a, 0.0), 4) if f else 0.0
                  for (a, _), f in zip(rows, flagged, strict=True)],
        "behaviours": [";".join(sorted(behaviours.get(a, ()))) if f else ""
                       for (a, _), f in zip(rows, flagged, strict=True)],
        "signals": ([""] * len(rows) if persona is None else
                    [persona.table["signals"][persona.index[a]].as_py() for a, _ in rows]),
        "operation_id": [None] * len(rows),  # set once operations are assembled
    }, schema=ACCOUNT_SCHEMA)


def with_operations(accounts: pa.Table, operations: pa.Table) -> pa.Table:
    """The account table with ``operation_id`` filled in from ``operations``
    (operations.csv's rows): the operations each account is in, as a group member, a
    persona account or an amplifier, ``;``-joined. An operation's amplifiers and
    persona accounts need be in no group, so ``flagged`` alone does not show them."""
    operations_of: dict[str, list[str]] = {}
    for operation_id, members in zip(operations["operation_id"].to_pylist(),
                                     operations["accounts"].to_pylist(), strict=True):
        for account in (members or "").split(";"):
            if account:
                operations_of.setdefault(account, []).append(operation_id)
    column = pa.array([";".join(operations_of[a]) if a in operations_of else None
                       for a in accounts["account_id"].to_pylist()], pa.string())
    return accounts.set_column(accounts.schema.get_field_index("operation_id"),
                               ACCOUNT_SCHEMA.field("operation_id"), column)


def evidence_table(con: duckdb.DuckDBPyConnection, select: str) -> pa.Table:
    """Evidence rows from ``select`` (behaviour, accounts, key, posts, epoch times, dt),
    with UTC timestamps and both posts' texts, in a fixed order."""
    return con.sql(
        f"""
        SELECT e.behaviour, e.account_a, e.account_b, e.key, e.post_a, e.post_b,
               to_timestamp(e.time_a) AT TIME ZONE 'UTC' AS time_a,
               to_timestamp(e.time_b) AT TIME ZONE 'UTC' AS time_b, e.dt_s,
               pa.text AS text_a, pb.text AS text_b
        FROM ({select}) e
        LEFT JOIN posts pa ON pa.post_id = e.post_a
        LEFT JOIN posts pb ON pb.post_id = e.post_b
        ORDER BY e.account_a, e.account_b, e.behaviour, e.time_a, e.key, e.post_a, e.post_b
        """
    ).to_arrow_table().cast(EVIDENCE_SCHEMA)


def edge_table(edges: list[Edge]) -> pa.Table:
    """Edges as the contract's table (edges.parquet, result_edges)."""
    return pa.table({
        "account_a": [e.account_a for e in edges], "account_b": [e.account_b for e in edges],
        "behaviour": [e.behaviour for e in edges],
        "shared_keys": [e.shared_keys for e in edges], "weight": [e.weight for e in edges],
        "p_value": [e.p_value for e in edges], "q_value": [e.q_value for e in edges],
        "min_dt_s": [e.min_dt_s for e in edges], "median_dt_s": [e.median_dt_s for e in edges],
        "window_s": [e.window_s for e in edges],
        "example_keys": [list(e.example_keys) for e in edges],
    }, schema=EDGE_SCHEMA)


def group_table(groups: list[Group]) -> pa.Table:
    """Groups as the contract's table (groups.csv, result_groups)."""
    return pa.table({
        "group_id": [g.group_id for g in groups], "size": [len(g.members) for g in groups],
        "score": [g.score for g in groups], "q_value": [g.q_value for g in groups],
        "behaviours": [";".join(b for b, _, _ in g.behaviours) for g in groups],
        "first_seen": [g.first_seen.replace(tzinfo=None) for g in groups],
        "last_seen": [g.last_seen.replace(tzinfo=None) for g in groups],
        "signals": [";".join(g.signals) for g in groups],
        "summary": [g.summary for g in groups],
    }, schema=GROUP_SCHEMA)
