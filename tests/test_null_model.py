"""The null model's activity curve: heavy accounts spend their actions on other keys
than light ones (each joins a crowd event once, whatever its activity), so two heavy
accounts meet on moderately popular posts more often than the population's shares
predict. The null model takes each account's expected actions per popularity stratum
from a curve through the median shares of the octaves of activity; a team among the
heaviest accounts must still be found."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sockscope import api
from sockscope.detect.significance import activity_classes, class_boosts, share_curve

from .posts_factory import insert, post

DAY = 86_400


def _world(con, seed: int = 4) -> set[str]:
    """1,500 accounts over 60 days. Each picks posts to repost by their popularity
    (Pareto weights over 6,000 posts; lognormal activity, the heaviest 800 picks), and
    joins crowd events (250 posts reposted by about a third of everyone within
    minutes) at most once each, almost regardless of activity. Fifteen of the heaviest
    accounts are a team that also reposts its own 45 posts, each by about half of the
    team, hours apart. Returns the team.

    (With 30 posts the team sat at a cliff: its pairs shared 2-7 posts, a dozen edges
    made a group that then attached the rest by amplification, and a 2.5 % rise in the
    heavy accounts' expected share decided between 14 members found and none. 45 posts
    leave it clear of the edge under every version of the null model.)"""
    rng = np.random.default_rng(seed)
    n, days, posts = 1_500, 60, 6_000
    names = [f"a{i:04d}" for i in range(n)]
    activity = np.minimum(rng.lognormal(np.log(40), 0.8, n), 800)
    members = np.argsort(-activity)[10:25]
    authors = rng.choice(n, posts)
    popularity = rng.pareto(1.2, posts) + 1
    born = rng.uniform(0, days * DAY, posts)
    rows = [post(f"o{k}", names[a], float(born[k])) for k, a in enumerate(authors)]
    for i in range(n):
        for k in rng.choice(posts, size=int(activity[i]), p=popularity / popularity.sum()):
            rows.append(post(f"r{len(rows)}", names[i],
                             float(born[k] + rng.lognormal(np.log(3_600), 1.5)),
                             kind="repost", repost_of_post=f"o{k}",
                             repost_of_account=names[authors[k]]))
    joins = 0.5 * (activity / activity.max()) ** 0.2
    for event in range(250):
        start = float(rng.uniform(0, days * DAY))
        rows.append(post(f"v{event}", "star", start))
        for i in np.flatnonzero(rng.random(n) < joins):
            rows.append(post(f"v{event}-{i}", names[i], start + float(rng.exponential(900)),
                             kind="repost", repost_of_post=f"v{event}",
                             repost_of_account="star"))
    for seed_post in range(45):
        start = float(rng.uniform(0, days * DAY))
        lead = members[seed_post % len(members)]
        rows.append(post(f"t{seed_post}", names[lead], start))
        for i in members[rng.random(len(members)) < 0.5]:
            if i != lead:
                rows.append(post(f"t{seed_post}-{i}", names[i],
                                 start + float(rng.uniform(600, 8 * 3_600)), kind="repost",
                                 repost_of_post=f"t{seed_post}",
                                 repost_of_account=names[lead]))
    insert(con, rows)
    return {names[i] for i in members}


def test_heavy_accounts_meeting_on_popular_posts_by_chance_are_not_flagged(con):
    team = _world(con)
    detection = api.detect(connection=con, operators=False)
    flagged = set(detection.membership)
    # with the population's shares, five heavy organic accounts were flagged here
    assert flagged - team == set()
    assert flagged >= team


@given(st.lists(st.integers(1, 50_000), min_size=1, max_size=600))
def test_activity_classes_keep_the_order_four_to_an_octave(posts):
    posts = np.array(posts, dtype=np.float64)
    classes = activity_classes(posts)
    order = np.argsort(posts, kind="stable")
    assert (np.diff(classes[order]) >= 0).all()  # heavier, never a lighter class
    doubled = activity_classes(2 * posts)
    assert (doubled - classes == 4).all()  # an octave is four classes


def _cell(posts: np.ndarray, share: np.ndarray):
    """Trace actions equal to posts; each account's actions in the cell at ``share``."""
    activity = posts.astype(np.float64)
    return activity, np.arange(len(posts)), activity * share


