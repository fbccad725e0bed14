"""Hostile input: nothing lost, nothing half-written, no tracebacks (one test per finding
of the mutation audit, plus the seeded fuzzer)."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import pytest
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.errors import IngestError, SockscopeError
from sockscope.lab import fuzz
from sockscope.plugins import WRITERS
from sockscope.store.database import connect

from .posts_factory import insert, post

runner = CliRunner()


def _page(*tweets: dict) -> str:
    return json.dumps({"data": list(tweets)})


def _tweet(tid: str, author: str = "a1", time: str = "2024-03-04T10:00:00.000Z") -> dict:
    return {"id": tid, "author_id": author, "created_at": time, "text": f"tweet {tid}"}


def _posts(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT post_id FROM posts ORDER BY post_id").fetchall()]


# ---- silent data loss --------------------------------------------------------------

def test_one_bad_tweet_does_not_drop_its_page(con, tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_text(_page(_tweet("1"), _tweet("2", time="yesterday"), _tweet("3")) + "\n"
                    + _page(_tweet("4")) + "\n")
    report = api.ingest([path], connection=con).reports[0]
    assert (report.rows_read, report.rows_kept, report.rows_skipped) == (4, 3, 1)
    assert _posts(con) == ["1", "3", "4"]
    assert [(s.reason, s.count, s.positions) for s in report.skips] == [
        ("unparseable time", 1, [1])]


def test_an_overlapping_recollection_stores_what_is_new(con, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(_page(_tweet("1")) + "\n")
    second.write_text(_page(_tweet("1"), _tweet("2"), _tweet("3")) + "\n")
    api.ingest([first], connection=con)
    report = api.ingest([second], connection=con).reports[0]
    assert (report.rows_read, report.rows_kept, report.rows_skipped) == (3, 2, 1)
    assert report.skips[0].reason == "duplicate post id"
    assert _posts(con) == ["1", "2", "3"]


def _telegram(chat: int, messages: int) -> dict:
    return {"name": f"chat {chat}", "type": "public_channel", "id": chat, "messages": [
        {"id": i, "type": "message", "date": "2024-03-04T10:00:00",
         "date_unixtime": str(1709546400 + i), "from": "x", "from_id": f"channel{chat}",
         "text": f"message {i}"} for i in range(1, messages + 1)]}


def test_concatenated_telegram_exports_are_all_read(con, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(_telegram(1, 40)) + "\n" + json.dumps(_telegram(2, 40)))
    report = api.ingest([path], connection=con, fmt="telegram").reports[0]
    assert (report.rows_read, report.rows_kept) == (80, 80)
    assert con.execute("SELECT count(*) FROM posts").fetchall()[0][0] == 80


def test_jsonl_whose_first_record_is_larger_than_the_probe(con, tmp_path):
    big = {"id_str": "1", "created_at": "Mon Mar 04 10:00:00 +0000 2024",
           "full_text": "x" * (2 << 20), "user": {"id_str": "9", "screen_name": "nine"}}
    small = dict(big, id_str="2", full_text="small")
    path = tmp_path / "v1.jsonl"
    path.write_text(json.dumps(big) + "\n" + json.dumps(small) + "\n")
    for fmt in ("twitter-v1", None):
        fresh = connect()
        report = api.ingest([path], connection=fresh, fmt=fmt, strict=True).reports[0]
        assert (report.format, report.rows_read, report.rows_kept) == ("twitter-v1", 2, 2)
        assert _posts(fresh) == ["1", "2"]


def test_generic_tables_without_post_ids_do_not_collide(con, tmp_path):
    mapping = {"account_id": "who", "repost_of_post": "what", "created_at": "when"}
    for name, start in (("a.csv", 0), ("b.csv", 100)):
        rows = ["who,what,when"] + [f"w{i},P{i},{1_700_000_000 + start + i}" for i in range(30)]
        (tmp_path / name).write_text("\n".join(rows) + "\n")
    reports = api.ingest([tmp_path / "a.csv", tmp_path / "b.csv"], connection=con,
                         fmt="table", mapping=mapping).reports
    assert [r.rows_kept for r in reports] == [30, 30]
    assert con.execute("SELECT count(*) FROM posts").fetchall()[0][0] == 60
    again = api.ingest([tmp_path / "a.csv"], connection=con, fmt="table",
                       mapping=mapping).reports[0]
    assert (again.rows_kept, again.rows_skipped) == (0, 30)  # the same file twice: duplicates


@pytest.mark.parametrize("content", ["a,b\n1,2\n", "\x00\x01garbage" * 10])
def test_db_that_is_not_a_duckdb_database_is_refused(tmp_path, content):
    db = tmp_path / "data.csv"
    db.write_bytes(content.encode())
    result = runner.invoke(app, ["ingest", str(Path(__file__).parent / "fixtures" / "v1.jsonl"),
                                 "--db", str(db)])
    assert result.exit_code == 2
    assert "not a DuckDB database" in " ".join(result.output.split())
    assert db.read_bytes() == content.encode()


@pytest.mark.parametrize("messages", ['{"a": 1}', '"many"', "null"])
def test_telegram_messages_that_are_not_a_list_are_refused(con, tmp_path, messages):
    path = tmp_path / "result.json"
    path.write_text('{"name": "c", "type": "public_channel", "id": 1, "messages": '
                    f"{messages}}}")
    with pytest.raises(IngestError, match="messages is .*, not a list of records"):
        api.ingest([path], connection=con, fmt="telegram")


def test_full_account_telegram_export_reads_every_chat(con, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"about": "export", "personal_information": {"user_id": 5},
                                "chats": {"about": "chats", "list": [_telegram(1, 3),
                                                                     _telegram(2, 4)]}}))
    report = api.ingest([path], connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == ("telegram", 7, 7)
    assert con.execute("SELECT count(DISTINCT split_part(post_id, '/', 1)) FROM posts"
                       ).fetchall()[0][0] == 2


# ---- outputs that could be turned against their reader --------------------------------

HOSTILE_HANDLES = ["\r=1+2", "a\nb", "x\x01y", "nul\x00here", "\ufffe", "tab\tsep", '"q"']


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A detection whose flagged accounts have hostile ids and handles."""
    folder = tmp_path_factory.mktemp("hostile")
    con = connect()
    team = [f"t{i}{h}" for i, h in enumerate(HOSTILE_HANDLES)]
    rows = []
    for k in range(10):
        for i, account in enumerate(team):
            rows.append(post(f"p{k}-{i}", account, k * 3_600 + i * 2,
                             text=f"the same message number {k} about the harbour tender"))
    for j in range(200):
        rows.append(post(f"bg{j}", f"bg{j % 40}", j * 97,
                         text=f"an ordinary message number {j} about many other things"))
    insert(con, rows)
    con.executemany("INSERT INTO accounts (platform, account_id, handle, has_profile) "
                    "VALUES ('x', ?, ?, true)", [(a, h) for a, h in zip(team, HOSTILE_HANDLES,
                                                                        strict=True)])
    detection = api.detect(out=folder / "r", connection=con, traces=["co-text"])
    assert len(detection.membership) == len(team)
    return folder / "r", team


