"""Feed desks: accounts posting headlines on clocks of their own, in one layout, under one
profile template, are one group although they share no minute, link or text; real
outlets on their own clocks (one of them in the desk's layout) and people posting links
at any minute are not."""

from __future__ import annotations

import numpy as np
import pytest

from sockscope import api
from sockscope.detect.feeds import clocked_accounts, find_desks, profile_words
from sockscope.model.detection import SCHEDULE

from .posts_factory import insert, post

HOUR = 3_600
DAYS = 6
DESK = 12
CITIES = ["Dallas", "Boston", "Denver", "Tulsa", "Omaha", "Fresno", "Tampa", "Reno", "Akron",
          "Boise", "Mesa", "Provo"]
OUTLETS = ["DenverHerald", "TheTulsaTimes", "OmahaGazette"]
PEOPLE = 150


def _world(con, *, desk_minutes: list[int], outlet_minute: int | None = None) -> None:
    """A desk of 12 feed accounts (``DailyDallas``, "Dallas News", "Latest news from
    Dallas"), each posting ``#DallasNews Title link`` in 60 % of the hours 06-23 at its
    own minute of the hour (``desk_minutes``); three real outlets posting hourly at their
    own minutes (other than the desk's), the first in the desk's layout (``#Denver Title
    link``; ``outlet_minute`` puts it on one of the desk's minutes); 150 people posting
    links and words at any minute."""
    rng = np.random.default_rng(3)
    rows: list[dict] = []
    profiles = []
    templates = ["Daily{c}", "{c}CityNews", "{c}_Online"]
    for k, city in enumerate(CITIES[:DESK]):
        account = templates[k % 3].format(c=city)
        profiles.append((account, account, f"{city} News", f"Latest news from {city}"))
        for day in range(DAYS):
            for hour in range(6, 24):
                if rng.random() < 0.6:
                    at = (day * 24 + hour) * HOUR + desk_minutes[k] * 60 + rng.integers(2, 45)
                    rows.append(post(f"{account}-{day}-{hour}", account, float(at),
                                     text=f"#{city}News Council Votes On Budget "
                                          f"https://{city.lower()}-news.example/{day}{hour}",
                                     hashtags=[f"{city}News"],
                                     urls=[f"https://{city.lower()}-news.example/{day}{hour}"]))
    layouts = ["#{c} Title Of The Day {u}", "{o}: Title Of The Day {u}",
               "Title Of The Day {u} via @{o}"]
    for k, outlet in enumerate(OUTLETS):
        city = CITIES[2 + k]
        profiles.append((outlet, outlet, outlet, f"Your trusted source since 19{60 + k}"))
        for day in range(DAYS):
            for hour in range(6, 23):
                url = f"https://{outlet.lower()}.example/{day}{hour}"
                minute = outlet_minute if k == 0 and outlet_minute is not None else 40 + 7 * k
                at = (day * 24 + hour) * HOUR + minute * 60 + rng.integers(0, 50)
                rows.append(post(f"{outlet}-{day}-{hour}", outlet, float(at),
                                 text=layouts[k].format(c=city, o=outlet, u=url),
                                 hashtags=[city] if k == 0 else [], urls=[url]))
    words = ["coffee", "garden", "match", "rain", "music", "kids", "news", "daily", "today"]
    for i in range(PEOPLE):
        account = f"person{i}"
        profiles.append((account, f"{['kate', 'omar', 'lin', 'sven'][i % 4]}_{i}",
                         f"{['Kate', 'Omar', 'Lin', 'Sven'][i % 4]} {i}",
                         " ".join(rng.choice(words, size=3))))
        for k in range(int(rng.integers(20, 60))):
            url = f"https://site{int(rng.integers(0, 50))}.example/{i}-{k}"
            rows.append(post(f"{account}-{k}", account,
                             float(rng.uniform(0, DAYS * 24 * HOUR)),
                             text=f"look at this {url} {rng.choice(words)}", urls=[url]))
    insert(con, rows)
    con.executemany("INSERT INTO accounts (platform, account_id, handle, display_name, "
                    "description, has_profile) VALUES ('x', ?, ?, ?, ?, true)", profiles)


def _desk() -> set[str]:
    templates = ["Daily{c}", "{c}CityNews", "{c}_Online"]
    return {templates[k % 3].format(c=c) for k, c in enumerate(CITIES[:DESK])}


