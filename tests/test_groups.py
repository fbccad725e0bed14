"""Group membership: every member of a reported group is tied to it, by two members or
by one strong tie, after every account that leaves the group has left."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sockscope.detect.amplification import amplification_edges
from sockscope.detect.groups import SingleTies, edges_by_pair, find_groups, firm_group
from sockscope.detect.pipeline import EVIDENCE_DDL, _attach, _without_targets
from sockscope.model.detection import AMPLIFICATION, Edge, Group, TieTests
from sockscope.model.params import DetectParams

from .posts_factory import BASE, insert, post

# q-values: a tie that holds a member alone, and one that does not (p = q / 100, and
# 1,000 tests touching the core: 1e-5 and 0.05 null ties expected as strong)
STRONG, WEAK = 1e-6, 0.005
PAIR_TESTS = (TieTests(1000, 1000),)
TIES = SingleTies(other=PAIR_TESTS, core=1, limit=0.001)


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
    group = firm_group([*team, "x", "y"], edges_by_pair(edges), TIES)
    assert group is not None and group.members == team
    # with a second tie to the team, x stays (two partners), y does not
    edges.append(_edge("t1", "x", WEAK))
    group = firm_group([*team, "x", "y"], edges_by_pair(edges), TIES)
    assert group is not None and group.members == [*team, "x"]


def test_find_groups_reports_only_firm_members():
    team, edges = _team()
    edges += [_edge("t0", "x", WEAK), _edge("x", "y", WEAK), _edge("t2", "z", STRONG)]
    [group], _ = find_groups(edges, seed=1, ties=SingleTies(other=PAIR_TESTS), fdr=0.01)
    assert group.members == sorted([*team, "z"])
    # the description is of the members' own edges
    assert group.q_value == STRONG
    assert group.score == round((15 * 5.0 + 1.0) / 7, 4)


def test_one_tie_makes_a_member_only_if_ties_as_strong_are_rare_among_null_tests():
    # a stranger is made by a null test touching one of the accounts tied to two others
    # (the core: the team of six): 6 x 3,000 of a 3,000-account trace's pair tests.
    # A tie at p = 3e-5 is one of 0.54 expected among them: a stranger, though its q
    # (3e-4, where a campaign's ties are thousands) passed the old rule, q <= fdr / 10.
    # An amplification tie at p = 1e-9 (2e-5 expected) makes a member
    team, edges = _team()
    stranger = Edge("stranger", "t0", "co-repost", 5, 1.0, 3e-5, 3e-4, 0.0, 0.0, 0.0, 0.0)
    sock = Edge("sock", "t1", AMPLIFICATION, 5, 1.0, 1e-9, 1e-5, 0.0, 0.0, 0.0, 0.0)
    rule = SingleTies({AMPLIFICATION: (TieTests(2_000_000, 3_000),)},
                      (TieTests(4_498_500, 3_000),), max_q=0.001)
    [group], ties = find_groups([*edges, stranger, sock], seed=1, ties=rule, fdr=0.01)
    assert group.members == sorted([*team, "sock"])
    assert ties.core == 6 and ties.null_tests("co-repost") == 18_000
    assert ties.null_tests(AMPLIFICATION) == 18_000
    # the step-up's limit: one account admitted of the two held by one tie
    assert ties.limit == 0.01
    # in a trace of 30 accounts, 6 x 29 tests touch the core (at most 6 x 30): the
    # same tie (0.0054 expected) makes a member; one as rare but at q above a tenth of
    # the FDR does not
    small = replace(rule, other=(TieTests(435, 30),))
    weak = Edge("weak", "t2", "co-repost", 5, 1.0, 3e-5, 0.005, 0.0, 0.0, 0.0, 0.0)
    [group], _ = find_groups([*edges, stranger, sock, weak], seed=1, ties=small, fdr=0.01)
    assert group.members == sorted([*team, "sock", "stranger"])


def test_an_amplifier_of_a_target_leaves_with_the_target(con):
    # a team of twelve amplifies twenty people of a community (targets, not members:
    # ``amplified_only``); an outside account reposting one of those people heavily
    # sat in the group through that tie alone, and must leave with them
    team = [f"t{i:02d}" for i in range(12)]
    pushed = [f"x{i:02d}" for i in range(20)]
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)",
                    [[m, x] for m in team for x in pushed] + [["fan", "x00"]])
    _run_tables(con)
    edges = [_edge(a, b, STRONG) for i, a in enumerate(team) for b in team[i + 1:]]
    edges += [_edge(m, x, STRONG, AMPLIFICATION) for m in team for x in pushed]
    edges.append(_edge("fan", "x00", STRONG, AMPLIFICATION))
    group = firm_group([*team, *pushed, "fan"], edges_by_pair(edges), TIES)
    assert group is not None and "fan" in group.members
    [kept], targets, followers, loose = _without_targets(
        con, [group], edges, edges_by_pair(edges), TIES)
    assert (kept.members, targets, followers, loose) == (team, 20, 0, 1)
    # the group is described by what is left: its team's co-reposts, not the targets
    assert [b for b, _, _ in kept.behaviours] == ["co-repost"]



def _run_tables(con) -> None:
    """The run's tables the membership rules read besides ``amplifying``: the reposts
    per account and post and per (account, author), and the co-actions behind the
    edges (none here)."""
    con.execute("""CREATE OR REPLACE TEMP TABLE reposted AS
                   SELECT account_id, repost_of_post AS post, repost_of_account AS author,
                          min(epoch(created_at)) AS first_t, max(epoch(created_at)) AS last_t
                   FROM posts WHERE kind = 'repost' GROUP BY ALL""")
    con.execute("""CREATE OR REPLACE TEMP TABLE amplified AS
                   SELECT account_id, repost_of_account AS author,
                          count(DISTINCT repost_of_post) AS c
                   FROM posts WHERE kind = 'repost' GROUP BY ALL""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE evidence {EVIDENCE_DDL}")


