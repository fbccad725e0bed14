"""Results a reporter can act on: member lists, what groups pushed, evidence by key and
with post links, exports, the posts themselves, plain words and ids that round-trip."""

from __future__ import annotations

import csv
import sys

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.durations import human_duration
from sockscope.output.links import post_url, profile_url
from sockscope.persona.words import mark_in_words, marks_in_words
from sockscope.store.database import connect

from .posts_factory import insert, post

runner = CliRunner()


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---- links, words, durations: tables of real cases ----------------------------------

POST_LINKS = [
    ("twitter numeric", ("twitter", "1770000000000418964", "post"),
     "https://x.com/i/web/status/1770000000000418964"),
    ("twitter hashed id is no link", ("twitter", "+Xa9/abc=", "post"), None),
    ("telegram channel", ("telegram", "1234567890/42", "post"), "https://t.me/c/1234567890/42"),
    ("telegram -100 prefix", ("telegram", "-1001234567890/42", "post"),
     "https://t.me/c/1234567890/42"),
    ("telegram chat name is no link", ("telegram", "chat/42", "post"), None),
    ("reddit submission", ("reddit", "t3_abc123", "post"), "https://www.reddit.com/comments/abc123"),
    ("reddit comment has no link", ("reddit", "def456", "reply"), None),
    ("mastodon ids are instance-local", ("mastodon", "109876543210", "post"), None),
    ("bluesky at uri", ("bluesky", "at://did:plc:abc123/app.bsky.feed.post/3kxyz", "post"),
     "https://bsky.app/profile/did:plc:abc123/post/3kxyz"),
    ("youtube video", ("youtube", "dQw4w9WgXcQ", "post"),
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("generic table row id", ("generic", "row-ab12-3", "post"), None),
    ("empty id", ("twitter", "", "post"), None),
]
PROFILE_LINKS = [
    ("twitter numeric id", ("twitter", "12345", "someone"),
     "https://x.com/intent/user?user_id=12345"),
    ("twitter hashed id, real handle", ("twitter", "+Xa9/abc=", "some_one"),
     "https://x.com/some_one"),
    ("twitter hashed id and hashed handle", ("twitter", "+Xa9/abc=", "+Xa9/abc="), None),
    ("mastodon acct", ("mastodon", "1098", "alice@social.example"),
     "https://social.example/@alice"),
    ("mastodon local acct is no link", ("mastodon", "1098", "alice"), None),
    ("reddit user", ("reddit", "spez", None), "https://www.reddit.com/user/spez"),
    ("telegram user id is no link", ("telegram", "user123", None), None),
    ("bluesky did", ("bluesky", "did:plc:abc123", None), "https://bsky.app/profile/did:plc:abc123"),
    ("youtube channel", ("youtube", "UC" + "a" * 22, None),
     "https://www.youtube.com/channel/UC" + "a" * 22),
]


@pytest.mark.parametrize("case, args, expected", POST_LINKS, ids=[c[0] for c in POST_LINKS])
def test_post_links(case, args, expected):
    assert post_url(*args) == expected, case


@pytest.mark.parametrize("case, args, expected", PROFILE_LINKS,
                         ids=[c[0] for c in PROFILE_LINKS])
def test_profile_links(case, args, expected):
    assert profile_url(*args) == expected, case


@given(st.sampled_from(["twitter", "telegram", "reddit", "mastodon", "bluesky", "youtube", "x",
                        "generic"]), st.text(max_size=60), st.text(max_size=40))
def test_links_are_https_without_spaces_or_nothing(platform, identifier, handle):
    for link in (post_url(platform, identifier, "post"), profile_url(platform, identifier, handle)):
        assert link is None or (link.startswith("https://") and not any(
            c.isspace() or c in "<>\"'" for c in link))


MARKS = [
    ("created=2023-10-20", "account created 2023-10-20"),
    ("handle_template=a+d8", "handle made on a template (letters, then 8 digits)"),
    ("handle_template=a_a+d6", "handle made on a template (letters, '_', letters, then 6 digits)"),
    ("name_mismatch", "display name unrelated to the handle"),
    ("bio_shared_with=1", "same bio as 1 other account"),
    ("image_shared_with=4", "same profile image as 4 other accounts"),
    ("one_client=Twitter for Android", "posts almost only from one app (Twitter for Android)"),
    ("lang_mismatch=en/th", "profile language en, posts in th"),
    ("schedule=personal_rhythm@UTC-03(0.76)", "own posting hours fit personal rhythm "
     "(awake 08-24 every day) at UTC-03:00, 76% of posts inside"),
    ("schedule=office_hours@UTC+08(0.81)", "own posting hours fit office hours (Mon-Fri 09-17) "
     "at UTC+08:00, 81% of posts inside"),
    ("something_new=3", "something_new=3"),
]


@pytest.mark.parametrize("mark, words", MARKS, ids=[m for m, _ in MARKS])
def test_persona_marks_in_words(mark, words):
    assert mark_in_words(mark) == words


def test_marks_cell_in_words():
    assert marks_in_words("") == ""
    assert marks_in_words("name_mismatch;created=2020-01-02") == (
        "display name unrelated to the handle; account created 2020-01-02")


@pytest.mark.parametrize("seconds, words", [(0, "0 s"), (12.4, "12 s"), (89, "89 s"),
                                            (180, "3 min"), (5_300, "88 min"),
                                            (27.4 * 3600, "27.4 h"), (7_200 * 3, "6 h"),
                                            (4 * 86_400, "4 days"), (None, ""),
                                            (float("nan"), "")])
def test_gaps_in_human_units(seconds, words):
    assert human_duration(seconds) == words


# ---- the result folder --------------------------------------------------------------

@pytest.fixture(scope="module")
def team_run(tmp_path_factory):
    """A team of eight (ids starting with + and =, as in hashed releases) reposting the
    same posts within seconds and pushing one link, in a background of other accounts."""
    folder = tmp_path_factory.mktemp("team")
    db = folder / "run.duckdb"
    con = connect(db)
    team = ["+Team0=", "=Team1", "-Team2", "@Team3", "Team4", "Team5", "Team6", "Team7"]
    rows = []
    for k in range(14):
        source = f"{1000 + k}"
        rows.append(post(source, "src", k * 3_600, text=f"original {k}", platform="twitter"))
        for i, account in enumerate(team):
            rows.append(post(f"{2000 + k * 10 + i}", account, k * 3_600 + 5 + i, kind="repost",
                             repost_of_post=source, repost_of_account="src",
                             text=f"=HYPERLINK(\"x\") RT original {k}", platform="twitter"))
            rows.append(post(f"{5000 + k * 10 + i}", account, k * 3_600 + 40 + i,
                             urls=[f"https://news.example/story/{k}?utm_source=tw"],
                             hashtags=["Push"], text=f"read this {k}", platform="twitter"))
    for j in range(400):
        rows.append(post(f"{90000 + j}", f"bg{j % 80}", j * 131, kind="repost",
                         repost_of_post=f"{80000 + j % 50}", repost_of_account=f"o{j % 9}",
                         platform="twitter"))
    insert(con, rows)
    con.executemany("INSERT INTO accounts (platform, account_id, handle, display_name, "
                    "created_at, has_profile) VALUES ('twitter', ?, ?, ?, "
                    "TIMESTAMP '2024-01-02', true)",
                    [(a, f"team_{i}", f"Team member {i}") for i, a in enumerate(team)])
    detection = api.detect(connection=con, out=folder / "r", traces=["co-repost", "co-url"])
    con.close()
    assert detection.groups, "the team should form a group"
    return folder / "r", db, team, detection


def test_members_csv_lists_every_flagged_account_with_words_and_links(team_run):
    result, _, team, detection = team_run
    members = _read(result / "members.csv")
    assert list(members[0]) == ["group_id", "account_id", "handle", "display_name",
                                "created_at", "posts", "first_post", "last_post", "score",
                                "behaviours", "marks", "in_group_schedule", "profile_url",
                                "platform"]
    flagged = {a["account_id"] for a in _read(result / "accounts.csv") if a["flagged"] == "true"}
    assert {m["account_id"] for m in members} == flagged >= set(team)
    row = next(m for m in members if m["account_id"] == "Team4")
    assert row["display_name"] == "Team member 4" and row["created_at"] == "2024-01-02T00:00:00Z"
    assert row["posts"] == "28" and row["profile_url"] == "https://x.com/team_4"
    assert "account created 2024-01-02" in row["marks"]


def test_ids_round_trip_and_text_stays_guarded(team_run):
    result, db, team, _ = team_run
    for name, columns in (("accounts.csv", ["account_id"]), ("members.csv", ["account_id"]),
                          ("edges.csv", ["account_a", "account_b"]),
                          ("evidence.csv", ["account_a", "account_b"])):
        seen = {row[c] for row in _read(result / name) for c in columns}
        assert set(team) <= seen, name  # "+Team0=" is written as "+Team0=", not "'+Team0="
    evidence = _read(result / "evidence.csv")
    texts = [r["text_a"] for r in evidence if r["text_a"].startswith(("'=", "="))]
    assert texts and all(t.startswith("'=HYPERLINK") for t in texts)
    for account in ("+Team0=", "'+Team0="):  # as written now, and as older files wrote it
        outcome = runner.invoke(app, ["account", account, "--db", str(db), "--json"])
        assert outcome.exit_code == 0, outcome.output
        assert '"account_id": "+Team0="' in outcome.output


def test_group_content_says_what_the_group_pushed(team_run):
    result, _, _, detection = team_run
    group = next(g for g in detection.groups if "Team4" in g.members).group_id
    content = [r for r in _read(result / "group_content.csv") if r["group_id"] == group]
    kinds = {r["kind"] for r in content}
    assert {"post", "account", "url", "domain", "hashtag"} <= kinds
    url = next(r for r in content if r["kind"] == "url")
    assert url["item"].startswith("news.example/story/") and int(url["members"]) >= 8
    assert url["link"].startswith("https://news.example/story/")
    post_row = next(r for r in content if r["kind"] == "post")
    assert post_row["link"].startswith("https://x.com/i/web/status/1")
    assert post_row["example_text"].startswith("original ")
    assert next(r for r in content if r["kind"] == "hashtag")["item"] == "push"
    assert next(r for r in content if r["kind"] == "account")["item"] == "src"


def test_evidence_by_key_and_evidence_csv(team_run):
    result, _, _, detection = team_run
    keys = _read(result / "evidence_by_key.csv")
    repost = next(k for k in keys if k["behaviour"] == "co-repost")
    assert repost["what"].startswith("8 accounts reposted this post within ")
    assert repost["key_link"] == f"https://x.com/i/web/status/{repost['key']}"
    assert repost["what"].endswith(" s") and int(repost["accounts"]) == 8
    assert len(repost["account_ids"].split(";")) == 8
    assert all(link.startswith("https://x.com/i/web/status/")
               for link in repost["example_links"].split())
    evidence = _read(result / "evidence.csv")
    assert len(evidence) == pq.read_table(result / "evidence.parquet").num_rows
    assert all(r["post_url_a"].startswith("https://x.com/i/web/status/") for r in evidence)
    assert any(r["group_id"] for r in evidence)


def test_posts_command_lists_an_accounts_posts_with_links(team_run, tmp_path):
    _, db, _, _ = team_run
    table = api.posts(db, account_id="Team4")
    assert table.num_rows == 28
    assert table["created_at"].to_pylist() == sorted(table["created_at"].to_pylist())
    assert set(table["post_url"].to_pylist()) == {
        f"https://x.com/i/web/status/{p}" for p in table["post_id"].to_pylist()}
    outcome = runner.invoke(app, ["posts", "--db", str(db), "--account", "Team4", "--csv",
                                  str(tmp_path / "p.csv")])
    assert outcome.exit_code == 0, outcome.output
    assert len(_read(tmp_path / "p.csv")) == 28
    outcome = runner.invoke(app, ["posts", "--db", str(db), "--group", "G0001", "--limit", "3"])
    assert outcome.exit_code == 0 and "x.com" in outcome.output
    outcome = runner.invoke(app, ["posts", "--db", str(db), "--account", "nobody"])
    assert outcome.exit_code == 2 and "no account 'nobody'" in outcome.output


def test_export_writes_everything_about_one_group(team_run, tmp_path):
    result, db, team, detection = team_run
    group = next(g for g in detection.groups if "Team4" in g.members)
    outcome = runner.invoke(app, ["export", group.group_id, "--result", str(result), "--db",
                                  str(db), "--out", str(tmp_path / "g")])
    assert outcome.exit_code == 0, outcome.output
    files = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert files == ["accounts.csv", "edges.csv", "evidence.csv", "evidence_by_key.csv",
                     "group_content.csv", "groups.csv", "members.csv", "posts.csv"]
    assert {r["group_id"] for r in _read(tmp_path / "g" / "members.csv")} == {group.group_id}
    assert {r["account_id"] for r in _read(tmp_path / "g" / "members.csv")} == set(group.members)
    assert len(_read(tmp_path / "g" / "posts.csv")) == sum(
        api.posts(db, account_id=m).num_rows for m in group.members)
    edges = _read(tmp_path / "g" / "edges.csv")
    assert edges and all(e["account_a"] in group.members and e["account_b"] in group.members
                         for e in edges)
    evidence = _read(tmp_path / "g" / "evidence.csv")
    assert evidence and all(r["post_url_a"] for r in evidence)
    # text kept as the result wrote it: guarded once, not twice
    assert all(not r["text_a"].startswith("''") for r in evidence)
    again = runner.invoke(app, ["export", "G9999", "--result", str(result)])
    assert again.exit_code == 2 and "no group 'G9999'" in again.output


def test_groups_csv_names_the_q_value(team_run):
    groups = _read(team_run[0] / "groups.csv")
    assert "q_value" in groups[0] and "p_value" not in groups[0]


# ---- the command line ---------------------------------------------------------------

def test_version_and_plain_help():
    from sockscope import __version__

    assert runner.invoke(app, ["--version"]).output.strip() == f"sockscope {__version__}"
    detect_help = runner.invoke(app, ["detect", "--help"], terminal_width=80).output
    assert "<bool>" not in detect_help
    flat = " ".join(detect_help.split()).replace("- ", "-")
    assert "hashtag-sequence, co-template" in flat  # the --traces default, whole
    assert "'sockscope[spark]'" in flat
    assert "--quiet" in flat


def test_progress_is_one_line_per_stage_off_a_terminal(team_run, tmp_path):
    _, db, _, _ = team_run
    import shutil

    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    outcome = runner.invoke(app, ["detect", "--db", str(copy), "--out", str(tmp_path / "r"),
                                  "--traces", "co-repost"])
    assert outcome.exit_code == 0, outcome.output
    lines = [line for line in outcome.output.splitlines() if line.startswith("[")]
    stages = [line.split("] ", 1)[1] for line in lines]
    assert stages[:2] == ["co-repost: co-actions…", "co-repost: significance…"]
    assert "writing results…" in stages
    quiet = runner.invoke(app, ["detect", "--db", str(copy), "--out", str(tmp_path / "q"),
                                "--traces", "co-repost", "--quiet"])
    assert quiet.exit_code == 0 and not any(line.startswith("[")
                                            for line in quiet.output.splitlines())


def test_ingest_reports_rows_and_rate_per_file(tmp_path):
    from .conftest import FIXTURES

    outcome = runner.invoke(app, ["ingest", str(FIXTURES / "bad_archive.csv")])
    assert outcome.exit_code == 0, outcome.output
    assert "bad_archive.csv: archive-tweets, 8 rows, " in outcome.output
    assert "rows/s, 3 kept" in outcome.output


def test_info_on_an_empty_run_and_verify_on_a_missing_file(tmp_path):
    db = tmp_path / "empty.duckdb"
    api.ingest([], db).connection.close()
    outcome = runner.invoke(app, ["info", "--db", str(db)])
    assert outcome.exit_code == 0 and "no posts" in outcome.output and "None" not in outcome.output
    outcome = runner.invoke(app, ["verify", "--known", str(tmp_path / "missing.txt"),
                                  "--unknown", str(tmp_path / "x.txt")])
    assert outcome.exit_code == 2
    flat = " ".join(outcome.output.split())
    assert "missing.txt: no such file" in flat and "Errno" not in flat


def test_the_command_line_imports_no_heavy_library_to_start():
    """``sockscope --help`` must not pay for DuckDB, PyArrow, SciPy or rich (measured
    in benchmarks/startup.py; here the cause is checked, which does not depend on the
    machine's load)."""
    import subprocess

    code = ("import sys; from sockscope.entry import main; sys.argv = ['sockscope', '--help'];\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('duckdb', 'pyarrow', 'scipy', 'numpy', 'rich', "
            "'sockscope.api', 'igraph') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_ctrl_c_during_imports_is_an_interrupt(monkeypatch, capsys):
    """A SIGINT while the command line is still importing (the handler is installed
    first) ends the run with the message and 130, not a traceback."""
    import importlib.abc
    import signal

    from sockscope import entry
    from sockscope.interrupt import Interrupted

    class Interrupting(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "sockscope.cli":
                raise Interrupted
            return None

    monkeypatch.setattr(signal, "signal", lambda *args: None)  # keep pytest's handler
    monkeypatch.delitem(sys.modules, "sockscope.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "interrupted; nothing was written\n"