def test_every_csv_output_reads_back_with_its_field_count(hostile_run):
    out, team = hostile_run
    for name in ("accounts.csv", "groups.csv", "edges.csv"):
        with open(out / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert all(len(row) == len(rows[0]) for row in rows), name
        assert not any(cell.startswith(("=", "+", "-", "@", "\r", "\t"))
                       for row in rows[1:] for cell in row), name
    with open(out / "accounts.csv", newline="", encoding="utf-8") as handle:
        accounts = {r["account_id"]: r["handle"] for r in csv.DictReader(handle)}
    assert set(team) <= set(accounts)  # every hostile id comes back whole, in one field
    assert accounts[team[0]] == "'\r=1+2"  # the formula after a bare CR is neutralised
    assert [accounts[a] for a in team[1:]] == HOSTILE_HANDLES[1:]


def test_networks_parse_with_hostile_handles(hostile_run):
    out, team = hostile_run
    graph = ig.Graph.Read_GraphML(str(out / "network.graphml"))
    assert graph.vcount() == len(team)
    root = ET.parse(out / "network.gexf").getroot()
    assert len(list(root.iter("{http://gexf.net/1.3}node"))) == len(team)


def test_a_failed_run_leaves_no_half_written_result(tmp_path, monkeypatch):
    con = connect()
    insert(con, [post(f"p{i}", f"u{i % 3}", i, text="same text for everyone here today")
                 for i in range(30)])

    def broken(detection, out, context):
        raise OSError("disk full")

    WRITERS.register("broken", broken)
    try:
        with pytest.raises(OSError, match="disk full"):
            api.detect(out=tmp_path / "r", connection=con, traces=["co-text"])
    finally:
        WRITERS.reload()
    assert not (tmp_path / "r").exists()
    assert list(tmp_path.iterdir()) == []


# ---- clean errors ----------------------------------------------------------------------

SEED = {s.name: s for s in fuzz.seeds()}


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case, name, make, message", [
    ("truncated gzip", "t.csv.gz", lambda d: gzip.compress(d)[:60], "truncated or corrupt gzip"),
    ("corrupt gzip", "t.csv.gz",
     lambda d: gzip.compress(d)[:20] + b"\x00" * 20 + gzip.compress(d)[40:],
     "truncated or corrupt gzip"),
    ("truncated zip", "t.zip", lambda d: fuzz._zipped(d, None, SEED["archive-tweets"])[0][:80],
     "truncated or corrupt zip"),
    ("BOM only", "t.csv", lambda d: b"\xef\xbb\xbf", "file is empty"),
    ("Windows-1252 text", "t.csv", lambda d: d.decode().encode("cp1252"), "not UTF-8"),
])
def test_damaged_files_get_one_clear_line(con, tmp_path, case, name, make, message):
    path = _write(tmp_path, name, make(SEED["archive-tweets"].data))
    with pytest.raises(IngestError, match=message):
        api.ingest([path], connection=con)