def _repost(rows: list[dict], account: str, original: str, author: str, at: float) -> None:
    rows.append(post(f"{account}>{original}", account, at, kind="repost",
                     repost_of_post=original, repost_of_account=author))


def _popular_and_seeds(count: int, hours: float, fans: list[str],
                       public: Callable[[int], list[str]], seeder: Callable[[int], str],
                       mates: Callable[[int], list[str]]) -> list[dict]:
    """``count`` rounds, ``hours`` apart: a post of the popular member t0, reposted by
    ``fans`` and by ``public(k)``, and a seed of ``seeder(k)``, reposted by ``mates(k)``
    (the posts' ids: popular{k}, seed{k})."""
    rows: list[dict] = []
    for k in range(count):
        start = 3_600.0 * hours * k
        rows.append(post(f"popular{k}", "t0", start))
        for reposter in [*fans, *public(k)]:
            _repost(rows, reposter, f"popular{k}", "t0", start + 600)
        rows.append(post(f"seed{k}", seeder(k), start + 10))
        for reposter in mates(k):
            _repost(rows, reposter, f"seed{k}", seeder(k), start + 2_000)
    return rows


def test_a_popular_members_fan_is_its_audience_and_a_teammate_stays(con):
    # a six-account team co-reposts; its member t0 is popular: the public reposts its
    # posts, and so does "fan", whose only tie to the group is that it amplifies t0.
    # "sock" is tied to the group the same way, by amplifying t1, but what it reposts
    # are t1's seeds, which only the team reposts: a teammate, not an audience
    team, edges = _team()
    public = [f"public{i}" for i in range(12)]
    rows = _popular_and_seeds(8, 1, ["fan"], lambda k: public, lambda k: "t1",
                              lambda k: ["sock", "t2", "t3", "t4"])
    insert(con, rows)
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)", [["fan", "t0"], ["sock", "t1"]])
    _run_tables(con)
    edges += [_edge("fan", "t0", STRONG, AMPLIFICATION), _edge("sock", "t1", STRONG,
                                                                AMPLIFICATION)]
    group = firm_group([*team, "fan", "sock"], edges_by_pair(edges), TIES)
    assert group is not None and {"fan", "sock"} <= set(group.members)
    [kept], targets, followers, loose = _without_targets(
        con, [group], edges, edges_by_pair(edges), TIES)
    assert (kept.members, targets, followers, loose) == (sorted([*team, "sock"]), 0, 1, 0)
    # were t1's seeds reposted by the public as much as by the team, sock would be an
    # audience too
    public_seeds: list[dict] = []
    for k in range(8):
        for account in public:
            _repost(public_seeds, account, f"seed{k}", "t1", 3_600.0 * k + 5_000)
    insert(con, public_seeds)
    [kept], _, followers, _ = _without_targets(con, [group], edges, edges_by_pair(edges),
                                               TIES)
    assert followers == 2 and kept.members == team


