"""Bad input: exact counts, reasons, line numbers and messages."""

from __future__ import annotations

import zipfile

import pytest

from sockscope.api import info, ingest
from sockscope.errors import IngestError

from .conftest import FIXTURES

BAD = FIXTURES / "bad_archive.csv"


def test_bad_rows_are_skipped_and_reported_by_reason_and_line(con):
    report = ingest([BAD], connection=con).reports[0]
    skips = {(s.reason, s.field): (s.count, s.positions) for s in report.skips}
    assert skips == {
        ("too few fields", "is_retweet"): (1, [5]),       # truncated row
        ("unparseable time", "tweet_time"): (1, [6]),
        ("invalid UTF-8", "tweet_text"): (1, [7]),
        ("missing value", "userid"): (1, [8]),
        ("duplicate post id", "tweetid"): (1, [9]),
    }
    assert (report.rows_read, report.rows_kept, report.rows_skipped) == (8, 3, 5)
    # the multi-line text of record 2 (lines 3-4) did not shift the line numbers
    assert con.execute("SELECT post_id FROM posts ORDER BY post_id").fetchall() == [
        ("1",), ("2",), ("7",)]
    logged = con.execute("SELECT rows_read, rows_kept, rows_skipped, skipped FROM ingest_log"
                         ).fetchone()
    assert logged[:3] == (8, 3, 5)
    assert {s["reason"]: s["first_positions"] for s in logged[3]}["invalid UTF-8"] == [7]
    summary = info(con)
    assert summary["rows_skipped"] == 5
    assert {s["reason"] for s in summary["skipped"]} == {
        "too few fields", "unparseable time", "invalid UTF-8", "missing value",
        "duplicate post id"}


def test_strict_fails_on_first_bad_row_and_writes_nothing(con):
    with pytest.raises(IngestError) as error:
        ingest([BAD], connection=con, strict=True)
    assert error.value.line == 5
    assert "bad_archive.csv, line 5, field 'is_retweet': too few fields" in str(error.value)
    assert con.execute("SELECT count(*) FROM posts").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_log").fetchone()[0] == 0


def test_empty_file(con, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(IngestError, match=r"empty.csv, line 1: file is empty"):
        ingest([path], connection=con)


def test_missing_file(con, tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        ingest([tmp_path / "nope.csv"], connection=con)


def test_broken_json_document_names_the_line(con, tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{\n "name": "x",\n "messages": [\n  {"id": 1,, "type": "message"}\n ]\n}\n')
    with pytest.raises(IngestError, match=r"result.json.*unreadable"):
        ingest([path], connection=con)


def test_zipped_archive_is_read(con, tmp_path):
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(BAD, "release_tweets_csv_hashed.csv")
    report = ingest([path], connection=con).reports[0]
    assert report.member == "release_tweets_csv_hashed.csv"
    assert report.display.endswith("release.zip!release_tweets_csv_hashed.csv")
    assert (report.rows_kept, report.rows_skipped) == (3, 5)


def test_time_zone_in_source_is_honoured(con):
    ingest([BAD], connection=con)
    created = con.execute("SELECT created_at FROM posts WHERE post_id = '7'").fetchone()[0]
    assert created.isoformat() == "2020-01-01T08:08:00"  # 10:08 at +02:00


def test_older_release_column_name_retweeted_tweetid(con, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("tweetid,userid,tweet_time,is_retweet,retweeted_tweetid,hashtags\n"
                    "1,u,2017-05-01 10:00,True,99,\"['a']\"\n")
    ingest([path], connection=con)
    assert con.execute("SELECT kind, repost_of_post FROM posts").fetchone() == ("repost", "99")
