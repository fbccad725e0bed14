"""The account network for Gephi and friends: ``network.gexf`` and ``network.graphml``.

Every significant edge of the Detection is in both files (one edge per pair of accounts,
with its fused weight and its behaviours), between every account that has one; node
attributes say whether the account is flagged and in which group. Text from the data
(ids, handles) is made valid XML 1.0: characters XML cannot carry become U+FFFD.
"""

from __future__ import annotations

import re
from pathlib import Path

import igraph as ig

from sockscope.model.detection import Detection, Edge

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
    """GEXF 1.3, written as text in one pass (ElementTree built an element per node,
    edge and attribute value: most of the writing time). The bytes are those
    ElementTree writes for the same tree (tested)."""
    parts = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<gexf xmlns="{GEXF_NS}" version="1.3"><meta><creator>sockscope</creator></meta>'
        '<graph defaultedgetype="undirected" mode="static"><attributes class="node">'
        '<attribute id="0" title="group" type="string" />'
        '<attribute id="1" title="score" type="double" />'
        '<attribute id="2" title="flagged" type="boolean" /></attributes>'
        '<attributes class="edge"><attribute id="0" title="behaviours" type="string" />'
        "</attributes><nodes>"]
    names = graph.vs["name"]
    for name, label, group, score, flagged in zip(
            names, graph.vs["label"], graph.vs["group"], graph.vs["score"],
            graph.vs["flagged"], strict=True):
        parts.append(
            f'<node id="{_attribute(name)}" label="{_attribute(label)}"><attvalues>'
            f'<attvalue for="0" value="{_attribute(group)}" />'
            f'<attvalue for="1" value="{score}" />'
            f'<attvalue for="2" value="{"true" if flagged else "false"}" />'
            "</attvalues></node>")
    parts.append("</nodes><edges>")
    for number, ((source, target), weight, behaviours) in enumerate(zip(
            graph.get_edgelist(), graph.es["weight"], graph.es["behaviours"], strict=True)):
        parts.append(
            f'<edge id="{number}" source="{_attribute(names[source])}" '
            f'target="{_attribute(names[target])}" weight="{weight}"><attvalues>'
            f'<attvalue for="0" value="{_attribute(behaviours)}" /></attvalues></edge>')
    parts.append("</edges></graph></gexf>")
    path.write_bytes("".join(parts).encode("utf-8"))


_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"})


def _attribute(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    return str(value).translate(_ATTRIBUTE_ESCAPES)