def test_a_fan_co_reposting_its_idol_with_the_team_is_its_audience(con):
    # t2 and t3, of a co-reposting team, also repost their popular teammate t0, as the
    # public does. "cofan" is tied to them by co-reposting t0's posts: all it does with
    # the group is t0's public posts. "mate" co-reposts with them too, but the team's
    # seeds: it stays
    team, edges = _team()
    public = [f"public{i}" for i in range(12)]
    rows = _popular_and_seeds(10, 1, ["cofan", "t2", "t3"], lambda k: public,
                              lambda k: "t1", lambda k: ["mate", "t2", "t3", "t4"])
    evidence: list[tuple] = []
    for k in range(10):
        for one, original in (("cofan", f"popular{k}"), ("mate", f"seed{k}")):
            for other in ("t2", "t3"):
                a, b = sorted((one, other))
                evidence.append(("co-repost", a, b, original, f"{a}>{original}",
                                 f"{b}>{original}", 0.0, 0.0, 0.0))
    insert(con, rows)
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    _run_tables(con)
    con.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", evidence)
    edges += [_edge(one, other, WEAK) for one in ("cofan", "mate") for other in ("t2", "t3")]
    group = firm_group([*team, "cofan", "mate"], edges_by_pair(edges), TIES)
    assert group is not None and {"cofan", "mate"} <= set(group.members)
    [kept], _, followers, _ = _without_targets(con, [group], edges, edges_by_pair(edges),
                                               TIES)
    assert followers == 1 and kept.members == sorted([*team, "mate"])


def _popular_member_and_heavy_reposters(con, late: list[str]) -> list[str]:
    """A six-account team whose member t0 is popular (each of its 30 posts reposted by
    "heavy" and six of a public of 200, who also repost one another's posts) and whose
    members t1..t5 take turns posting seeds that the rest of the team and ``late``
    repost (nobody else does). Returns the team."""
    team, _ = _team()
    rows = _popular_and_seeds(
        30, 1, ["heavy"], lambda k: [f"public{(6 * k + i) % 200}" for i in range(6)],
        lambda k: team[1 + k % 5], lambda k: [*late, *(m for m in team if m != team[1 + k % 5])])
    for i in range(200):
        rows.append(post(f"own{i}", f"public{i}", 50.0 * i))
        for j in range(1, 40):
            _repost(rows, f"public{(i + j) % 200}", f"own{i}", f"public{i}",
                    50.0 * i + 60 * j)
    insert(con, rows)
    return team


def test_an_account_attached_by_reposting_a_popular_members_public_posts_is_not_kept(con):
    # the attachment test on the group's posts ties "heavy" to the team: it reposts
    # every post of the team's popular member t0 and nothing else. But the public
    # reposts those posts too: heavy is t0's audience. "late", who reposts the team's
    # seeds (only the team does), stays
    team = _popular_member_and_heavy_reposters(con, ["late"])
    amplification_edges(con, 0.01)
    group = Group("", list(team), 1.0, 1e-6, [], BASE, BASE)
    new_edges, _, attached, audience = _attach(con, [group], DetectParams())
    assert (attached, audience) == (1, 1) and group.members == [*team, "late"]
    assert new_edges and all("late" in (e.account_a, e.account_b) for e in new_edges)


