"""Fuse the significant layers into one account graph, find groups with Leiden, score
them and describe them in a sentence a journalist can read."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime

import igraph as ig
import leidenalg

from sockscope.detect.traces import REGISTRY


@dataclass
class Edge:
    account_a: str
    account_b: str
    behaviour: str
    shared_keys: int
    weight: float
    p_value: float
    q_value: float
    min_dt_s: float
    median_dt_s: float
    first_t: float
    last_t: float


@dataclass
class Group:
    group_id: str
    members: list[str]
    score: float
    p_value: float
    behaviours: list[tuple[str, int, float]]  # (behaviour, shared keys, median dt)
    first_seen: datetime
    last_seen: datetime
    signals: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        first, last = self.first_seen.strftime("%Y-%m-%d"), self.last_seen.strftime("%Y-%m-%d")
        parts = []
        for behaviour, keys, median_dt in self.behaviours:
            if behaviour == "amplification":
                parts.append(f"mostly amplified by one another (up to {keys:,} reposts of "
                             "one account each)")
                continue
            trace = REGISTRY[behaviour]
            parts.append(f"{trace.description} ({keys:,} {trace.unit}, median "
                         f"{_duration(median_dt)} apart)")
        text = f"{len(self.members):,} accounts " + "; ".join(parts[:3])
        if len(parts) > 3:
            text += f"; and {len(parts) - 3} more behaviours"
        return f"{text}, {first} to {last}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7_200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def find_groups(edges: list[Edge], seed: int, min_size: int = 2) -> tuple[list[Group], dict]:
    """Leiden communities on the fused graph of significant edges.

    The fused weight of a pair is the sum over its significant behaviours of the
    popularity-weighted shared keys. Returns the groups (largest score first) and a
    map account -> group id.
    """
    names = sorted({e.account_a for e in edges} | {e.account_b for e in edges})
    index = {n: i for i, n in enumerate(names)}
    fused: dict[tuple[int, int], float] = {}
    for e in edges:
        pair = (index[e.account_a], index[e.account_b])
        fused[pair] = fused.get(pair, 0.0) + e.weight
    pairs = sorted(fused)
    graph = ig.Graph(n=len(names), edges=pairs)
    graph.es["weight"] = [fused[p] for p in pairs]
    if not names:
        return [], {}
    partition = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition,
                                         weights="weight", seed=seed, n_iterations=-1)
    communities = [sorted(names[v] for v in community) for community in partition
                   if len(community) >= min_size]
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        by_pair.setdefault((e.account_a, e.account_b), []).append(e)
    groups: list[Group] = []
    for members in communities:
        inside = set(members)
        internal = [e for (a, b), es in by_pair.items() if a in inside and b in inside
                    for e in es]
        if not internal:
            continue
        per_behaviour: dict[str, list[Edge]] = {}
        for e in internal:
            per_behaviour.setdefault(e.behaviour, []).append(e)
        behaviours = sorted(
            ((name, max(x.shared_keys for x in es), statistics.median(x.median_dt_s for x in es))
             for name, es in per_behaviour.items()),
            key=lambda item: (-sum(x.weight for x in per_behaviour[item[0]]), item[0]))
        groups.append(Group(
            group_id="", members=members,
            score=round(sum(e.weight for e in internal) / len(members), 4),
            p_value=_bottleneck_q(members, internal),
            behaviours=behaviours,
            first_seen=datetime.fromtimestamp(min(e.first_t for e in internal), UTC),
            last_seen=datetime.fromtimestamp(max(e.last_t for e in internal), UTC),
        ))
    groups.sort(key=lambda g: (-g.score, -len(g.members), g.members[0]))
    membership = {}
    for number, group in enumerate(groups, start=1):
        group.group_id = f"G{number:04d}"
        for member in group.members:
            membership[member] = group.group_id
    return groups, membership


def _bottleneck_q(members: list[str], internal: list[Edge]) -> float:
    """The largest q-value on a minimum spanning tree of the group's edges: every
    member is tied to the rest by edges at least this significant."""
    index = {m: i for i, m in enumerate(members)}
    best: dict[tuple[int, int], float] = {}
    for e in internal:
        pair = (index[e.account_a], index[e.account_b])
        best[pair] = min(best.get(pair, 1.0), e.q_value)
    pairs = sorted(best)
    graph = ig.Graph(n=len(members), edges=pairs)
    weights = [best[p] for p in pairs]
    tree = graph.spanning_tree(weights=weights, return_tree=False)
    return float(max((weights[i] for i in tree), default=min(weights)))
