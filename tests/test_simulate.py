"""The simulator: determinism, truth consistent with the posts, every strategy present."""

from __future__ import annotations

import csv
import hashlib
import re

import pytest

from sockscope.api import ingest
from sockscope.lab.simulate import STRATEGIES, simulate


def _digest(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in ("tweets.csv", "users.csv", "truth.csv")}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    stats = simulate(folder, accounts=2_000, days=3, seed=7)
    return folder, stats


def test_same_seed_same_bytes_other_seed_other_world(world, tmp_path):
    folder, _ = world
    simulate(tmp_path / "again", accounts=2_000, days=3, seed=7)
    simulate(tmp_path / "other", accounts=2_000, days=3, seed=8)
    assert _digest(tmp_path / "again") == _digest(folder)
    assert _digest(tmp_path / "other")["tweets.csv"] != _digest(folder)["tweets.csv"]


def test_truth_is_consistent_with_posts(world, con):
    folder, stats = world
    with open(folder / "truth.csv", newline="") as handle:
        truth = list(csv.DictReader(handle))
    assert len(truth) == 2_000
    labels = {row["label"] for row in truth}
    assert labels == {"organic", "campaign", "fan", "outlet"}
    for row in truth:
        assert bool(row["campaign"]) == (row["label"] == "campaign")
        assert bool(row["strategy"]) == (row["label"] == "campaign")
    result = ingest([folder / "tweets.csv", folder / "users.csv"], connection=con)
    assert result.rows_skipped == 0
    assert result.reports[0].rows_kept == stats["posts"]
    posters = {r[0] for r in con.execute("SELECT DISTINCT account_id FROM posts").fetchall()}
    assert posters <= {row["account_id"] for row in truth}
    # every campaign account posts, and reposts point at posts that exist in the world
    campaign_accounts = {row["account_id"] for row in truth if row["label"] == "campaign"}
    assert campaign_accounts <= posters
    dangling = con.execute(
        "SELECT count(*) FROM posts p WHERE kind = 'repost' AND NOT EXISTS "
        "(SELECT 1 FROM posts q WHERE q.post_id = p.repost_of_post)").fetchone()[0]
    assert dangling < 0.01 * stats["posts"]  # only targets before the window's start


def test_every_strategy_is_present(world):
    folder, stats = world
    with open(folder / "truth.csv", newline="") as handle:
        used = {s for row in csv.DictReader(handle) for s in row["strategy"].split("+") if s}
    assert used == set(STRATEGIES)
    assert stats["campaigns"] == 13