def test_the_audience_of_an_account_attached_in_an_earlier_round_is_not_kept(con):
    # the group starts without its popular member t0; t0 reposts the seeds, which only
    # the team reposts, and joins in the first round. In the second, "heavy" is
    # attached for reposting t0's posts, which the public reposts: it is t0's audience,
    # although t0 was not a member when the attachment began
    team = _popular_member_and_heavy_reposters(con, ["late"])
    amplification_edges(con, 0.01)
    group = Group("", team[1:], 1.0, 1e-6, [], BASE, BASE)
    _, _, attached, audience = _attach(con, [group], DetectParams())
    assert (attached, audience) == (2, 1)
    assert sorted(group.members) == sorted([*team, "late"])


def test_a_heavy_teammate_is_attached_by_the_seeds_it_reposts(con):
    # "sock" reposts the team's 30 seeds, and also each of t0's public posts and 600
    # posts of the public: its reposts of the group's authors are mostly of t0's public
    # posts. Counted over all the group's posts, as the public's, they said "audience";
    # the seeds, which the public never reposts, say teammate
    team = _popular_member_and_heavy_reposters(con, ["sock"])
    rows: list[dict] = []
    for k in range(30):
        _repost(rows, "sock", f"popular{k}", "t0", 3_600.0 * k + 700)
    for i in range(600):
        _repost(rows, "sock", f"own{i % 200}" if i < 200 else f"extra{i}", f"public{i % 200}",
                20_000.0 + 30 * i)
    insert(con, rows)
    amplification_edges(con, 0.01)
    group = Group("", list(team), 1.0, 1e-6, [], BASE, BASE)
    _, _, attached, audience = _attach(con, [group], DetectParams())
    assert (attached, audience) == (1, 1) and group.members == [*team, "sock"]


def _lead_and_other(con, other: str, public: Callable[[int], int]
                    ) -> tuple[list[str], list[Edge], Group]:
    """A twelve-account team; "lead" and ``other`` post twelve posts each, one an hour,
    each reposted by members t0, t1 and a third in turn (t0 and t1 tied to both),
    and ``public(k)`` accounts of a public of 40 repost ``other``'s k-th post too.
    Returns the team, the edges and the group of all fourteen."""
    team, edges = _team(12)
    rows: list[dict] = []
    for k in range(12):
        for author in ("lead", other):
            rows.append(post(f"{author}{k}", author, 3_600.0 * k))
            for member in (team[0], team[1], team[2 + k % 10]):
                _repost(rows, member, f"{author}{k}", author, 3_600.0 * k + 1_800)
        for i in range(public(k)):
            _repost(rows, f"public{(public(k) * k + i) % 40}", f"{other}{k}", other,
                    3_600.0 * k + 2_000)
    insert(con, rows)
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)",
                    [[m, a] for m in team[:2] for a in ("lead", other)])
    _run_tables(con)
    edges += [_edge(m, a, STRONG, AMPLIFICATION) for m in team[:2] for a in ("lead", other)]
    group = firm_group([*team, "lead", other], edges_by_pair(edges), TIES)
    assert group is not None and {"lead", other} <= set(group.members)
    return team, edges, group


def test_a_seed_account_reposted_by_few_members_each_stays(con):
    # a slow drip: "lead" posts 12 seeds, each reposted by three of a twelve-account
    # team in turn, so only two members repost it often enough for a tie (less than the
    # operator's share of the team). Nobody else reposts the seeds: the group pushes
    # lead's posts, and lead is its own, not a target. "person" is amplified the same
    # way, but the public reposts its posts as much as the team: a target
    team, edges, group = _lead_and_other(con, "person", lambda k: 6)
    [kept], targets, _, _ = _without_targets(con, [group], edges, edges_by_pair(edges),
                                             TIES)
    assert targets == 1 and kept.members == sorted([*team, "lead"])