@pytest.mark.parametrize("case, name, make", [
    ("nested zip", "t.zip", lambda d: fuzz._nested_zip(d, None, SEED["archive-tweets"])[0]),
    ("UTF-16", "t.csv", lambda d: d.decode().encode("utf-16")),
    ("CR-only line ends", "t.csv", lambda d: d.replace(b"\n", b"\r")),
    ("CRLF line ends", "t.csv", lambda d: d.replace(b"\n", b"\r\n")),
    ("gzip", "t.csv.gz", gzip.compress),
])
def test_other_encodings_and_containers_are_read(con, tmp_path, case, name, make):
    path = _write(tmp_path, name, make(SEED["archive-tweets"].data))
    report = api.ingest([path], connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == ("archive-tweets", 12, 12), case
    texts = [r[0] for r in con.execute("SELECT text FROM posts ORDER BY post_id").fetchall()]
    # a line end inside a quoted field is content: CRLF files keep their CRLF there
    assert texts[0].replace("\r\n", "\n") == "text number 0, with a comma\nand a line", case


@pytest.mark.parametrize("seed, old, new, field", [
    ("twitter-v2-jsonl", '"users": [', '"users": "x", "_u": [', "includes.users"),
    ("twitter-v2-jsonl", '"hashtags": [', '"hashtags": 5, "_h": [', "entities.hashtags"),
    ("telegram", '"text_entities": [', '"text_entities": "x", "_t": [', "text_entities"),
    ("twitter-v1", '"user": {', '"user": "nobody", "_us": {', "user"),
])
def test_wrong_json_types_skip_that_record_only(con, tmp_path, seed, old, new, field):
    source = SEED[seed]
    text = source.data.decode()
    mutated = text.replace(old, new, 1)
    assert mutated != text
    path = _write(tmp_path, source.filename, mutated.encode())
    report = api.ingest([path], connection=con, fmt=source.name.removesuffix("-array")
                        ).reports[0]
    wrong = [s for s in report.skips if s.reason == "wrong JSON type"]
    assert wrong and wrong[0].field == field
    assert report.rows_kept == report.rows_read - report.rows_skipped > 0


def test_empty_object_where_a_list_belongs_is_an_empty_list(con, tmp_path):
    tweet = dict(_tweet("1"), referenced_tweets={}, entities={"hashtags": {}})
    path = _write(tmp_path, "academic.jsonl", (_page(tweet) + "\n").encode())
    report = api.ingest([path], connection=con).reports[0]
    assert (report.rows_kept, report.rows_skipped) == (1, 0)


def test_a_json_document_error_names_the_line(con, tmp_path):
    text = SEED["telegram"].data.decode()
    broken = text.replace('"text": "post 3 "', '"text": "post 3 "}}', 1)
    path = _write(tmp_path, "result.json", broken.encode())
    with pytest.raises(IngestError) as error:
        api.ingest([path], connection=con)
    assert error.value.line == text[:text.index('"text": "post 3 "')].count("\n") + 1
    assert "byte" not in str(error.value)


def test_a_malformed_first_line_is_skipped_like_any_other(con, tmp_path):
    lines = SEED["twitter-v1"].data.decode().splitlines()
    path = _write(tmp_path, "v1.jsonl", ("{broken\n" + "\n".join(lines) + "\n").encode())
    report = api.ingest([path], connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == ("twitter-v1", 7, 6)
    assert [(s.reason, s.positions) for s in report.skips] == [("malformed JSON", [1])]


def test_a_database_in_use_by_another_process(tmp_path):
    db = tmp_path / "run.duckdb"
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "c.execute('CREATE TABLE t (a INT)'); print('ready', flush=True);"
                               " time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(SockscopeError, match=rf"in use by process {holder.pid}"):
            connect(db)
    finally:
        holder.kill()
        holder.wait()


def test_ctrl_c_leaves_nothing_written(tmp_path):
    """SIGINT once the run has started (its first stage line is the sign; no fixed
    sleep, so a loaded machine only makes the test slower, never wrong)."""
    from sockscope.lab.simulate import simulate

    simulate(tmp_path / "w", accounts=3_000, days=4, seed=2)
    tweets = str(tmp_path / "w" / "tweets.csv")
    process = subprocess.Popen([sys.executable, "-m", "sockscope", "detect", tweets, "--out",
                                str(tmp_path / "r")], stderr=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    import signal

    seen = []
    for line in process.stderr:  # progress, one line per stage off a terminal
        seen.append(line)
        if "co-actions" in line:
            break
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=120)
    errors = "".join(seen) + errors
    assert process.returncode == 130, errors
    assert "interrupted; nothing was written" in errors
    assert "Traceback" not in errors
    assert not (tmp_path / "r").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["w"]


def test_info_on_a_database_without_tables(tmp_path):
    db = tmp_path / "other.duckdb"
    import duckdb

    duckdb.connect(str(db)).close()
    result = runner.invoke(app, ["info", "--db", str(db)])
    assert result.exit_code == 2
    assert "not a sockscope database" in " ".join(result.output.split())


def test_detect_on_a_missing_database(tmp_path):
    # a path longer than any terminal: the error stays one line, the path whole
    folder = tmp_path / ("a-long-folder-name-" * 6)
    folder.mkdir()
    result = runner.invoke(app, ["detect", "--db", str(folder / "typo.duckdb"), "--out",
                                 str(tmp_path / "r")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"error: {folder / 'typo.duckdb'}: no such database"]
    assert not (folder / "typo.duckdb").exists()


# ---- bounded cost and reproducibility -----------------------------------------------

def test_a_long_text_without_spaces_costs_little(con):
    import time

    rows = [post(f"p{i}", f"u{i}", i, text=("x" if i % 2 else "y") * 1_000_000 + str(i))
            for i in range(8)]
    insert(con, rows)
    started = time.perf_counter()
    api.detect(connection=con, traces=["co-text-near"])
    assert time.perf_counter() - started < 30  # minutes before shingles were bounded


def test_year_one_is_written_in_iso_8601(tmp_path):
    con = connect()
    rows = [post(f"t{k}-{i}", f"team{i}", k * 3_600 + i * 2, kind="repost",
                 repost_of_post=f"P{k}") for k in range(12) for i in range(4)]
    rows += [post(f"b{j}", f"bg{j % 80}", j * 131, kind="repost", repost_of_post=f"B{j % 50}")
             for j in range(400)]
    insert(con, rows)
    con.execute("UPDATE posts SET created_at = created_at - INTERVAL 2023 YEAR")  # year 1
    detection = api.detect(out=tmp_path / "r", connection=con, traces=["co-repost"],
                           amplification=False)
    assert detection.groups
    with open(tmp_path / "r" / "groups.csv", newline="") as handle:
        group = next(csv.DictReader(handle))
    assert group["first_seen"].startswith("0001-03-04T12:00:")
    assert group["first_seen"].endswith("Z")


def test_failed_strict_ingest_into_a_new_path_leaves_no_database(tmp_path):
    db = tmp_path / "new.duckdb"
    with pytest.raises(IngestError):
        api.ingest([Path(__file__).parent / "fixtures" / "bad_archive.csv"], db, strict=True)
    assert not db.exists() and not Path(str(db) + ".wal").exists()


def test_reingesting_a_users_file_reports_its_duplicates(con, tmp_path):
    path = _write(tmp_path, "users.csv", SEED["archive-users"].data)
    first = api.ingest([path], connection=con).reports[0]
    again = api.ingest([path], connection=con).reports[0]
    assert (first.rows_kept, first.rows_skipped) == (8, 0)
    assert (again.rows_kept, again.rows_skipped) == (0, 8)
    assert again.skips[0].reason == "duplicate account id"
    changed = _write(tmp_path, "users2.csv",
                     SEED["archive-users"].data.replace(b"bio 3", b"new bio 3"))
    updated = api.ingest([changed], connection=con).reports[0]
    assert (updated.rows_kept, updated.rows_skipped) == (1, 7)  # the changed profile is news
    assert con.execute("SELECT description FROM accounts WHERE account_id = 'u3'"
                       ).fetchall() == [("new bio 3",)]


# ---- the fuzzer --------------------------------------------------------------------------

def test_mutation_fuzzer_finds_no_traceback_loss_or_partial_database():
    totals, failures = fuzz.run(200, seed=2024)
    assert sum(totals.values()) == 200
    assert failures == [], "\n".join(f"{f.outcome}: {f.seed} / {f.mutation}: {f.detail}"
                                     for f in failures[:10])
    assert totals["ingested"] >= 80 and totals["refused"] >= 40


def test_extreme_values_and_hostile_archives_over_every_seed_file():
    classes = {"extreme_value", "encrypted_zip", "zip_bomb"}
    count = 2 * len(classes) * len(fuzz.seeds())
    totals, failures = fuzz.run(count, seed=11, only=classes)
    assert sum(totals.values()) == count
    assert failures == [], "\n".join(f"{f.outcome}: {f.seed} / {f.mutation}: {f.detail}"
                                     for f in failures[:10])
    # every encrypted archive and every bomb refused; extreme times read and counted
    assert totals["refused"] >= 2 * 2 * len(fuzz.seeds())


def test_fuzzer_seeds_are_valid_and_counted_independently(tmp_path):
    for source in fuzz.seeds():
        path = _write(tmp_path, source.filename, source.data)
        result = api.ingest([path], connection=connect(), fmt=source.fmt,
                            mapping=source.mapping or None, strict=True)
        expected = fuzz.independent_count(source, source.data, source.filename)
        assert result.rows_read == result.rows_kept == expected, source.name


def test_a_duckdb_error_after_ctrl_c_is_reported_as_an_interrupt(monkeypatch, capsys):
    """Ctrl-C during an Arrow scan surfaces as a DuckDB error, not KeyboardInterrupt
    (seen in CI: "reading the schema of the object registered as 'arrow_20' failed:
    Interrupted"); after a SIGINT any DuckDB error is the interrupt. Without one, a
    DuckDB error is a bug and keeps its traceback."""
    import duckdb

    from sockscope import cli, interrupt

    def interrupted_scan():
        interrupt.SIGNALS_SEEN.append(2)
        raise duckdb.InvalidInputException("reading the schema of the object registered "
                                           "as 'arrow_20' failed: Interrupted: ")

    import signal

    monkeypatch.setattr(signal, "signal", lambda *args: None)  # keep pytest's handler
    monkeypatch.setattr(interrupt, "SIGNALS_SEEN", [])
    monkeypatch.setattr(cli, "app", interrupted_scan)
    with pytest.raises(SystemExit) as stopped:
        cli.run()
    assert stopped.value.code == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err

    def failing_query():
        raise duckdb.InvalidInputException("a real bug")

    monkeypatch.setattr(interrupt, "SIGNALS_SEEN", [])
    monkeypatch.setattr(cli, "app", failing_query)
    with pytest.raises(duckdb.InvalidInputException, match="a real bug"):
        cli.run()
