"""Crowd events in the null model: two news junkies who share every breaking link, each
in its own time within the hour, are not a team; ten accounts pushing their links
within seconds are."""

from __future__ import annotations

import numpy as np

from sockscope import api

from .posts_factory import insert, post

PEOPLE = 400
EVENTS = 120
NICHE = 200  # links of their own per account: most of what everyone shares
HOUR = 3_600


def _world(con) -> None:
    rng = np.random.default_rng(11)
    rows: list[dict] = []
    people = [f"p{i}" for i in range(PEOPLE)]
    for account in people:
        for k in range(NICHE):
            rows.append(post(f"{account}-n{k}", account, float(rng.uniform(0, 60 * 24 * HOUR)),
                             urls=[f"https://blog{rng.integers(10**6)}.example/{account}/{k}"]))
    # breaking news: every event draws a fifth of the people, and both junkies, each
    # sharing at their own moment within the hour after the news breaks
    for event in range(EVENTS):
        start = event * 12 * HOUR
        crowd = [p for p in people[2:] if rng.random() < 0.2] + people[:2]
        for account in crowd:
            rows.append(post(f"{account}-e{event}", account, start + float(rng.uniform(0, HOUR)),
                             urls=[f"https://news.example/breaking/{event}"]))
    # a team: ten accounts with lives of their own who push thirty links within seconds
    team = [f"t{i}" for i in range(10)]
    for account in team:
        for k in range(NICHE):
            rows.append(post(f"{account}-n{k}", account, float(rng.uniform(0, 60 * 24 * HOUR)),
                             urls=[f"https://blog{rng.integers(10**6)}.example/{account}/{k}"]))
    for push in range(30):
        start = push * 40 * HOUR + 7 * HOUR
        for account in team:
            rows.append(post(f"{account}-push{push}", account, start + float(rng.uniform(0, 20)),
                             urls=[f"https://pushed.example/story/{push}"]))
    insert(con, rows)


def test_junkies_on_crowd_events_are_not_a_team_and_a_burst_team_is(con):
    _world(con)
    detection = api.detect(connection=con, traces=["co-url"], operators=False,
                           persona=False, amplification=False)
    flagged = set(detection.membership)
    assert not {"p0", "p1"} & flagged  # the junkies
    assert {f"t{i}" for i in range(10)} <= flagged
    assert not any(a.startswith("p") for a in flagged)
