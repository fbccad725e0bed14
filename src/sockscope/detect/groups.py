"""Fuse the significant layers into one account graph, find groups with Leiden, score
them, number them and describe them in a sentence a journalist can read."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

import igraph as ig
import leidenalg

from sockscope.model.detection import AMPLIFICATION, SCHEDULE, Edge, Group

SUMMARY_BEHAVIOURS = 3  # behaviours named in a group's one-line summary
SUMMARY_PERSONA = 2  # persona signals named in it (the strongest)
# accounts with fewer posts than this in the data are beyond behavioural tests: too few
# actions for any co-action count to stand out (said per group and overall)
QUIET_POSTS = 10


def find_groups(edges: list[Edge], seed: int, member_q: float = 1.0) -> list[Group]:
    """Leiden communities on the fused graph of significant edges (not yet numbered).

    The fused weight of a pair is the sum over its significant behaviours of the
    popularity-weighted shared keys. A community's members are the accounts tied to at
    least two others in it, or to one at q <= ``member_q``: Benjamini-Hochberg at the
    edge level lets a share of false edges in, and they are the weakest ones, so an
    account hanging on one weak edge is far likelier a stranger than a member (two
    false edges to the same group are far rarer). The weak edges still shape the
    communities and back the evidence.
    """
    names = sorted({e.account_a for e in edges} | {e.account_b for e in edges})
    if not names:
        return []
    index = {n: i for i, n in enumerate(names)}
    fused: dict[tuple[int, int], float] = {}
    for e in edges:
        pair = (index[e.account_a], index[e.account_b])
        fused[pair] = fused.get(pair, 0.0) + e.weight
    pairs = sorted(fused)
    graph = ig.Graph(n=len(names), edges=pairs)
    graph.es["weight"] = [fused[p] for p in pairs]
    partition = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition,
                                         weights="weight", seed=seed, n_iterations=-1)
    communities = [sorted(names[v] for v in community) for community in partition
                   if len(community) >= 2]
    groups: list[Group] = []
    internal = pairs_within(communities, edges_by_pair(edges))
    for community, pairs in zip(communities, internal, strict=True):
        group = firm_group(community, pairs, member_q)
        if group is not None:
            groups.append(group)
    return groups


def pairs_within(account_sets: list[list[str]], by_pair: dict[tuple[str, str], list[Edge]]
                 ) -> list[dict[tuple[str, str], list[Edge]]]:
    """For each of the disjoint ``account_sets``, the pairs of ``by_pair`` with both ends
    in it: one pass over the pairs, however many sets (filtering all pairs once per set
    costs sets x pairs)."""
    set_of = {m: i for i, accounts in enumerate(account_sets) for m in accounts}
    within: list[dict[tuple[str, str], list[Edge]]] = [{} for _ in account_sets]
    for (a, b), es in by_pair.items():
        i = set_of.get(a)
        if i is not None and i == set_of.get(b):
            within[i][(a, b)] = es
    return within


def edges_by_pair(edges: list[Edge]) -> dict[tuple[str, str], list[Edge]]:
    """The edges of each account pair (every behaviour)."""
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        by_pair.setdefault((e.account_a, e.account_b), []).append(e)
    return by_pair


def firm_group(accounts: list[str], by_pair: dict[tuple[str, str], list[Edge]],
               member_q: float) -> Group | None:
    """The group of the firm members among ``accounts``, described by their internal
    edges, or None if no edge is left. Pruning repeats until every member is firm:
    an account whose only ties ran to accounts pruned (or removed from a group for
    another reason, like the targets a team amplifies) has nothing left that ties it
    to the group."""
    members = sorted(accounts)
    local = by_pair
    while True:
        inside = set(members)
        local = {(a, b): es for (a, b), es in local.items() if a in inside and b in inside}
        firm = _firm_members(members, local, member_q)
        if len(firm) == len(members):
            break
        members = firm
    internal = [e for es in local.values() for e in es]
    return _group(members, internal) if internal else None


def _firm_members(members: list[str], internal: dict[tuple[str, str], list[Edge]],
                  member_q: float) -> list[str]:
    """The ``members`` tied to two others, or to one at q <= ``member_q``, by the
    ``internal`` pairs (both ends among them)."""
    partners: dict[str, int] = {}
    strong: set[str] = set()
    for (a, b), es in internal.items():
        for account in (a, b):
            partners[account] = partners.get(account, 0) + 1
            if min(e.q_value for e in es) <= member_q:
                strong.add(account)
    return [m for m in members if m in strong or partners.get(m, 0) >= 2]


def _group(members: list[str], internal: list[Edge]) -> Group:
    per_behaviour: dict[str, list[Edge]] = {}
    for e in internal:
        per_behaviour.setdefault(e.behaviour, []).append(e)
    behaviours = sorted(
        ((name, max(x.shared_keys for x in es), statistics.median(x.median_dt_s for x in es))
         for name, es in per_behaviour.items()),
        key=lambda item: (-sum(x.weight for x in per_behaviour[item[0]]), item[0]))
    return Group(
        group_id="", members=members,
        score=round(sum(e.weight for e in internal) / len(members), 4),
        q_value=_bottleneck_q(members, internal),
        behaviours=behaviours,
        first_seen=datetime.fromtimestamp(min(e.first_t for e in internal), UTC),
        last_seen=datetime.fromtimestamp(max(e.last_t for e in internal), UTC),
    )


def rank_groups(groups: list[Group]) -> list[Group]:
    """Groups by score, then size, then first member."""
    return sorted(groups, key=lambda g: (-g.score, -len(g.members), g.members[0]))


def number_groups(groups: list[Group]) -> None:
    """Give groups, in their order, the ids G0001, G0002, ... and their summaries."""
    for number, group in enumerate(groups, start=1):
        group.group_id = f"G{number:04d}"
        group.members.sort()
        group.summary = summarise(group)


def summarise(group: Group) -> str:
    from sockscope.plugins import TRACES

    first, last = group.first_seen.strftime("%Y-%m-%d"), group.last_seen.strftime("%Y-%m-%d")
    parts = []
    for behaviour, keys, median_dt in group.behaviours:
        if behaviour == AMPLIFICATION:
            parts.append(f"mostly amplified by one another (up to {keys:,} reposts of "
                         "one account each)")
            continue
        if behaviour == SCHEDULE:
            parts.append(f"post links on a clock in one layout under one profile template "
                         f"(up to {keys:,} link posts each)")
            continue
        trace = TRACES[behaviour]
        parts.append(f"{trace.description} ({keys:,} {trace.unit}, median "
                     f"{duration(median_dt)} apart)")
    text = f"{len(group.members):,} accounts " + "; ".join(parts[:SUMMARY_BEHAVIOURS])
    if len(parts) > SUMMARY_BEHAVIOURS:
        text += f"; and {len(parts) - SUMMARY_BEHAVIOURS} more behaviours"
    text = f"{text}, {first} to {last}"
    if group.persona:
        text += "; " + "; ".join(group.persona[:SUMMARY_PERSONA])
    if group.quiet_members:
        text += (f"; {group.quiet_members:,} of its members posted fewer than "
                 f"{QUIET_POSTS} times (little to test them on)")
    return text


def duration(seconds: float) -> str:
    """A time gap in the unit a reader expects: seconds, minutes or hours."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7_200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


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