def test_clock_driven_accounts_are_schedulers_not_people(con):
    _world(con, desk_minutes=list(range(5, 5 + DESK)))
    clocked = clocked_accounts(con)
    assert set(clocked) == _desk() | set(OUTLETS)
    # the first outlet posts in the desk's layout
    assert {clocked[a][0] for a in _desk() | {"DenverHerald"}} == {"# w U"}


@pytest.mark.parametrize("minutes", [list(range(5, 5 + DESK)), [17] * DESK],
                         ids=["own-minutes", "one-minute"])
def test_a_feed_desk_is_one_group_without_its_outlets_or_people(con, minutes):
    _world(con, desk_minutes=minutes)
    detection = api.detect(connection=con, operators=False)
    groups = [g for g in detection.groups if _desk() & set(g.members)]
    assert len(groups) == 1 and set(groups[0].members) == _desk()
    assert any(b == SCHEDULE for b, *_ in groups[0].behaviours)
    flagged = set(detection.membership)
    assert not flagged & set(OUTLETS)
    assert not [a for a in flagged if a.startswith("person")]
    assert any(n.startswith("feed desk: 12 accounts") and "'news'" in n for n in detection.notes)
    assert "post links on a clock" in groups[0].summary
    # every tie shows two posts behind it: the first hour both posted in the layout
    rows = [r for r in detection.evidence.to_pylist() if r["behaviour"] == SCHEDULE]
    assert {(r["account_a"], r["account_b"], SCHEDULE) for r in rows} == {
        e.key for e in detection.edges if e.behaviour == SCHEDULE}
    assert all(r["key"].endswith("h # w U") and r["dt_s"] < HOUR for r in rows)
    assert all(r["text_a"].startswith("#") and r["text_b"].startswith("#") for r in rows)


def test_an_outlet_on_a_desk_member_s_minute_stays_out(con):
    """DenverHerald posts in the desk's layout at Denver_Online's minute, every hour:
    co-template ties the two (two clocks meet every hour); the desk test leaves the
    outlet out (no 'news' in its profile), and that tie makes no group."""
    _world(con, desk_minutes=list(range(5, 5 + DESK)), outlet_minute=7)
    detection = api.detect(connection=con, operators=False)
    assert any(e.behaviour == "co-template" and {e.account_a, e.account_b} == {
        "DenverHerald", "Denver_Online"} for e in detection.edges)
    groups = [g for g in detection.groups if _desk() & set(g.members)]
    assert len(groups) == 1 and set(groups[0].members) == _desk()
    assert "DenverHerald" not in detection.membership
    assert any(n.startswith("1 co-template tie between a feed desk") for n in detection.notes)


def test_people_on_one_word_and_outlets_in_one_layout_are_no_desk(con):
    """Without the profile template, the clock and the layout alone make no desk (the
    handles' three templates put no word in half of them)."""
    _world(con, desk_minutes=list(range(5, 5 + DESK)))
    con.execute("UPDATE accounts SET display_name = NULL, description = NULL "
                "WHERE account_id NOT LIKE 'person%'")
    desks, _ = find_desks(con, 0.01)
    assert desks == []


def test_a_handle_template_alone_makes_a_desk(con):
    """Display names and bios gone: the handles' fixed word ("Daily") still ties them."""
    _world(con, desk_minutes=list(range(5, 5 + DESK)))
    con.execute("UPDATE accounts SET display_name = NULL, description = NULL, "
                "handle = 'Daily' || replace(replace(replace(handle, 'Daily', ''), "
                "'CityNews', ''), '_Online', '') WHERE account_id IN (SELECT unnest(?))",
                [sorted(_desk())])
    desks, tested = find_desks(con, 0.01)
    assert tested == 1 and len(desks) == 1
    assert set(desks[0].members) == _desk() and desks[0].word == "daily"
    assert desks[0].field == "handle"


def test_profile_words_are_folded_split_and_short_ones_dropped():
    assert profile_words("Dallas News") == {"dallas", "news"}
    assert profile_words("DallasCityNews") == {"dallas", "city", "news"}
    assert profile_words("𝐃𝐚𝐥𝐥𝐚𝐬 NEWS of 24") == {"dallas", "news"}
    assert profile_words(None) == set()
