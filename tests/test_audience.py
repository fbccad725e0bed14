"""Audiences: a fan base tied to its idol by amplification alone (no co-action edge,
because the fans repost at the crowd's pace) is an audience, not a desk; a desk that
amplifies its own persona account the same way stays flagged."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from sockscope import api
from sockscope.detect.amplification import amplified_only
from sockscope.model.detection import AMPLIFICATION, Edge

from .posts_factory import insert, post

IDOL_POSTS = 40
FANS = 30
PUBLIC = 400
DESK = 15
HOUR = 3_600


def _repost(account: str, target: str, at: float, **fields) -> dict:
    """``account``'s repost of post ``target`` (``<author>-<k>``), ``at`` seconds in."""
    return post(f"rt-{account}-{target}", account, at, kind="repost", text="RT",
                repost_of_post=target, repost_of_account=target.rsplit("-", 1)[0], **fields)


def _world(con) -> None:
    """An idol with 2 M followers, 30 fans who each repost about 60 % of its posts at
    the crowd's pace (hours), 400 people who repost one another and the idol now and
    then (about 60 amplifiers per idol post), and a 15-account desk (made in one week,
    one handle template, one app) that reposts its persona account's posts the same
    way."""
    rng = np.random.default_rng(7)
    rows: list[dict] = []
    accounts = []
    public = [f"p{i}" for i in range(PUBLIC)]
    fans = [f"fan{i}" for i in range(FANS)]
    desk = [f"Nora{48211903 + i * 7919}" for i in range(DESK)]
    clients = ["Twitter for iPhone", "Twitter for Android", "Twitter Web App", "TweetDeck"]
    for i, account in enumerate(public + fans):
        accounts.append((account, f"{['kate', 'omar', 'lin', 'sven'][i % 4]}_{i}",
                         datetime(2010, 1, 1) + timedelta(days=int(rng.integers(0, 4_000))),
                         int(rng.integers(20, 2_000))))
    accounts.append(("idol", "idol", datetime(2011, 5, 1), 2_000_000))
    accounts.append(("persona", "persona", datetime(2023, 5, 1), 3_000))
    for i, account in enumerate(desk):
        accounts.append((account, account, datetime(2023, 5, 2) + timedelta(days=i % 6), 40))

    def client(account: str) -> str:
        return "Hootsuite" if account in desk else clients[sum(map(ord, account)) % 4]

    for author in ("idol", "persona"):
        for k in range(IDOL_POSTS):
            rows.append(post(f"{author}-{k}", author, k * 12 * HOUR + 9 * HOUR,
                             text=f"{author} says thing {k}", client=client(author)))
    # the public's own posts, reposted by the public
    for account in public:
        for k in range(6):
            rows.append(post(f"{account}-{k}", account, float(rng.uniform(0, 20 * 24 * HOUR)),
                             text=f"post {k} of {account}", client=client(account)))

    def repost(account: str, target: str, at: float) -> None:
        rows.append(_repost(account, target, at, client=client(account)))

    for account in public:
        for target in rng.choice(len(public) * 6, size=30, replace=False):
            author = public[target // 6]
            if author != account:
                repost(account, f"{author}-{target % 6}",
                       float(rng.uniform(0, 20 * 24 * HOUR)))
        for k in rng.choice(IDOL_POSTS, size=6, replace=False):  # the crowd, now and then
            repost(account, f"idol-{k}",
                   k * 12 * HOUR + 9 * HOUR + float(rng.uniform(60, 6 * HOUR)))
    for followers, author in ((fans, "idol"), (desk, "persona")):
        for account in followers:
            for k in np.flatnonzero(rng.random(IDOL_POSTS) < 0.6):
                # at the crowd's pace: nothing ties two of them within minutes
                repost(account, f"{author}-{k}",
                       k * 12 * HOUR + 9 * HOUR + float(rng.uniform(60, 6 * HOUR)))
    insert(con, rows)
    con.executemany(
        "INSERT INTO accounts (platform, account_id, handle, created_at, followers, "
        "has_profile) VALUES ('x', ?, ?, ?, ?, true)", accounts)


@pytest.fixture
def detection(con):
    _world(con)
    return api.detect(connection=con, operators=False)


def test_a_star_of_fans_around_a_celebrity_is_an_audience(detection):
    fans = {f"fan{i}" for i in range(FANS)}
    flagged = set(detection.membership)
    assert not fans & flagged
    # the star is made of amplification ties only: no co-action between two fans
    assert not [e for e in detection.edges if e.account_a in fans and e.account_b in fans]
    audience = next(a for a in detection.audiences if a.author == "idol")
    members = set(audience.group.members) - {"idol"}
    assert members <= fans and len(members) >= 10
    assert audience.focus == 1.0 and audience.reason == "exclusivity"
    assert audience.members_among_them <= FANS + 1 < audience.amplifiers


def test_a_desk_amplifying_its_own_persona_stays_flagged(detection):
    desk = {f"Nora{48211903 + i * 7919}" for i in range(DESK)}
    groups = [g for g in detection.groups if desk & set(g.members)]
    assert len(groups) == 1
    assert desk <= set(groups[0].members)
    assert "persona" in groups[0].members  # amplified by the whole desk: the operator's own
    assert not [a for a in detection.audiences if a.author == "persona"]


def _team_and_amplified(con, team_size: int, amplified: int) -> tuple[list[str], list[Edge]]:
    """A team tied by co-reposts, each member amplifying each of ``amplified`` accounts
    (five reposts of each) that do nothing with the team: the members, and the edges."""
    team = [f"t{i:02d}" for i in range(team_size)]
    pushed = [f"x{i:02d}" for i in range(amplified)]
    # the members' ties to them, significant in that direction (amplification_edges)
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)",
                    [[m, x] for m in team for x in pushed])

    def edge(a: str, b: str, behaviour: str) -> Edge:
        a, b = sorted((a, b))
        return Edge(a, b, behaviour, 5, 1.0, 1e-9, 1e-6, 0.0, 0.0, 0.0, 0.0)

    edges = [edge(a, b, "co-repost") for i, a in enumerate(team) for b in team[i + 1:]]
    edges += [edge(m, x, AMPLIFICATION) for m in team for x in pushed]
    return team + pushed, edges


