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

from sockscope.baseline import ACCOUNT_COLUMNS, EDGE_COLUMNS, GROUP_COLUMNS
from sockscope.io.writers import write_csv
from sockscope.pipeline import Detection


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
    accounts = con.execute(
        """SELECT account_id, max(handle) FROM (
               SELECT account_id, handle FROM accounts
               UNION ALL SELECT DISTINCT account_id, NULL FROM posts)
           GROUP BY account_id ORDER BY account_id"""
    ).fetchall()
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
    return manifest


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
