"""Session attachment: an account that joined most of a group's sessions joins the group;
a player of the same games at other hours, or a heavy player at random hours, does not."""

from __future__ import annotations

import itertools
import math
import sys
from datetime import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from sockscope.detect.pipeline import EVIDENCE_DDL
from sockscope.detect.scratch import Scratch
from sockscope.detect.sessions import joined_at_least, session_attachment
from sockscope.model.detection import Edge, Group

from .posts_factory import BASE, insert, post

DAY = 86_400
GAMES = 12
CORE = [f"t{i}" for i in range(8)]
WINDOW = {"co-hashtag": 300}


def _game_world(con) -> None:
    """Twelve daily hashtag games, each played by 90 of 300 people over eight hours. A
    team's core plays each game within 40 minutes at an hour of the day's own; ``late``
    joins 9 of those sessions; ``offhours`` plays every game five hours after the
    team; ``heavy`` plays every game at a random hour and posts much else."""
    rng = np.random.default_rng(7)
    rows: list[dict] = []
    evidence: list[tuple] = []

    def add(account: str, seconds: float, tag: str) -> tuple[str, float]:
        post_id = f"{account}-{len(rows)}"
        rows.append(post(post_id, account, seconds, hashtags=[tag]))
        return post_id, seconds

    public = [f"p{i:03d}" for i in range(300)]
    for account in [*public, "heavy", "late", "offhours", *CORE]:
        for _ in range(60 if account == "heavy" else 5):
            add(account, float(rng.uniform(0, GAMES * DAY)), f"misc{rng.integers(400)}")
    for day in range(GAMES):
        tag, start = f"game{day}", day * DAY
        session = start + float(rng.uniform(3_600, 18_000))
        for account in rng.choice(public, size=90, replace=False):
            add(str(account), start + float(rng.uniform(0, 28_800)), tag)
        add("heavy", start + float(rng.uniform(0, 28_800)), tag)
        add("offhours", session + 18_000, tag)
        if day % 4:  # 9 of the 12 sessions
            add("late", session + float(rng.uniform(0, 2_400)), tag)
        core = [(m, *add(m, session + float(rng.uniform(0, 2_400)), tag)) for m in CORE]
        for (a, post_a, t_a), (b, post_b, t_b) in itertools.combinations(core, 2):
            evidence.append(("co-hashtag", a, b, tag, post_a, post_b,
                             _epoch(t_a), _epoch(t_b), abs(t_a - t_b)))
    insert(con, rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE evidence {EVIDENCE_DDL}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE candidate_evidence {EVIDENCE_DDL}")
    con.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", evidence)


def _epoch(seconds: float) -> float:
    return (BASE - datetime(1970, 1, 1)).total_seconds() + seconds


def _core(window_s: int | None) -> tuple[list[Group], list[Edge]]:
    edges = [Edge(a, b, "co-hashtag", GAMES, 1.0, 1e-9, 1e-6, 0.0, 0.0, 0.0, 0.0, (),
                  window_s) for a, b in itertools.combinations(CORE, 2)]
    group = Group("G1", list(CORE), 1.0, 1e-6, [], BASE, BASE)
    return [group], edges


def test_a_member_who_joined_most_sessions_is_attached_with_its_evidence(con):
    _game_world(con)
    groups, edges = _core(7_200)
    with Scratch(con) as scratch:
        found = session_attachment(scratch, groups, edges, ["co-hashtag"], WINDOW, 0.01,
                                   "candidate_evidence")
    assert found.joined == {0: ["late"]}  # not the other-hours or the random-hours player
    # (group, trace, outside account active in the trace): every one counted
    assert found.hypotheses == 303
    assert found.edges and {e.behaviour for e in found.edges} == {"co-hashtag"}
    assert all("late" in (e.account_a, e.account_b) for e in found.edges)
    assert all(e.q_value <= 0.01 for e in found.edges)
    # one tie per session joined, to the member nearest in time, with both posts
    rows = con.execute("SELECT account_a, account_b, key, dt_s FROM candidate_evidence"
                       ).fetchall()
    keys = [key for *_, key, _ in rows]
    assert len(keys) == len(set(keys)) >= 6  # late's time may fall outside a core's span
    assert set(keys) <= {f"game{d}" for d in range(GAMES) if d % 4}
    assert sum(e.shared_keys for e in found.edges) == len(rows)
    assert all(dt <= 2_400 for *_, dt in rows)


def test_window_free_ties_give_no_sessions(con):
    # the same core tied only by window-free evidence (rare items, any time) says what
    # the team shares, not when it works: nothing to join
    _game_world(con)
    groups, edges = _core(None)
    with Scratch(con) as scratch:
        found = session_attachment(scratch, groups, edges, ["co-hashtag"], WINDOW, 0.01,
                                   "candidate_evidence")
    assert found.joined == {} and found.edges == [] and found.hypotheses == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=9), st.integers(0, 10))