def test_people_a_few_members_push_are_targets_in_a_larger_group(con):
    # Leiden can merge teams: four batching accounts (t20..t23) sit in one group with a
    # twenty-account team. Their community's people (v0..v2), whose posts only those
    # four repost, are pushed by a sixth of the group, not by a good part of it: targets
    team, edges = _team(24)
    batchers = team[20:]
    rows: list[dict] = []
    for v in ("v0", "v1", "v2"):
        for k in range(5):
            rows.append(post(f"{v}-{k}", v, 3_600.0 * k))
            for member in batchers:
                _repost(rows, member, f"{v}-{k}", v, 3_600.0 * k + 900)
    insert(con, rows)
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)",
                    [[m, v] for m in batchers for v in ("v0", "v1", "v2")])
    _run_tables(con)
    edges += [_edge(m, v, STRONG, AMPLIFICATION) for m in batchers for v in ("v0", "v1", "v2")]
    group = firm_group([*team, "v0", "v1", "v2"], edges_by_pair(edges), TIES)
    assert group is not None and {"v0", "v1", "v2"} <= set(group.members)
    [kept], targets, _, _ = _without_targets(con, [group], edges, edges_by_pair(edges),
                                             TIES)
    assert targets == 3 and kept.members == sorted(team)


def test_a_popular_account_a_few_of_whose_posts_only_the_team_reposts_is_a_target(con):
    # a camouflaged team reposts popular people as the public does: most of star's
    # posts are reposted by the public and by three members each, a few by the members
    # alone. The group pushes those few, but most of star's reposts are the public's:
    # a target, not the team's own. lead's posts only the team reposts: its own
    team, edges, group = _lead_and_other(con, "star", lambda k: 10 if k < 8 else 0)
    [kept], targets, _, _ = _without_targets(con, [group], edges, edges_by_pair(edges),
                                             TIES)
    assert targets == 1 and kept.members == sorted([*team, "lead"])


def test_unfound_members_are_attached_by_seeds_a_ring_s_public_posts_would_drown(con):
    # a six-account team runs a ring (100 posts, each reposted by the other members and
    # six of a public of 200) and a slow drip: 20 seeds, each reposted by the other
    # members and three of six members not found yet (u0..u5, ten seeds each, among
    # a hundred reposts of the public). Counted with the ring's posts, the public's
    # 600 reposts of them set the rate and ten seeds are nothing; by reach, the seeds
    # that nobody but the team reposts are tested on their own
    team, _ = _team()
    unfound = [f"u{i}" for i in range(6)]
    rows: list[dict] = []
    for k in range(100):
        author = team[k % 6]
        rows.append(post(f"ring{k}", author, 600.0 * k))
        for reposter in [m for m in team if m != author]:
            _repost(rows, reposter, f"ring{k}", author, 600.0 * k + 60)
        for i in range(6):
            _repost(rows, f"public{(6 * k + i) % 200}", f"ring{k}", author, 600.0 * k + 300)
    for k in range(20):
        author = team[k % 6]
        rows.append(post(f"seed{k}", author, 3_000.0 * k + 7))
        for reposter in [*(m for m in team if m != author), *(unfound[(k + j) % 6]
                                                             for j in range(3))]:
            _repost(rows, reposter, f"seed{k}", author, 3_000.0 * k + 900)
    for i in range(200):
        rows.append(post(f"own{i}", f"public{i}", 50.0 * i))
        for j in range(1, 40):
            _repost(rows, f"public{(i + j) % 200}", f"own{i}", f"public{i}", 50.0 * i + 60 * j)
    for n, account in enumerate(unfound):
        for j in range(100):
            i = (37 * n + 11 * j) % 200
            _repost(rows, account, f"own{i}", f"public{i}", 50.0 * i + 30)
    insert(con, rows)
    amplification_edges(con, 0.01)
    group = Group("", list(team), 1.0, 1e-6, [], BASE, BASE)
    _, _, attached, _ = _attach(con, [group], DetectParams())
    assert attached == 6 and group.members == sorted([*team, *unfound])