def test_a_team_amplifying_a_community_keeps_none_of_it(con):
    # twenty people amplified by every member of a twelve-account team: more accounts
    # the team only amplifies than members acting with it, so a community it works,
    # not accounts of its own (each would pass the operator's share on its own)
    members, edges = _team_and_amplified(con, team_size=12, amplified=20)
    assert amplified_only(con, members, edges) == [f"x{i:02d}" for i in range(20)]


def test_a_target_reposting_the_team_now_and_then_is_still_a_target(con):
    # x00 reposted one of the trolls three times: a person reposting a troll who poses
    # in their community, as the troll wants, not beyond chance (no significant tie in
    # that direction), so it does nothing with the team and stays a target
    members, edges = _team_and_amplified(con, team_size=12, amplified=20)
    con.execute("CREATE OR REPLACE TEMP TABLE amplified AS "
                "SELECT account_id, author, 5 AS c FROM amplifying "
                "UNION ALL SELECT 'x00', 't00', 3")
    assert "x00" in amplified_only(con, members, edges)
    # a tie beyond chance the other way is taking part: x00 is no target then
    con.execute("INSERT INTO amplifying VALUES ('x00', 't00')")
    assert "x00" not in amplified_only(con, members, edges)


def test_a_team_amplifying_a_few_accounts_of_its_own_keeps_them(con):
    members, edges = _team_and_amplified(con, team_size=12, amplified=3)
    assert amplified_only(con, members, edges) == []


def test_people_a_team_amplifies_stay_targets_when_they_share_links_among_themselves(con):
    # the community a team works shares news among itself: co-url ties between two of
    # its people (x00, x01), or to a neighbour the team never amplifies, tied to nothing
    # else in the group (y, to x02; z, to x03 and x04). None of that is acting with the
    # team; x05, who shares links with a member, does act with it
    members, edges = _team_and_amplified(con, team_size=12, amplified=20)

    def edge(a: str, b: str) -> Edge:
        a, b = sorted((a, b))
        return Edge(a, b, "co-url", 5, 1.0, 1e-9, 1e-6, 0.0, 0.0, 0.0, 0.0)

    edges += [edge("x00", "x01"), edge("x02", "y"), edge("x03", "z"), edge("x04", "z"),
              edge("x05", "t05")]
    targets = amplified_only(con, [*members, "y", "z"], edges)
    assert targets == [f"x{i:02d}" for i in range(20) if i != 5]


