"""Write a detection to the output contract (see docs/output.md):
accounts.csv, groups.csv, edges.parquet + edges.csv, evidence.parquet,
network.gexf, network.graphml and manifest.json."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import igraph as ig
import pyarrow as pa

from sockscope.detect.pipeline import Detection
from sockscope.output.contract import ACCOUNT_COLUMNS, EDGE_COLUMNS, GROUP_COLUMNS, seen_accounts
from sockscope.output.safe_csv import write_csv


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_results(con: duckdb.DuckDBPyConnection, detection: Detection, out: Path,
                  manifest_extra: dict) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    membership = detection.membership
    score: dict[str, float] = {}
    behaviours: dict[str, set[str]] = {}
    for e in detection.edges:
        for account in (e.account_a, e.account_b):
            score[account] = score.get(account, 0.0) + e.weight
            behaviours.setdefault(account, set()).add(e.behaviour)
    accounts = seen_accounts(con)
    handles = dict(accounts)
    write_csv(out / "accounts.csv", ACCOUNT_COLUMNS, (
        (acc, handle, acc in membership, membership.get(acc, ""),
         round(score.get(acc, 0.0), 4) if acc in membership else 0.0,
         ";".join(sorted(behaviours.get(acc, ()))) if acc in membership else "", "")
        for acc, handle in accounts))
    write_csv(out / "groups.csv", GROUP_COLUMNS, (
        (g.group_id, len(g.members), g.score, f"{g.p_value:.3g}",
         ";".join(b for b, _, _ in g.behaviours), g.first_seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
         g.last_seen.strftime("%Y-%m-%dT%H:%M:%SZ"), ";".join(g.signals), g.summary)
        for g in detection.groups))
    con.execute(
        f"""COPY (SELECT account_a, account_b, behaviour, shared_keys, weight, p_value,
                         q_value, min_dt_s, median_dt_s, example_keys
                  FROM edges ORDER BY account_a, account_b, behaviour)
            TO '{out / "edges.parquet"}' (FORMAT parquet)"""
    )
    write_csv(out / "edges.csv", [*EDGE_COLUMNS, "q_value"], (
        (row[0], row[1], row[2], row[3], row[4], f"{row[5]:.3g}", row[6], row[7],
         " | ".join(k[:80] for k in row[8]), f"{row[9]:.3g}")
        for row in con.execute(
            "SELECT account_a, account_b, behaviour, shared_keys, weight, p_value, min_dt_s, "
            "median_dt_s, example_keys, q_value FROM edges "
            "ORDER BY account_a, account_b, behaviour").fetchall()))
    con.execute(
        f"""COPY (SELECT e.behaviour, e.account_a, e.account_b, e.key, e.post_a, e.post_b,
                         to_timestamp(e.time_a) AT TIME ZONE 'UTC' AS time_a,
                         to_timestamp(e.time_b) AT TIME ZONE 'UTC' AS time_b, e.dt_s,
                         pa.text AS text_a, pb.text AS text_b
                  FROM evidence e
                  LEFT JOIN posts pa ON pa.post_id = e.post_a
                  LEFT JOIN posts pb ON pb.post_id = e.post_b
                  ORDER BY e.account_a, e.account_b, e.behaviour, e.time_a, e.key)
            TO '{out / "evidence.parquet"}' (FORMAT parquet)"""
    )
    _write_networks(detection, handles, score, out)
    manifest = {
        **manifest_extra,
        "parameters": {"traces": detection.parameters.traces, "windows_s": detection.windows,
                       "fdr": detection.parameters.fdr,
                       "min_shared": detection.parameters.min_shared,
                       "neighbour_cap": detection.parameters.neighbour_cap,
                       "seed": detection.parameters.seed},
        "notes": detection.notes,
        "counts": {"accounts": len(accounts), "tests": detection.tests,
                   "edges": len(detection.edges), "groups": len(detection.groups),
                   "flagged": len(membership)},
        "timings_s": {k: round(v, 3) for k, v in detection.timings.items()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True,
                                                  default=str) + "\n")
    store_results(con, detection, handles, score, manifest)
    from sockscope.report import build_report

    build_report(con, out / "report.html")
    return manifest


def store_results(con: duckdb.DuckDBPyConnection, detection: Detection, handles: dict,
                  score: dict, manifest: dict) -> None:
    """Keep the results in the run database (tables ``result_*``), so that the report can
    be rebuilt later with ``sockscope report --db``."""
    groups = detection.groups
    con.register("result_groups_arrow", pa.table({
        "group_id": [g.group_id for g in groups], "size": [len(g.members) for g in groups],
        "score": [g.score for g in groups], "p_value": [g.p_value for g in groups],
        "behaviours": [";".join(b for b, _, _ in g.behaviours) for g in groups],
        "first_seen": pa.array([g.first_seen.replace(tzinfo=None) for g in groups],
                               pa.timestamp("us")),
        "last_seen": pa.array([g.last_seen.replace(tzinfo=None) for g in groups],
                              pa.timestamp("us")),
        "signals": [";".join(g.signals) for g in groups], "summary": [g.summary for g in groups],
    }))
    members = sorted(detection.membership.items())
    con.register("result_members_arrow", pa.table({
        "account_id": [a for a, _ in members], "group_id": [g for _, g in members],
        "handle": pa.array([handles.get(a) for a, _ in members], pa.string()),
        "score": [round(score.get(a, 0.0), 4) for a, _ in members]}))
    edges = detection.edges
    con.register("result_edges_arrow", pa.table({
        "account_a": [e.account_a for e in edges], "account_b": [e.account_b for e in edges],
        "behaviour": [e.behaviour for e in edges], "shared_keys": [e.shared_keys for e in edges],
        "weight": [e.weight for e in edges], "p_value": [e.p_value for e in edges],
        "q_value": [e.q_value for e in edges]}, schema=pa.schema([
            ("account_a", pa.string()), ("account_b", pa.string()), ("behaviour", pa.string()),
            ("shared_keys", pa.int64()), ("weight", pa.float64()), ("p_value", pa.float64()),
            ("q_value", pa.float64())])))
    for table in ("groups", "members", "edges"):
        con.execute(f"CREATE OR REPLACE TABLE result_{table} AS "
                    f"SELECT * FROM result_{table}_arrow")
        con.unregister(f"result_{table}_arrow")
    con.execute("CREATE OR REPLACE TABLE result_evidence AS SELECT * FROM evidence")
    con.execute("CREATE OR REPLACE TABLE result_manifest (json VARCHAR)")
    con.execute("INSERT INTO result_manifest VALUES (?)",
                [json.dumps(manifest, sort_keys=True, default=str)])


def _write_networks(detection: Detection, handles: dict, score: dict, out: Path) -> None:
    """The flagged-account graph, one edge per pair with its behaviours."""
    membership = detection.membership
    nodes = sorted(membership)
    index = {n: i for i, n in enumerate(nodes)}
    pairs: dict[tuple[str, str], list] = {}
    for e in detection.edges:
        if e.account_a in membership and e.account_b in membership:
            pairs.setdefault((e.account_a, e.account_b), []).append(e)
    keys = sorted(pairs)
    graph = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in keys])
    graph.vs["name"] = nodes
    graph.vs["label"] = [handles.get(n) or n for n in nodes]
    graph.vs["group"] = [membership[n] for n in nodes]
    graph.vs["score"] = [round(score.get(n, 0.0), 4) for n in nodes]
    graph.es["weight"] = [round(sum(e.weight for e in pairs[k]), 6) for k in keys]
    graph.es["behaviours"] = [";".join(sorted(e.behaviour for e in pairs[k])) for k in keys]
    graph.write_graphml(str(out / "network.graphml"))
    root = ET.Element("gexf", {"xmlns": "http://gexf.net/1.3", "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "sockscope"
    body = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    attributes = ET.SubElement(body, "attributes", {"class": "node"})
    for number, (name, kind) in enumerate([("group", "string"), ("score", "double")]):
        ET.SubElement(attributes, "attribute", {"id": str(number), "title": name, "type": kind})
    edge_attributes = ET.SubElement(body, "attributes", {"class": "edge"})
    ET.SubElement(edge_attributes, "attribute", {"id": "0", "title": "behaviours",
                                                 "type": "string"})
    xml_nodes = ET.SubElement(body, "nodes")
    for vertex in graph.vs:
        node = ET.SubElement(xml_nodes, "node", {"id": vertex["name"], "label": vertex["label"]})
        values = ET.SubElement(node, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "0", "value": vertex["group"]})
        ET.SubElement(values, "attvalue", {"for": "1", "value": str(vertex["score"])})
    xml_edges = ET.SubElement(body, "edges")
    for number, edge in enumerate(graph.es):
        element = ET.SubElement(xml_edges, "edge", {
            "id": str(number), "source": nodes[edge.source], "target": nodes[edge.target],
            "weight": str(edge["weight"])})
        values = ET.SubElement(element, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "0", "value": edge["behaviours"]})
    ET.ElementTree(root).write(out / "network.gexf", encoding="utf-8", xml_declaration=True)