def test_the_curve_reaches_the_heaviest_accounts_where_their_octave_is_too_thin():
    # 40 accounts in each of the octaves 2^5 .. 2^8, whose share of the cell grows by
    # 0.05 an octave (0.10 .. 0.25), and 3 accounts at 2^11, too few for a median
    posts = np.repeat([32.0, 64.0, 128.0, 256.0, 2048.0], [40, 40, 40, 40, 3])
    share = np.repeat([0.10, 0.15, 0.20, 0.25, 0.40], [40, 40, 40, 40, 3])
    activity, account, actions = _cell(posts, share)
    reference = np.ones(len(posts), dtype=bool)
    boosts = class_boosts(activity, posts, reference, account, actions, min_octave=30)
    population = actions.sum() / activity.sum()
    heaviest = int(activity_classes(np.array([2048.0]))[0])
    # beyond 2^8 along the slope of the last three points (0.05 an octave), read at
    # 2^11 (its class's middle is beyond the heaviest account measured): 0.40
    assert boosts[heaviest] == pytest.approx(0.40 / population)
    lightest = int(activity_classes(np.array([32.0]))[0])
    assert lightest not in boosts  # 0.10 is below the population's share
    # without them in the reference the curve is read no further than 2^8: 0.25, below
    # the population's share (0.259), so no boost
    reference[-3:] = False
    assert 0.25 < population < 0.26
    assert heaviest not in class_boosts(activity, posts, reference, account, actions,
                                        min_octave=30)


def test_the_curve_keeps_each_measured_octave_s_median():
    # a share that rises, then falls (as the hashtag-sequence trace's does): a straight
    # line through the octaves would put the middle octaves under their own medians
    posts = np.repeat([32.0, 64.0, 128.0, 256.0, 512.0], 40)
    share = np.repeat([0.05, 0.20, 0.19, 0.16, 0.09], 40)
    curve = share_curve(posts, share, np.ones(len(posts), dtype=bool), min_octave=30)
    assert [curve.at(x) for x in (5, 6, 7, 8, 9)] == pytest.approx(
        [0.05, 0.20, 0.19, 0.16, 0.09])
    assert curve.at(6.5) == pytest.approx(0.195)  # between two octaves, on the line
    assert curve.at(4.0) == pytest.approx(0.05)  # flat below the lightest octave
    assert curve.at(9.5) == pytest.approx(0.09)  # no account heavier than 2^9 measured


def test_a_team_that_is_a_minority_of_its_octave_does_not_move_the_curve():
    posts = np.repeat([32.0, 64.0, 128.0, 256.0], 40)
    share = np.repeat([0.10, 0.15, 0.20, 0.25], 40)
    reference = np.ones(len(posts), dtype=bool)

    def points():
        curve = share_curve(posts, share, reference, min_octave=30)
        return list(curve.xs), list(curve.ys), curve.tail

    before = points()
    assert before == ([5.0, 6.0, 7.0, 8.0], [0.10, 0.15, 0.20, 0.25], pytest.approx(0.05))
    share[120:135] = 1.0  # 15 of the 40 at 2^8 put all their actions in the cell
    assert points() == before
    share[120:141] = 1.0  # 21 of 40: a majority moves its octave's median
    assert points() != before


def test_no_curve_without_an_octave_of_enough_accounts():
    posts = np.repeat([32.0, 64.0], [29, 29])
    share = np.repeat([0.10, 0.90], [29, 29])
    activity, account, actions = _cell(posts, share)
    assert class_boosts(activity, posts, np.ones(58, dtype=bool), account, actions,
                        min_octave=30) == {}
