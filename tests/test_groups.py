"""Group membership: every member of a reported group is tied to it, by two members or
by one strong tie, after every account that leaves the group has left."""

from __future__ import annotations

from sockscope.detect.groups import edges_by_pair, find_groups, firm_group
from sockscope.detect.pipeline import _without_targets
from sockscope.model.detection import AMPLIFICATION, Edge

MEMBER_Q = 0.001
STRONG, WEAK = 1e-6, 0.005  # q-values: a tie that holds a member alone, and one that does not


def _edge(a: str, b: str, q: float, behaviour: str = "co-repost", weight: float = 1.0
          ) -> Edge:
    a, b = sorted((a, b))
    return Edge(a, b, behaviour, 5, weight, q / 100, q, 0.0, 0.0, 0.0, 0.0)


def _team(size: int = 6) -> tuple[list[str], list[Edge]]:
    team = [f"t{i}" for i in range(size)]
    return team, [_edge(a, b, STRONG, weight=5.0) for i, a in enumerate(team)
                  for b in team[i + 1:]]


def test_an_account_tied_only_to_a_pruned_account_is_pruned_too():
    # y hangs on one weak tie (to x); x on two weak ones (to the team and to y). Once y
    # is out, x hangs on one weak tie: out as well
    team, edges = _team()
    edges += [_edge("t0", "x", WEAK), _edge("x", "y", WEAK)]
    group = firm_group([*team, "x", "y"], edges_by_pair(edges), MEMBER_Q)
    assert group is not None and group.members == team
    # with a second tie to the team, x stays (two partners), y does not
    edges.append(_edge("t1", "x", WEAK))
    group = firm_group([*team, "x", "y"], edges_by_pair(edges), MEMBER_Q)
    assert group is not None and group.members == [*team, "x"]


def test_find_groups_reports_only_firm_members():
    team, edges = _team()
    edges += [_edge("t0", "x", WEAK), _edge("x", "y", WEAK), _edge("t2", "z", STRONG)]
    [group] = find_groups(edges, seed=1, member_q=MEMBER_Q)
    assert group.members == sorted([*team, "z"])
    # the description is of the members' own edges
    assert group.q_value == STRONG
    assert group.score == round((15 * 5.0 + 1.0) / 7, 4)


def test_an_amplifier_of_a_target_leaves_with_the_target(con):
    # a team of twelve amplifies twenty people of a community (targets, not members:
    # ``amplified_only``); an outside account reposting one of those people heavily
    # sat in the group through that tie alone, and must leave with them
    team = [f"t{i:02d}" for i in range(12)]
    pushed = [f"x{i:02d}" for i in range(20)]
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)",
                    [[m, x] for m in team for x in pushed] + [["fan", "x00"]])
    edges = [_edge(a, b, STRONG) for i, a in enumerate(team) for b in team[i + 1:]]
    edges += [_edge(m, x, STRONG, AMPLIFICATION) for m in team for x in pushed]
    edges.append(_edge("fan", "x00", STRONG, AMPLIFICATION))
    group = firm_group([*team, *pushed, "fan"], edges_by_pair(edges), MEMBER_Q)
    assert group is not None and "fan" in group.members
    [kept], targets, loose = _without_targets(con, [group], edges, edges_by_pair(edges),
                                              MEMBER_Q)
    assert (kept.members, targets, loose) == (team, 20, 1)
    # the group is described by what is left: its team's co-reposts, not the targets
    assert [b for b, _, _ in kept.behaviours] == ["co-repost"]

