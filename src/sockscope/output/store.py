"""Keep a Detection in the run database (tables ``result_*``) and load it back, so that
``sockscope report --db`` rebuilds the report from the same result the files came from.

The tables use the contract's schemas (``output.contract``) plus what a reader of the
stored result needs to rebuild the Detection whole: the edges' first and last times,
each group's behaviour details and members, and the manifest (parameters, notes).
"""

from __future__ import annotations

import json
from datetime import UTC

import duckdb
import pyarrow as pa

from sockscope.errors import SockscopeError
from sockscope.model.detection import Detection, Edge, Group
from sockscope.model.operations import OperationResult
from sockscope.model.operators import OperatorResult
from sockscope.model.params import DetectParams
from sockscope.output.contract import ACCOUNT_SCHEMA, edge_table, group_table
from sockscope.store.database import table_from_arrow

RESULT_TABLES = ("result_accounts", "result_groups", "result_edges", "result_evidence",
                 "result_manifest")
# the operations stage's tables, when the run had articles: table -> OperationResult field
OPERATION_TABLES = {"result_article_shares": "shares", "result_byline_links": "links",
                    "result_persona_accounts": "personas", "result_operations": "operations",
                    "result_byline_signals": "bylines"}
_DETAILS = pa.list_(pa.struct([("behaviour", pa.string()), ("shared_keys", pa.int64()),
                               ("median_dt_s", pa.float64())]))


def store_detection(con: duckdb.DuckDBPyConnection, detection: Detection,
                    manifest: dict) -> None:
    """Write the ``result_*`` tables (replacing those of an earlier run)."""
    groups = group_table(detection.groups).append_column("behaviour_details", pa.array(
        [[{"behaviour": b, "shared_keys": k, "median_dt_s": d} for b, k, d in g.behaviours]
         for g in detection.groups], _DETAILS))
    groups = groups.append_column("persona", pa.array([g.persona for g in detection.groups],
                                                      pa.list_(pa.string())))
    edges = edge_table(detection.edges)
    edges = edges.append_column("first_t", pa.array([e.first_t for e in detection.edges],
                                                    pa.float64()))
    edges = edges.append_column("last_t", pa.array([e.last_t for e in detection.edges],
                                                   pa.float64()))
    for name, table in (("result_accounts", detection.accounts), ("result_groups", groups),
                        ("result_edges", edges), ("result_evidence", detection.evidence)):
        table_from_arrow(con, name, table, temp=False)
    con.execute("DROP TABLE IF EXISTS result_persona")
    if detection.persona is not None:
        table_from_arrow(con, "result_persona", detection.persona, temp=False)
    operations = detection.operations
    for name, part in OPERATION_TABLES.items():
        con.execute(f"DROP TABLE IF EXISTS {name}")
        if operations is not None:
            table_from_arrow(con, name, getattr(operations, part), temp=False)
    con.execute("DROP TABLE IF EXISTS result_operator_pairs")
    if detection.operators is not None:
        table_from_arrow(con, "result_operator_pairs", detection.operators.pairs, temp=False)
    table_from_arrow(con, "result_manifest", {"json": [json.dumps(
        manifest, sort_keys=True, default=str)]}, temp=False)


def has_results(con: duckdb.DuckDBPyConnection) -> bool:
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return set(RESULT_TABLES) <= names


def load_detection(con: duckdb.DuckDBPyConnection) -> Detection:
    """The Detection stored by ``store_detection``."""
    if not has_results(con):
        raise SockscopeError("no detection results in this database; run sockscope detect "
                             "--db with it")
    manifest = json.loads(con.execute("SELECT json FROM result_manifest").fetchall()[0][0])
    accounts = con.sql("SELECT * FROM result_accounts ORDER BY account_id").to_arrow_table()
    if "operation_id" not in accounts.column_names:  # stored before operation_id was kept
        accounts = accounts.append_column(ACCOUNT_SCHEMA.field("operation_id"),
                                          pa.nulls(accounts.num_rows, pa.string()))
    members: dict[str, list[str]] = {}
    for account, group in con.execute("SELECT account_id, group_id FROM result_accounts "
                                      "WHERE group_id IS NOT NULL ORDER BY account_id"
                                      ).fetchall():
        members.setdefault(group, []).append(account)
    groups = [
        Group(group_id=g, members=members.get(g, []), score=score, q_value=p,
              behaviours=[(d["behaviour"], d["shared_keys"], d["median_dt_s"])
                          for d in details],
              first_seen=first.replace(tzinfo=UTC), last_seen=last.replace(tzinfo=UTC),
              signals=[s for s in signals.split(";") if s], summary=summary,
              persona=list(persona or []))
        for g, score, p, first, last, signals, summary, details, persona in con.execute(
            f"SELECT group_id, score, {_group_q(con)}, first_seen, last_seen, signals, "
            "summary, behaviour_details, persona FROM result_groups ORDER BY group_id"
        ).fetchall()
    ]
    edges = [Edge(a, b, beh, sk, w, p, q, mn, md, ft, lt, tuple(keys), win)
             for a, b, beh, sk, w, p, q, mn, md, win, keys, ft, lt in con.execute(
                 "SELECT * FROM result_edges ORDER BY account_a, account_b, behaviour"
             ).fetchall()]
    evidence = con.sql("SELECT * FROM result_evidence").to_arrow_table()
    return Detection(
        params=DetectParams.from_dict(manifest["parameters"]), edges=edges, groups=groups,
        evidence=evidence, accounts=accounts, windows=manifest["windows_s"],
        tests=manifest["counts"]["tests"], notes=manifest["notes"],
        timings=manifest.get("timings_s", {}), inputs=manifest["inputs"],
        persona=(con.sql("SELECT * FROM result_persona ORDER BY account_id").to_arrow_table()
                 if _exists(con, "result_persona") else None),
        persona_signals=manifest.get("persona_signals", []),
        stored_audiences=manifest.get("audiences", []),
        operations=_load_operations(con, manifest),
        operators=_load_operators(con, accounts, manifest))


def _load_operators(con: duckdb.DuckDBPyConnection, accounts: pa.Table, manifest: dict
                    ) -> OperatorResult | None:
    if not _exists(con, "result_operator_pairs"):
        return None
    groups = {a: g for a, g in zip(accounts["account_id"].to_pylist(),
                                   accounts["operator_group"].to_pylist(), strict=True) if g}
    counts = manifest.get("counts", {})
    return OperatorResult(
        con.sql("SELECT * FROM result_operator_pairs ORDER BY p_value, account_a, "
                "account_b").to_arrow_table(), groups,
        counts.get("operator_pair_tests", 0), counts.get("operator_candidates", 0))


def _load_operations(con: duckdb.DuckDBPyConnection, manifest: dict
                     ) -> OperationResult | None:
    if not all(_exists(con, name) for name in OPERATION_TABLES):
        return None
    tables = {part: con.sql(f"SELECT * FROM {name}").to_arrow_table()
              for name, part in OPERATION_TABLES.items()}
    return OperationResult(**tables, tests=manifest.get("operations", {}).get(
        "byline_group_tests", 0))


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                            [table]).fetchall()[0][0])


def _group_q(con: duckdb.DuckDBPyConnection) -> str:
    """The group q-value column: ``q_value``, or ``p_value`` in run databases made before
    it was named for what it is."""
    named = con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = "
                        "'result_groups' AND column_name = 'q_value'").fetchall()[0][0]
    return "q_value" if named else "p_value"
