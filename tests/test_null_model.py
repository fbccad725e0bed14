"""The null model's activity classes: heavy accounts spend their actions on other keys
than light ones (each joins a crowd event once, whatever its activity), so two heavy
accounts meet on moderately popular posts more often than the population's shares
predict. The null model takes each account's expected actions per popularity stratum
from the median of its activity class; a team among the heaviest accounts must still
be found."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sockscope import api
from sockscope.detect.significance import activity_classes, class_boosts

from .posts_factory import insert, post

DAY = 86_400


def _world(con, seed: int = 4) -> set[str]:
    """1,500 accounts over 60 days. Each picks posts to repost by their popularity
    (Pareto weights over 6,000 posts; lognormal activity, the heaviest 800 picks), and
    joins crowd events (250 posts reposted by about a third of everyone within
    minutes) at most once each, almost regardless of activity. Fifteen of the heaviest
    accounts are a team that also reposts its own 30 posts, each by about half of the
    team, hours apart. Returns the team."""
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
    for seed_post in range(30):
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


@given(st.lists(st.integers(1, 5_000), min_size=1, max_size=600),
       st.integers(1, 60))
def test_activity_classes_pool_thin_classes_and_keep_the_order(activity, min_class):
    activity = np.array(activity, dtype=np.float64)
    reference = np.ones(len(activity), dtype=bool)
    classes = activity_classes(activity, reference, min_class)
    order = np.argsort(activity, kind="stable")
    assert (np.diff(classes[order]) >= 0).all()  # heavier, never a lighter class
    _, counts = np.unique(classes, return_counts=True)
    assert len(counts) == 1 or (counts >= min_class).all()


def test_a_class_boost_is_its_median_share_over_the_population_share():
    activity = np.array([10, 10, 10, 100, 100, 100], dtype=np.float64)
    classes = np.array([0, 0, 0, 1, 1, 1])
    reference = np.array([True, True, True, True, True, False])
    # the cell: light accounts put 1 of 10 actions there, heavy ones 40 of 100; the
    # sixth account (not in the reference) put all 100
    boosts = class_boosts(activity, classes, reference, np.arange(6),
                          np.array([1, 1, 1, 40, 40, 100], dtype=np.float64))
    assert boosts == {}  # both medians (0.1, 0.4) below the population's 183 / 330
    boosts = class_boosts(activity, classes, reference, np.arange(5),
                          np.array([1, 1, 1, 40, 40], dtype=np.float64))
    population = 83 / 330
    assert set(boosts) == {1} and abs(boosts[1] - 0.4 / population) < 1e-12