def test_feed_accounts_post_headlines_on_the_clock(world, con):
    # NewsFeed accounts: outlet-like handles, "#tag Title link" a few seconds after
    # the half hour; local outlets: their own layouts and minutes
    folder, _ = world
    ingest([folder / "tweets.csv", folder / "users.csv"], connection=con)
    with open(folder / "truth.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    feeds = [r["account_id"] for r in rows if r["strategy"] == "news_feed"]
    outlets = [r["account_id"] for r in rows if r["label"] == "outlet"]
    assert feeds and outlets
    handles = dict(con.execute("SELECT account_id, handle FROM accounts").fetchall())
    assert all(re.fullmatch(r"Daily\w+|\w+CityNews|\w+_Online", handles[f]) for f in feeds)
    shares = con.execute(
        r"""SELECT count(*) FILTER (WHERE regexp_full_match(text, '#\w+News .+ https://\S+')
                                     AND minute(created_at) IN (0, 30)
                                     AND second(created_at) < 45) / count(*)
           FROM posts WHERE account_id IN (SELECT unnest(?))""", [feeds]).fetchall()[0][0]
    assert shares > 0.8


def test_troll_teams_repost_the_same_rare_posts_hours_apart(world, con):
    folder, _ = world
    ingest([folder / "tweets.csv", folder / "users.csv"], connection=con)
    with open(folder / "truth.csv", newline="") as handle:
        trolls = [r["account_id"] for r in csv.DictReader(handle)
                  if r["strategy"] == "batch_repost"]
    spread, reposters = con.execute(
        """WITH team AS (SELECT repost_of_post, epoch(created_at) AS t FROM posts
                         WHERE kind = 'repost' AND account_id IN (SELECT unnest(?))),
                per_post AS (SELECT repost_of_post, max(t) - min(t) AS spread, count(*) AS k
                             FROM team GROUP BY 1 HAVING count(*) >= 3)
           SELECT median(spread), median(k) FROM per_post""", [trolls]).fetchall()[0]
    assert spread > 3 * 3_600 and reposters >= 3


def test_team_personas_share_client_and_templated_handles(world, con):
    folder, _ = world
    ingest([folder / "tweets.csv", folder / "users.csv"], connection=con)
    with open(folder / "truth.csv", newline="") as handle:
        teams = {r["account_id"]: r["campaign"] for r in csv.DictReader(handle)
                 if "team_persona" in r["strategy"]}
    assert teams
    templated = {a for (a,) in con.execute(
        "SELECT account_id FROM accounts WHERE regexp_full_match(handle, '[a-z]+[0-9]{8}')"
    ).fetchall()}
    assert set(teams) <= templated
    # each persona posts mostly from its team's one client app (posts of its organic past
    # come from others; an organic account's most used client has about 38 %)
    top = con.execute(
        """SELECT account_id, arg_max(client, n), max(n) / sum(n)
           FROM (SELECT account_id, client, count(*) AS n FROM posts GROUP BY ALL)
           GROUP BY account_id""").fetchall()
    by_account = {a: (client, share) for a, client, share in top if a in teams}
    assert all(share >= 0.8 for _, share in by_account.values())
    team_clients: dict[str, set[str]] = {}
    for account, (client, _) in by_account.items():
        team_clients.setdefault(teams[account], set()).add(client)
    assert all(len(clients) == 1 for clients in team_clients.values())


def test_viral_cascade_is_in_the_background(world, con):
    folder, _ = world
    ingest([folder / "tweets.csv"], connection=con)
    biggest = con.execute(
        "SELECT count(*) FROM posts WHERE kind = 'repost' GROUP BY repost_of_post "
        "ORDER BY 1 DESC LIMIT 1").fetchone()[0]
    assert biggest >= 400  # popularity, not coordination


def test_too_small_world_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 2,000"):
        simulate(tmp_path, accounts=100)


def test_minute_resolution_and_crowd_paced_fans(world, tmp_path, con):
    """The knobs of the evaluation grid: times to the minute, as the platforms' archives
    write them, and fans who repost their idol at the public's pace. The world is the
    same otherwise: same accounts, same posts to the minute."""
    folder, _ = world
    simulate(tmp_path / "m", accounts=2_000, days=3, seed=7, resolution="minutes",
             fan_pace="crowd")
    with open(tmp_path / "m" / "tweets.csv", newline="") as handle:
        times = [r["tweet_time"] for r in csv.DictReader(handle)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", t) for t in times)
    assert (tmp_path / "m" / "users.csv").read_bytes() == (folder / "users.csv").read_bytes()
    ingest([tmp_path / "m" / "tweets.csv"], connection=con)
    assert con.execute("SELECT min(time_precision_s), max(time_precision_s) FROM posts"
                       ).fetchall() == [(60, 60)]

    def fan_delays(world_folder):
        with open(world_folder / "truth.csv", newline="") as handle:
            fans = {r["account_id"] for r in csv.DictReader(handle) if r["label"] == "fan"}
        with open(world_folder / "tweets.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        posted = {r["tweetid"]: r["tweet_time"][:16] for r in rows}
        minutes = [(_minute(r["tweet_time"]) - _minute(posted[r["retweet_tweetid"]]))
                   for r in rows if r["userid"] in fans and r["retweet_tweetid"] in posted]
        return sorted(minutes)[len(minutes) // 2]

    assert fan_delays(folder) <= 5 and fan_delays(tmp_path / "m") >= 20
    with pytest.raises(ValueError, match="resolution must be one of"):
        simulate(tmp_path / "x", accounts=2_000, resolution="hours")


def test_feed_accounts_on_clocks_of_their_own(tmp_path):
    """``feed_clock="own"``: each feed account posts hourly at its own minute of the
    hour, so no two of them (up to 60) share a minute; the shared clock puts them all
    in the same minutes."""
    def minutes_of_the_hour(folder):
        with open(folder / "truth.csv", newline="") as handle:
            feeds = {r["account_id"] for r in csv.DictReader(handle)
                     if r["strategy"] == "news_feed"}
        used: dict[str, set[str]] = {}
        with open(folder / "tweets.csv", newline="") as handle:
            for r in csv.DictReader(handle):
                if r["userid"] in feeds and "-news.example/" in r["urls"]:  # headlines
                    used.setdefault(r["userid"], set()).add(r["tweet_time"][14:16])
        return used

    simulate(tmp_path / "own", accounts=2_000, days=3, seed=7, feed_clock="own")
    simulate(tmp_path / "shared", accounts=2_000, days=3, seed=7)
    own, shared = minutes_of_the_hour(tmp_path / "own"), minutes_of_the_hour(tmp_path / "shared")
    assert len(own) >= 10 and all(len(m) == 1 for m in own.values())
    per_minute: dict[str, int] = {}
    for m in own.values():
        per_minute[next(iter(m))] = per_minute.get(next(iter(m)), 0) + 1
    assert max(per_minute.values()) <= -(-len(own) // 60)  # 60 minutes, shared out
    assert all(m <= {"00", "30"} for m in shared.values())


def _minute(stamp: str) -> int:
    day, clock = stamp[:10], stamp[11:16]
    return int(day[8:10]) * 1_440 + int(clock[:2]) * 60 + int(clock[3:5])