def test_joined_at_least_is_the_poisson_binomial_tail(chances, count):
    exact = sum(math.prod(c if joined else 1 - c
                          for c, joined in zip(chances, outcome, strict=True))
                for outcome in itertools.product([0, 1], repeat=len(chances))
                if sum(outcome) >= count)
    tail = joined_at_least(count, np.array(chances))
    assert math.isclose(tail, min(exact, 1.0), rel_tol=1e-9, abs_tol=1e-12)
    # above the mean plus one, the Poisson tail of the same mean is never smaller (what
    # makes it the conservative stand-in for many sessions)
    if count >= sum(chances) + 1:
        assert tail <= poisson.sf(count - 1, sum(chances)) + 1e-12


def test_the_sessions_joined_are_not_counted_as_the_accounts_own_activity(con, monkeypatch):
    # two accounts post five other hashtags each; one joins ten of the team's twelve
    # sessions, the other four. What is tested is the sessions joined, so they must not
    # count as activity too: both are given the average account's chance of each session
    # (counted, the first would be expected in 1.7 times as many), and the first is
    # attached
    _game_world(con)
    times = dict(con.execute("SELECT key, min(least(time_a, time_b)) FROM evidence "
                             "GROUP BY 1").fetchall())
    rows = [post(f"{account}-misc{i}", account, 600.0 * i, hashtags=[f"misc{i}"])
            for account in ("devoted", "dabbler") for i in range(5)]
    for day in range(GAMES):
        seconds = times[f"game{day}"] - _epoch(0.0) + 60.0
        if day < 10:
            rows.append(post(f"devoted-{day}", "devoted", seconds, hashtags=[f"game{day}"]))
        if day < 4:
            rows.append(post(f"dabbler-{day}", "dabbler", seconds, hashtags=[f"game{day}"]))
    insert(con, rows)
    sessions = sys.modules["sockscope.detect.sessions"]
    tests: dict[str, object] = {}
    attach = sessions._attach

    def spy(con, found_tests, *rest):
        tests.update((test.account, test) for test in found_tests)
        return attach(con, found_tests, *rest)

    monkeypatch.setattr(sessions, "_attach", spy)
    groups, edges = _core(7_200)
    with Scratch(con) as scratch:
        found = session_attachment(scratch, groups, edges, ["co-hashtag"], WINDOW, 0.01,
                                   "candidate_evidence")
    devoted, dabbler = tests["devoted"], tests["dabbler"]
    assert (devoted.sessions_joined, dabbler.sessions_joined) == (10, 4)
    assert np.array_equal(devoted.chances, dabbler.chances)
    assert devoted.expected == dabbler.expected < 12
    assert "devoted" in found.joined[0]


def test_an_account_that_posted_the_games_tag_earlier_still_joined_the_session(con):
    # a player posts each game's tag three hours before the team, then again with it:
    # its first action on the key is outside the session, but it was there
    _game_world(con)
    times = dict(con.execute("SELECT key, min(least(time_a, time_b)) FROM evidence "
                             "GROUP BY 1").fetchall())
    rows = []
    for day in range(GAMES):
        seconds = times[f"game{day}"] - _epoch(0.0)
        rows.append(post(f"early-{day}-a", "early", seconds - 10_800,
                         hashtags=[f"game{day}"]))
        if day < 9:
            rows.append(post(f"early-{day}-b", "early", seconds + 60.0,
                             hashtags=[f"game{day}"]))
    insert(con, rows)
    groups, edges = _core(7_200)
    with Scratch(con) as scratch:
        found = session_attachment(scratch, groups, edges, ["co-hashtag"], WINDOW, 0.01,
                                   "candidate_evidence")
    assert "early" in found.joined[0]
    # its evidence is the post inside each session, one per session, not the early one
    posts = [row[0] for row in con.execute(
        "SELECT CASE WHEN account_a = 'early' THEN post_a ELSE post_b END "
        "FROM candidate_evidence WHERE 'early' IN (account_a, account_b)").fetchall()]
    assert sorted(posts) == sorted(f"early-{day}-b" for day in range(9))
