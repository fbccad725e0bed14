"""The account network for Gephi and friends: ``network.gexf`` and ``network.graphml``.

Every significant edge of the Detection is in both files (one edge per pair of accounts,
with its fused weight and its behaviours), between every account that has one; node
attributes say whether the account is flagged and in which group. Text from the data
(ids, handles) is made valid XML 1.0: characters XML cannot carry become U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig

from sockscope.detect.model import Detection, Edge

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
GEXF_NS = "http://gexf.net/1.3"


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def pair_edges(edges: list[Edge]) -> dict[tuple[str, str], list[Edge]]:
    """Edges grouped by pair of accounts, pairs sorted."""
    pairs: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        pairs.setdefault((e.account_a, e.account_b), []).append(e)
    return dict(sorted(pairs.items()))


def write_networks(detection: Detection, out: Path) -> None:
    accounts = detection.accounts
    handles = dict(zip(accounts["account_id"].to_pylist(), accounts["handle"].to_pylist(),
                       strict=True))
    scores = dict(zip(accounts["account_id"].to_pylist(), accounts["score"].to_pylist(),
                      strict=True))
    membership = detection.membership
    pairs = pair_edges(detection.edges)
    nodes = sorted({a for pair in pairs for a in pair})
    index = {n: i for i, n in enumerate(nodes)}
    labels = [xml_text(handles.get(n) or n) for n in nodes]
    weights = [round(sum(e.weight for e in es), 6) for es in pairs.values()]
    kinds = [";".join(sorted(e.behaviour for e in es)) for es in pairs.values()]
    graph = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in pairs])
    graph.vs["name"] = [xml_text(n) for n in nodes]
    graph.vs["label"] = labels
    graph.vs["group"] = [membership.get(n, "") for n in nodes]
    graph.vs["flagged"] = [n in membership for n in nodes]
    graph.vs["score"] = [round(scores.get(n) or 0.0, 4) for n in nodes]
    graph.es["weight"] = weights
    graph.es["behaviours"] = kinds
    graph.write_graphml(str(out / "network.graphml"))
    _write_gexf(graph, out / "network.gexf")


def _write_gexf(graph: ig.Graph, path: Path) -> None:
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "sockscope"
    body = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    attributes = ET.SubElement(body, "attributes", {"class": "node"})
    node_attributes = [("group", "string"), ("score", "double"), ("flagged", "boolean")]
    for number, (name, kind) in enumerate(node_attributes):
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
        ET.SubElement(values, "attvalue", {"for": "2",
                                           "value": "true" if vertex["flagged"] else "false"})
    xml_edges = ET.SubElement(body, "edges")
    names = graph.vs["name"]
    for number, edge in enumerate(graph.es):
        element = ET.SubElement(xml_edges, "edge", {
            "id": str(number), "source": names[edge.source], "target": names[edge.target],
            "weight": str(edge["weight"])})
        values = ET.SubElement(element, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "0", "value": edge["behaviours"]})
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