def test_a_team_a_lone_booster_amplifies_is_no_target(con):
    # a co-reposting team, amplifying nobody, whose every member one booster account
    # amplifies: the team acts together, the booster shares nothing else with it, so
    # nobody here is a target (read as the people a team amplifies, the whole team
    # would go)
    team = [f"t{i:02d}" for i in range(12)]
    con.execute("CREATE OR REPLACE TEMP TABLE amplifying (account_id VARCHAR, author VARCHAR)")
    con.executemany("INSERT INTO amplifying VALUES (?, ?)", [["booster", m] for m in team])

    def edge(a: str, b: str, behaviour: str) -> Edge:
        a, b = sorted((a, b))
        return Edge(a, b, behaviour, 5, 1.0, 1e-9, 1e-6, 0.0, 0.0, 0.0, 0.0)

    edges = [edge(a, b, "co-repost") for i, a in enumerate(team) for b in team[i + 1:]]
    edges += [edge("booster", m, AMPLIFICATION) for m in team]
    assert amplified_only(con, [*team, "booster"], edges) == []


def _drip(con, people: int, reposts: int, seeds: int, light_seeds: int
          ) -> tuple[set[str], list[str]]:
    """A slow drip: the operator posts ``seeds`` times, 12 heavy members repost three
    quarters of them and 60 light ones ``light_seeds`` each, 1-8 hours after it, and
    nobody else reposts them; ``people`` people repost one another, ``reposts`` each.
    Returns the drip's accounts (the operator's included) and the people."""
    rng = np.random.default_rng(11)
    public = [f"p{i:04d}" for i in range(people)]
    heavy = [f"h{i:02d}" for i in range(12)]
    light = [f"l{i:02d}" for i in range(60)]
    rows = [post(f"op-{k}", "op", k * 6 * HOUR, text=f"seed {k}") for k in range(seeds)]
    for account in public:
        for k in range(4):
            rows.append(post(f"{account}-{k}", account, float(rng.uniform(0, 20 * 24 * HOUR)),
                             text=f"post {k} of {account}"))

    def repost(account: str, target: str, at: float) -> None:
        rows.append(_repost(account, target, at))

    for account in public:
        for target in rng.choice(len(public) * 4, size=reposts, replace=False):
            author = public[target // 4]
            if author != account:
                repost(account, f"{author}-{target % 4}", float(rng.uniform(0, 20 * 24 * HOUR)))
    for accounts, share in ((heavy, seeds * 3 // 4), (light, light_seeds)):
        for account in accounts:
            for k in rng.choice(seeds, size=share, replace=False):
                repost(account, f"op-{k}", k * 6 * HOUR + float(rng.uniform(HOUR, 8 * HOUR)))
    insert(con, rows)
    return {"op", *heavy, *light}, public


def test_a_slow_drip_split_over_several_groups_is_no_audience(con):
    # The co-reposts within hours split the drip into four groups, each a quarter of
    # the operator's amplifiers: the rest of them are the other groups, not a public
    drip, public = _drip(con, people=300, reposts=20, seeds=40, light_seeds=10)
    detection = api.detect(connection=con, operators=False)
    assert len({detection.membership[m] for m in drip}) > 1
    assert drip <= set(detection.membership)
    assert not set(detection.membership) & set(public)
    assert not [a for a in detection.audiences if a.author == "op"]


def test_a_slow_drip_whose_other_members_are_in_no_group_is_no_audience(con):
    # Light members repost 5 of 100 seeds each: too few for a pair test among 4,000
    # people, so they are in no group, and the core found is a small part of the
    # operator's amplifiers. They are no public: the attachment tests add them to the
    # core's group (their reposts of the seeds far beyond chance), so the core stays
    drip, public = _drip(con, people=4000, reposts=2, seeds=100, light_seeds=5)
    detection = api.detect(connection=con, operators=False)
    [group] = detection.groups
    assert set(group.members) == drip
    assert not [a for a in detection.audiences if a.author == "op"]
    assert any("attached to groups whose own posts" in note for note in detection.notes)
