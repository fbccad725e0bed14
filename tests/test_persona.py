"""Persona signals: hand-made accounts for each signal, schedules with known answers,
fields that are not available, the targeted-collection verdict and the dossier."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.lab.simulate import simulate
from sockscope.persona.accounts import build_persona
from sockscope.persona.groups import group_signals, looks_independent
from sockscope.persona.handles import handle_template, name_mismatch
from sockscope.persona.schedule import HOURS_OF_WEEK, infer_schedule
from sockscope.store.database import connect

from .posts_factory import BASE, insert, post

HANDLES = [
    # (case, handle, template)
    ("name and eight digits, as made in bulk", "SaraTehrani83920174", "a+d8"),
    ("underscored name and digits", "ali_reza_1234567", "a_a_+d7"),
    ("a year or a lucky number is a person's choice", "jane_doe84", None),
    ("four digits are still a choice", "maria1987", None),
    ("digits only", "123456789", "+d9"),
    ("no handle", None, None),
]


@pytest.mark.parametrize("case, handle, expected", HANDLES, ids=[c[0] for c in HANDLES])
def test_handle_templates(case, handle, expected):
    assert handle_template(handle) == expected, case


@pytest.mark.parametrize("case, handle, name, expected", [
    ("the handle spells the name", "SaraTehrani83920174", "Sara Tehrani", False),
    ("accents and case do not matter", "jose_garcia", "José García", False),
    ("a different person's name", "SaraTehrani83920174", "Mehdi Karimi", True),
    ("too short to tell", "ab1", "Al", None),
    ("no display name", "someone", None, None),
])
def test_handle_versus_display_name(case, handle, name, expected):
    assert name_mismatch(handle, name) is expected, case


def _week(local_hours: list[int], offset: int, per_hour: int = 3) -> np.ndarray:
    """Hour-of-week counts (UTC) of activity in ``local_hours`` at UTC ``offset``."""
    counts = np.zeros(HOURS_OF_WEEK)
    for hour in local_hours:
        counts[(hour - offset) % HOURS_OF_WEEK] += per_hour
    return counts


@pytest.mark.parametrize("kind, local, offset", [
    ("office hours", [d * 24 + h for d in range(5) for h in range(9, 17)], 3),
    ("office hours", [d * 24 + h for d in range(5) for h in range(9, 17)], -5),
    ("daily shift", [d * 24 + h for d in range(7) for h in range(9, 17)], 8),
    ("personal rhythm", [d * 24 + h for d in range(7) for h in range(8, 24)], 1),
])
def test_known_schedules_are_recovered(kind, local, offset):
    schedule = infer_schedule(_week(local, offset))
    assert (schedule.kind, schedule.utc_offset) == (kind, offset)
    assert schedule.fit > 0.95


def test_schedule_survives_noise_and_needs_enough_posts():
    rng = np.random.default_rng(0)
    office = _week([d * 24 + h for d in range(5) for h in range(9, 17)], 2, per_hour=2)
    noisy = office + rng.poisson(0.3, HOURS_OF_WEEK)
    schedule = infer_schedule(noisy)
    assert (schedule.kind, schedule.utc_offset) == ("office hours", 2)
    assert 0.6 < schedule.fit < 0.95
    assert infer_schedule(office / office.sum() * 10) is None  # ten posts: no answer


def _population(con, team_handles: bool = True) -> list[str]:
    """200 people (years of creation dates, own handles, several apps, their own waking
    hours) and a 12-account desk (created in one week, name+8 digits, one app, office
    hours at UTC+3)."""
    rng = np.random.default_rng(4)
    rows, accounts = [], []
    clients = ["Twitter for iPhone", "Twitter for Android", "Twitter Web App", "TweetDeck"]
    for i in range(200):
        created = datetime(2010, 1, 1) + timedelta(days=int(rng.integers(0, 4_000)))
        accounts.append((f"p{i}", f"{['kate', 'omar', 'lin', 'sven'][i % 4]}_{i}",
                         f"Person {i}", created, f"bio number {i} about my life"))
        offset = int(rng.integers(-8, 9))
        for k in range(40):
            day, hour = int(rng.integers(0, 14)), int(rng.integers(8, 24))
            rows.append(post(f"p{i}-{k}", f"p{i}", (day * 24 + hour - offset - 12) * 3_600,
                             client=clients[(i + k) % 4] if k % 3 else clients[i % 4]))
    for i in range(12):
        handle = f"SaraTehrani{83920174 + i * 7919}" if team_handles else f"desk_{i}"
        accounts.append((f"d{i}", handle, "Mehdi K.", datetime(2023, 5, 1) + timedelta(days=i % 6),
                         f"desk bio {i}"))
        for k in range(40):
            day = int(rng.integers(0, 14))
            while (BASE + timedelta(days=day)).weekday() >= 5:
                day = int(rng.integers(0, 14))
            hour = int(rng.integers(9, 17))
            rows.append(post(f"d{i}-{k}", f"d{i}", (day * 24 + hour - 3 - 12) * 3_600,
                             client="Hootsuite"))
    insert(con, rows)
    con.executemany("INSERT INTO accounts (platform, account_id, handle, display_name, "
                    "created_at, description, has_profile) VALUES ('x', ?, ?, ?, ?, ?, true)",
                    accounts)
    return [f"d{i}" for i in range(12)]


def test_a_desk_shows_every_signal_and_random_people_none(con):
    desk = _population(con)
    persona = build_persona(con)
    signals = {s.name: s for s in group_signals(persona, desk, seed=1)}
    for name in ("creation_burst", "handle_template", "client_share", "schedule_fit"):
        assert signals[name].shows, signals[name]
    assert signals["creation_burst"].statistic == 1.0
    assert "created within 30 days from 2023-05-01" in signals["creation_burst"].detail
    people = [f"p{i}" for i in range(0, 200, 17)]
    assert not any(s.shows for s in group_signals(persona, people, seed=1))
    assert looks_independent(group_signals(persona, people, seed=1))
    assert not looks_independent(list(signals.values()))
    row = next(r for r in persona.table.to_pylist() if r["account_id"] == "d0")
    assert row["handle_template"] == "a+d8" and row["name_mismatch"] is True
    assert (row["schedule"], row["utc_offset"]) == ("office hours", 3)
    assert "one_client=Hootsuite" in row["signals"]


def test_reused_bios_and_images_are_found(con):
    insert(con, [post(f"x{i}", f"a{i}", i) for i in range(60)])
    rows = [(f"a{i}", f"user{i}", f"an ordinary bio number {i} about gardening", None)
            for i in range(50)]
    rows += [(f"a{50 + i}", f"user{50 + i}",
              "Patriot. Mother of two. Proud veteran " + ("!" if i % 2 else "."),
              "https://pbs.twimg.com/profile_images/1/same_normal.jpg" if i < 6 else None)
             for i in range(10)]
    con.executemany("INSERT INTO accounts (platform, account_id, handle, description, "
                    "profile_image, has_profile) VALUES ('x', ?, ?, ?, ?, true)", rows)
    persona = build_persona(con)
    table = {r["account_id"]: r for r in persona.table.to_pylist()}
    assert table["a50"]["bio_shared_with"] == 9  # near-identical bios are one family
    assert table["a0"]["bio_shared_with"] == 0
    assert table["a50"]["image_shared_with"] == 5  # _normal and other sizes are one image
    signals = {s.name: s for s in group_signals(persona, [f"a{50 + i}" for i in range(10)], 1)}
    assert signals["bio_reuse"].statistic == 1.0 and signals["bio_reuse"].p_value < 0.01
    assert signals["image_reuse"].statistic == 0.6


def test_fields_the_data_lacks_are_not_available(con):
    # posts only, as in a Telegram export: no creation dates, handles, bios or images
    insert(con, [post(f"x{i}", f"c{i % 20}", i * 2_400, client=None) for i in range(400)])
    persona = build_persona(con)
    assert persona.available == {"creation_burst": False, "handle_template": False,
                                 "client_share": False, "bio_reuse": False,
                                 "image_reuse": False, "schedule_fit": True}
    names = [s.name for s in group_signals(persona, [f"c{i}" for i in range(5)], 1)]
    assert names == ["schedule_fit"]
    row = persona.table.to_pylist()[0]
    assert row["created_at"] is None and row["top_client"] is None
    assert not looks_independent(group_signals(persona, [f"c{i}" for i in range(5)], 1))
    detection = api.detect(connection=con, traces=["co-repost"])
    assert detection.persona_signals == ["schedule_fit"]


@pytest.fixture(scope="module")
def targeted_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("targeted")
    simulate(folder / "w", accounts=4_000, days=5, seed=3, collection="targeted")
    db = folder / "run.duckdb"
    con = connect(db)
    detection = api.detect([folder / "w" / "tweets.csv", folder / "w" / "users.csv"],
                           folder / "r", connection=con)
    con.close()
    return folder, detection, db


def test_targeted_collection_fans_are_an_audience_and_desks_stay_flagged(targeted_run):
    folder, detection, _ = targeted_run
    with open(folder / "w" / "truth.csv", newline="") as handle:
        truth = list(csv.DictReader(handle))
    fans = {r["account_id"] for r in truth if r["label"] == "fan"}
    personas = {r["account_id"] for r in truth if "team_persona" in r["strategy"]}
    flagged = set(detection.membership)
    assert not fans & flagged
    assert len(personas & flagged) >= 0.9 * len(personas)
    assert any(a["reason"] == "independent personas" for a in detection.audience_rows())
    # the public's reposts of the idol are missing from the dump, by construction
    idol = max(detection.audience_rows(), key=lambda a: a["accounts"])["author"]
    with open(folder / "w" / "tweets.csv", newline="") as handle:
        amplifiers = {r["userid"] for r in csv.DictReader(handle)
                      if r["retweet_userid"] == idol}
    assert amplifiers - {idol} <= fans  # (the idol reposts itself now and then)
    persona_groups = [g for g in detection.groups if set(g.members) & personas]
    assert all(any(e.startswith("handle_template=1.000") for e in g.signals)
               for g in persona_groups)
    manifest = json.loads((folder / "r" / "manifest.json").read_text())
    assert "handle_template" in manifest["persona_signals"]
    assert "image_reuse" not in manifest["persona_signals"]  # the world has no images


def test_account_dossier(targeted_run):
    _, detection, db = targeted_run
    member = detection.groups[0].members[0]
    result = CliRunner().invoke(app, ["account", member, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    dossier = json.loads(result.output)
    assert dossier["group"]["group_id"] == detection.groups[0].group_id
    assert dossier["persona"]["account_id"] == member
    assert dossier["edges"] and dossier["edges"][0]["weight"] >= dossier["edges"][-1]["weight"]
    assert dossier["evidence_total"] >= len(dossier["evidence"]) > 0
    shown = CliRunner().invoke(app, ["account", member, "--db", str(db)])
    assert "strongest ties" in shown.output and "persona marks" in shown.output
    missing = CliRunner().invoke(app, ["account", "nobody", "--db", str(db)])
    assert missing.exit_code == 2 and "no account 'nobody'" in missing.output
