"""Faults, limits and abuse: special files, archives, output folders, values outside
any plausible range, what reaches a terminal, and what the machine refuses."""

from __future__ import annotations

import errno
import json
import os
import zipfile

import pytest
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.errors import IngestError, SockscopeError
from sockscope.store.database import connect

from .conftest import FIXTURES
from .posts_factory import insert, post

runner = CliRunner()
REDDIT = FIXTURES / "formats" / "reddit_comments.ndjson"


def _flat(text: str) -> str:
    return " ".join(text.split())


# ---- special files and archives ------------------------------------------------------

def test_a_fifo_and_a_device_are_refused_before_anything_is_read(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        with pytest.raises(IngestError, match="not a regular file"):
            api.ingest([path], connection=connect())  # would hang if it read


def test_an_encrypted_zip_is_named(tmp_path):
    with zipfile.ZipFile(tmp_path / "locked.zip", "w") as archive:
        archive.writestr("tweets.csv", REDDIT.read_bytes())
    data = bytearray((tmp_path / "locked.zip").read_bytes())
    for magic, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # zip -e's flag bit
        at = data.index(magic) + offset
        data[at] |= 0x1
    (tmp_path / "locked.zip").write_bytes(bytes(data))
    with pytest.raises(IngestError, match="tweets.csv: encrypted; decrypt the archive"):
        api.ingest([tmp_path / "locked.zip"], connection=connect())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("zeros.csv", bytes(101 << 20))
    assert (tmp_path / "bomb.zip").stat().st_size < 1 << 20
    with pytest.raises(IngestError, match="refused as a probable zip bomb"):
        api.ingest([tmp_path / "bomb.zip"], connection=connect())
    assert not any(p.name.startswith("sockscope-") for p in tmp_path.iterdir())


# ---- values outside any plausible range --------------------------------------------

@pytest.mark.parametrize("time", ["9000000000000000", "Infinity", "-Infinity",
                                  "1969-07-20T20:17:00Z", "2150-01-01T00:00:00Z"])
def test_a_time_outside_any_collection_is_a_counted_skip(tmp_path, time):
    """One post at epoch-ms 9e15 once made the persona stage build 2.5e9 hours."""
    (tmp_path / "t.csv").write_text(f"id,user,ts\n1,u1,2024-03-04T12:00:00Z\n2,u2,{time}\n")
    report = api.ingest([tmp_path / "t.csv"], connection=connect(), mapping={
        "post_id": "id", "account_id": "user", "created_at": "ts"}).reports[0]
    assert report.rows_kept == 1
    assert [(s.reason.split(" (")[0], s.field, s.positions) for s in report.skips] in (
        [("time out of range", "ts", [3])], [("unparseable time", "ts", [3])])


# ---- output folders ------------------------------------------------------------------

@pytest.fixture
def team(tmp_path):
    con = connect()
    rows = [post(f"t{k}-{i}", f"team{i}", k * 3_600 + i * 2, kind="repost",
                 repost_of_post=f"P{k}", repost_of_account="src") for k in range(12)
            for i in range(4)]
    rows += [post(f"b{j}", f"bg{j % 80}", j * 131, kind="repost", repost_of_post=f"B{j % 50}")
             for j in range(400)]
    insert(con, rows)
    return con


def test_an_output_folder_with_other_files_is_refused_unless_forced(team, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own notes")
    with pytest.raises(SockscopeError, match="holds other files and is not a sockscope "
                                             "result; choose a new or empty folder, or "
                                             "pass --force"):
        api.detect(connection=team, out=out, traces=["co-repost"])
    api.detect(connection=team, out=out, traces=["co-repost"], force=True)
    assert (out / "notes.txt").read_text() == "my own notes"
    assert (out / "manifest.json").exists()
    with pytest.raises(SockscopeError, match="is a file, not a folder"):
        api.detect(connection=team, out=out / "notes.txt", traces=["co-repost"])


def test_rewriting_a_result_replaces_it_whole(team, tmp_path):
    out = tmp_path / "r"
    api.detect(connection=team, out=out, traces=["co-repost"])
    assert (out / "persona.parquet").exists()
    api.detect(connection=team, out=out, traces=["co-repost"], persona=False)
    assert not (out / "persona.parquet").exists()  # nothing stale beside the new manifest
    assert not any(p.name.startswith(".") for p in out.iterdir())


def test_the_staging_folder_is_made_inside_an_existing_output(team, tmp_path, monkeypatch):
    """So that the final moves never cross file systems (``--out`` a mount point)."""
    import tempfile

    made = []
    real = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(kw["dir"]) or real(**kw))
    out = tmp_path / "mounted"
    out.mkdir()
    api.detect(connection=team, out=out, traces=["co-repost"])
    assert made and os.path.samefile(made[-1], out)


# ---- the terminal, and what the machine refuses --------------------------------------

def test_text_from_the_data_never_reaches_the_terminal_as_control_codes(tmp_path):
    db = tmp_path / "run.duckdb"
    con = connect(db)
    insert(con, [post("p1", "evil", 0, client="\x1b]0;owned\x07App")])
    con.execute("INSERT INTO accounts (platform, account_id, handle, display_name, "
                "has_profile) VALUES ('x', 'evil', ?, ?, true)",
                ["\x1b[2Jcleared", "\x1b[8mhidden\x1b[0m"])
    api.detect(connection=con, traces=["co-repost"])
    con.close()
    outcome = runner.invoke(app, ["account", "evil", "--db", str(db)])
    assert outcome.exit_code == 0, outcome.output
    assert "\x1b" not in outcome.output and "\x07" not in outcome.output
    assert "?[2Jcleared" in outcome.output


@pytest.mark.parametrize("error, said", [
    (OSError(errno.ENOSPC, "No space left on device", "/data/out"),
     "no space left on the device holding /data/out"),
    (OSError(errno.EROFS, "Read-only file system", "/ro/out"),
     "/ro/out: not allowed to write here (Read-only file system)"),
    (OSError(errno.EFBIG, "File too large", "/data/out/evidence.csv"),
     "the file size limit (ulimit -f) was reached"),
])
def test_what_the_machine_refuses_is_one_line(monkeypatch, capsys, error, said):
    from sockscope import cli

    def refused():
        raise error

    monkeypatch.setattr(cli, "app", refused)
    with pytest.raises(SystemExit) as stopped:
        cli.run()
    assert stopped.value.code == 2
    printed = _flat(capsys.readouterr().err)
    assert said in printed and "Traceback" not in printed


def test_out_of_memory_says_which_limit_to_raise(monkeypatch, capsys):
    import duckdb

    from sockscope import cli

    def exhausted():
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    monkeypatch.setattr(cli, "app", exhausted)
    with pytest.raises(SystemExit) as stopped:
        cli.run()
    assert stopped.value.code == 2
    assert "raise --memory-limit" in _flat(capsys.readouterr().err)


# ---- column names and parameters ------------------------------------------------------

def test_a_column_named_rowid_is_read(tmp_path):
    """DuckDB's row number is called rowid: a table's own rowid column once hid it."""
    (tmp_path / "t.csv").write_text("id,user,ts,rowid\n1,u1,2024-03-04T12:00:00Z,5\n")
    report = api.ingest([tmp_path / "t.csv"], connection=connect(), mapping={
        "post_id": "id", "account_id": "user", "created_at": "ts"}).reports[0]
    assert report.rows_kept == 1


def test_a_json_field_with_a_quote_in_its_name_is_mapped(tmp_path):
    (tmp_path / "q.jsonl").write_text('{"id":"1","u":"a","t":"2024-03-04T12:00:00Z",'
                                      '"te\\"xt":"hi"}\n')
    con = connect()
    api.ingest([tmp_path / "q.jsonl"], connection=con, mapping={
        "post_id": "id", "account_id": "u", "created_at": "t", "text": 'te"xt'})
    assert con.execute("SELECT text FROM posts").fetchall() == [("hi",)]


def test_bad_parameters_and_truth_files_are_one_line(tmp_path):
    (tmp_path / "t.csv").write_text("id,user,ts\n1,u1,2024-03-04T12:00:00Z\n")
    mapping = ["--map", "post_id=id", "--map", "account_id=user", "--map", "created_at=ts"]
    huge = runner.invoke(app, ["detect", str(tmp_path / "t.csv"), *mapping, "--out",
                               str(tmp_path / "r"), "--window", "co-repost=10" + "0" * 20])
    assert huge.exit_code == 2 and "from 0 to 315,360,000" in _flat(huge.output)
    (tmp_path / "deep.json").write_text("[" * 100_000)
    deep = runner.invoke(app, ["detect", str(tmp_path / "t.csv"), *mapping, "--out",
                               str(tmp_path / "r"), "--parameters", str(tmp_path / "deep.json")])
    assert deep.exit_code == 2 and "not a manifest.json" in _flat(deep.output)
    (tmp_path / "truth.csv").write_bytes(bytes(range(128, 256)))
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "accounts.csv").write_text("account_id,flagged,group_id\n")
    binary = runner.invoke(app, ["evaluate", "--truth", str(tmp_path / "truth.csv"),
                                 "--result", str(tmp_path / "res")])
    assert binary.exit_code == 2 and "not a CSV table of UTF-8 text" in _flat(binary.output)


