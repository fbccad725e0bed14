"""Fuse the significant layers into one account graph, find groups with Leiden, score
them, number them and describe them in a sentence a journalist can read."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import igraph as ig
import leidenalg

from sockscope.model.detection import AMPLIFICATION, SCHEDULE, Edge, Group, TieTests

SUMMARY_BEHAVIOURS = 3  # behaviours named in a group's one-line summary
SUMMARY_PERSONA = 2  # persona signals named in it (the strongest)
# accounts with fewer posts than this in the data are beyond behavioural tests: too few
# actions for any co-action count to stand out (said per group and overall)
QUIET_POSTS = 10


@dataclass(frozen=True)
class SingleTies:
    """When one tie makes a member on its own: its q-value at most ``max_q`` (a tenth of
    the FDR: the weakest ties are the likeliest false), and the tie rare among the null
    tests that could have made a stranger.

    A tie's BH q-value bounds the false share among all the ties as strong, and where a
    campaign's ties number tens of thousands (a long collection), that share allows
    tens of false ties with q well under ``max_q``: q says little about one tie taken
    alone. An account held by one tie hangs on a partner tied to two (else the pair
    would stand alone), so a stranger is made only by a null test that touches one of
    the ``core`` accounts tied to two others: at most min(tests, core x accounts) of
    each test set's tests. p times their number is the expected number of such null
    tests at least as strong as the tie; it must be at most ``limit``, set by
    Benjamini-Hochberg's step-up over the accounts the communities hold by one tie
    (``stepped_up``), so that the expected number of strangers admitted stays within
    the FDR of those admitted, in each family of tests.
    """

    families: Mapping[str, tuple[TieTests, ...]] = field(default_factory=dict)
    other: tuple[TieTests, ...] = ()  # the family of every behaviour not in ``families``
    max_q: float = 1.0
    core: int = 0
    limit: float = 0.0

    def null_tests(self, behaviour: str) -> int:
        """The tests of ``behaviour``'s family that touch a core account, at most."""
        return sum(min(s.tests, self.core * s.accounts)
                   for s in self.families.get(behaviour, self.other))

    def expected_null(self, ties: list[Edge]) -> float:
        """The expected number of null tests touching the core, as strong as the
        strongest of ``ties`` at q <= ``max_q`` (infinite if none is)."""
        return min((e.p_value * self.null_tests(e.behaviour) for e in ties
                    if e.q_value <= self.max_q), default=math.inf)

    def stepped_up(self, core: int, candidates: list[list[Edge]], fdr: float
                   ) -> SingleTies:
        """This rule for ``core`` accounts, its limit set by the step-up over
        ``candidates``, the ties of each account held by one partner: the largest k
        with the k-th smallest expected count at most fdr x k gives the limit fdr x k."""
        rule = replace(self, core=core)
        expected = sorted(rule.expected_null(ties) for ties in candidates)
        admitted = max((k for k, e in enumerate(expected, 1) if e <= fdr * k), default=0)
        return replace(rule, limit=fdr * admitted)


def find_groups(edges: list[Edge], seed: int, ties: SingleTies, fdr: float
                ) -> tuple[list[Group], SingleTies]:
    """Leiden communities on the fused graph of significant edges (not yet numbered),
    and the single-tie rule they set.

    The fused weight of a pair is the sum over its significant behaviours of the
    popularity-weighted shared keys. A community's members are the accounts tied to at
    least two others in it, or to one by a tie that ``ties`` admits (its limit set here,
    over every community's accounts held by one tie): Benjamini-Hochberg at the edge
    level lets a share of false edges in, and an account hanging on one of them is a
    stranger (two false edges to the same group are far rarer). The weak edges still
    shape the communities and back the evidence.
    """
    names = sorted({e.account_a for e in edges} | {e.account_b for e in edges})
    if not names:
        return [], ties
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
    internal = pairs_within(communities, edges_by_pair(edges))
    partners = [_partners(pairs) for pairs in internal]
    core = sum(len(tied) >= 2 for accounts in partners for tied in accounts.values())
    held = [pairs[tied[0]] for pairs, accounts in zip(internal, partners, strict=True)
            for tied in accounts.values() if len(tied) == 1]
    ties = ties.stepped_up(core, held, fdr)
    groups: list[Group] = []
    for community, pairs in zip(communities, internal, strict=True):
        group = firm_group(community, pairs, ties)
        if group is not None:
            groups.append(group)
    return groups, ties


def _partners(internal: dict[tuple[str, str], list[Edge]]) -> dict[str, list[tuple[str, str]]]:
    """The ``internal`` pairs of each account in them."""
    partners: dict[str, list[tuple[str, str]]] = {}
    for pair in internal:
        for account in pair:
            partners.setdefault(account, []).append(pair)
    return partners


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
               ties: SingleTies) -> Group | None:
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
        firm = _firm_members(members, local, ties)
        if len(firm) == len(members):
            break
        members = firm
    internal = [e for es in local.values() for e in es]
    return _group(members, internal) if internal else None


def _firm_members(members: list[str], internal: dict[tuple[str, str], list[Edge]],
                  ties: SingleTies) -> list[str]:
    """The ``members`` tied to two others, or to one by a tie ``ties`` admits, by the
    ``internal`` pairs (both ends among them)."""
    partners = _partners(internal)
    return [m for m in members if len(tied := partners.get(m, [])) >= 2
            or (tied and ties.expected_null(internal[tied[0]]) <= ties.limit)]


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