def test_a_zip_member_with_a_long_name_is_read(tmp_path):
    with zipfile.ZipFile(tmp_path / "long.zip", "w") as archive:
        archive.writestr("x" * 300 + ".ndjson", REDDIT.read_bytes())
    report = api.ingest([tmp_path / "long.zip"], connection=connect()).reports[0]
    assert (report.format, report.rows_kept) == ("reddit", 3)


def test_a_full_temporary_disk_is_not_a_corrupt_zip(tmp_path, monkeypatch):
    import shutil

    with zipfile.ZipFile(tmp_path / "fine.zip", "w") as archive:
        archive.writestr("RC.ndjson", REDDIT.read_bytes())
    real_open = open

    def full_disk(file, mode="r", *args, **kwargs):
        if "w" in str(mode) and "sockscope-" in str(file):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk)
    with pytest.raises(OSError) as raised:
        api.ingest([tmp_path / "fine.zip"], connection=connect())
    assert raised.value.errno == errno.ENOSPC  # the command line says "no space left"
    assert shutil.disk_usage(tmp_path)


def test_a_bad_memory_limit_is_named():
    with pytest.raises(SockscopeError, match="--memory-limit 'lots': write an amount"):
        connect(memory_limit="lots")


@pytest.mark.parametrize("date", ["0000-01-01", "9000000000000000", "Infinity"])
def test_an_article_dated_outside_any_plausible_range_is_a_counted_skip(tmp_path, date):
    from sockscope.lab.faults import _articles

    path = _articles(tmp_path, date)
    result = runner.invoke(app, ["bylines", str(path), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["inputs"][0]["rows_skipped"] == 1
    assert manifest["inputs"][0]["rows_kept"] == 11


def test_every_fault_case_ends_in_a_result_or_one_line(tmp_path):
    from sockscope.lab import faults

    outcomes = list(faults.judge_all(tmp_path))
    assert len(outcomes) == len(faults.CASES)
    failed = [o for o in outcomes if o.outcome in faults.FAILURES]
    assert failed == [], failed
    said = {o.case: o.detail for o in outcomes}
    assert "not a regular file" in said["fifo as input"]
    assert "is a file, not a folder" in said["--out names a file"]
    assert "is a folder; give the page's file name" in said["report --out names a folder"]


def test_the_time_range_is_an_option_and_times_outside_it_are_counted(tmp_path):
    from sockscope.lab.faults import _normal_posts, _posts

    rows = _normal_posts(20)
    rows[0][5] = "1985-06-01 10:00:00"  # before the default range
    rows[1][5] = "2019-06-01 10:00:00"  # outside a narrower one
    path = _posts(tmp_path, rows)
    default = api.ingest([path])
    assert default.rows_skipped == 1
    assert [s.reason for s in default.reports[0].skips] == [
        "time out of range (1990-01-01 to 2100-01-01)"]
    narrow = api.ingest([path], time_range="2020:2021")
    assert narrow.rows_skipped == 2 and narrow.rows_kept == 18
    wide = api.ingest([path], time_range="1980-01-01:2100-01-01")
    assert wide.rows_skipped == 0
    result = runner.invoke(app, ["ingest", str(path), "--time-range", "2021:2020"])
    assert result.exit_code == 2 and "FROM must come before TO" in result.output
    result = runner.invoke(app, ["ingest", str(path), "--time-range", "soon"])
    assert result.exit_code == 2 and "write FROM:TO" in result.output


def test_a_line_longer_than_any_record_is_refused_naming_it(tmp_path, monkeypatch):
    # DuckDB drops a line of more than about a gigabyte from both rows and rejects; the
    # check runs first (the limit is lowered here so the file stays small)
    from sockscope.ingest import staging

    monkeypatch.setattr(staging, "LONGEST_LINE", 1 << 20)
    path = tmp_path / "long.csv"
    path.write_text("tweetid,userid,tweet_text,tweet_time,user_screen_name\n"
                    "1,u1,hello,2020-01-01 10:00,a\n" + "2,u2," + "x" * (3 << 20) +
                    ",2020-01-01 10:00,b\n3,u3,bye,2020-01-01 10:01,c\n")
    with pytest.raises(IngestError, match=r"line 3: a line of more than 1 MB"):
        api.ingest([path])
    jsonl = tmp_path / "long.jsonl"
    jsonl.write_text('{"id": "1"}\n' * 5 + '{"id": "' + "y" * (2 << 20) + '"}\n')
    with pytest.raises(IngestError, match=r"line 6"):
        api.ingest([jsonl], fmt="twitter-v2-jsonl")
    short = tmp_path / "short.csv"
    short.write_text("tweetid,userid,tweet_text,tweet_time,user_screen_name\n" +
                     "".join(f"{i},u{i},{'z' * 900_000},2020-01-01 10:00,a\n" for i in range(4)))
    assert api.ingest([short]).rows_read == 4  # long lines, none past the limit
