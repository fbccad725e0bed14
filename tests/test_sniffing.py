"""Sniffing that proves itself: a reader claims a file only when its defining fields are
there, and a file with records of which none is kept is an error (exit 2) naming the
reader, the fields it looked for and those the file has, unless --allow-empty."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.errors import IngestError
from sockscope.store.database import connect

from .conftest import FIXTURES

FORMATS = FIXTURES / "formats"
runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name, not_as", [
    ("bluesky_collector.jsonl", "articles"),     # author + text, but a post
    ("youtube_comments.jsonl", "articles"),      # youtube-comment-downloader's lines
    ("praw_submissions.csv", "articles"),        # PRAW: title, author, body, subreddit
    ("zeeschuimer_instagram.ndjson", "twitter-v2-jsonl"),  # a "data" key, not a tweet
])
def test_a_social_export_is_not_claimed_by_the_wrong_reader(name, not_as):
    try:
        reports = api.ingest([FORMATS / name], connection=connect()).reports
    except IngestError as exc:
        assert "cannot tell the format" in str(exc) or "none kept" in str(exc)
        return
    assert all(r.format != not_as for r in reports), [r.format for r in reports]


def test_real_article_corpora_and_tweets_are_still_claimed():
    con = connect()
    report = api.ingest([FIXTURES / "articles.csv"], connection=con).reports[0]
    assert report.format == "articles" and report.rows_kept > 0
    report = api.ingest([FORMATS / "academictwitter_data_1400000000000000003.json"],
                        connection=con).reports[0]
    assert report.format == "twitter-v2-jsonl" and report.rows_kept > 0


def test_nothing_kept_is_an_error_naming_the_reader_and_the_fields(tmp_path):
    outcome = runner.invoke(app, ["ingest", str(FORMATS / "zeeschuimer_instagram.ndjson"),
                                  "--format", "twitter-v2-jsonl"])
    assert outcome.exit_code == 2
    message = _flat(outcome.output)
    assert "2 records read with the twitter-v2-jsonl reader (forced with --format)" in message
    assert "none kept" in message and "that reader looks for post_id from" in message
    assert "source_platform" in message  # what the file has
    assert "--allow-empty" in message
    allowed = runner.invoke(app, ["ingest", str(FORMATS / "zeeschuimer_instagram.ndjson"),
                                  "--format", "twitter-v2-jsonl", "--allow-empty"])
    assert allowed.exit_code == 0, allowed.output


def test_a_repeat_of_stored_rows_is_not_an_error(tmp_path):
    db = tmp_path / "run.duckdb"
    for _ in range(2):  # the second time every row is a duplicate: nothing new, no error
        outcome = runner.invoke(app, ["ingest", str(FORMATS / "reddit_comments.ndjson"),
                                      "--db", str(db)])
        assert outcome.exit_code == 0, outcome.output


def test_a_header_without_rows_is_not_an_error(tmp_path):
    header = (FIXTURES / "bad_archive.csv").read_bytes().splitlines()[0]
    (tmp_path / "empty.csv").write_bytes(header + b"\n")
    report = api.ingest([tmp_path / "empty.csv"], connection=connect()).reports[0]
    assert (report.rows_read, report.rows_kept) == (0, 0)


def test_placeholders_are_never_an_account_or_a_text(tmp_path):
    """Reddit's [deleted]/[removed] authors are skipped under their own reason; removed
    bodies are kept as posts without text (so they tie nobody by co-text), and noted."""
    import json

    lines = [{"author": f"user{i}", "body": "[removed]", "created_utc": 1614593702 + i,
              "id": f"c{i}", "parent_id": "t3_x", "subreddit": "news"} for i in range(5)]
    lines += [{"author": "[deleted]", "body": "[deleted]", "created_utc": 1614593800,
               "id": "c9", "parent_id": "t3_x", "subreddit": "news"},
              {"author": "user7", "body": "a real comment", "created_utc": 1614593900,
               "id": "c10", "parent_id": "t3_x", "subreddit": "news"}]
    (tmp_path / "RC.ndjson").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    con = connect()
    report = api.ingest([tmp_path / "RC.ndjson"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("reddit", 6)
    assert [(s.reason, s.field, s.count) for s in report.skips] == [
        ("author deleted or removed", "author", 1)]
    assert report.notes == ["5 posts had a deleted or removed text ([deleted], [removed]): "
                            "kept as posts without text"]
    assert con.execute("SELECT count(*) FROM posts WHERE text IS NULL").fetchall() == [(5,)]
    assert con.execute("SELECT count(*) FROM posts WHERE account_id LIKE '[%'").fetchall() \
        == [(0,)]


def test_placeholders_in_a_generic_table(tmp_path):
    """A PRAW or 4CAT-style table mapped with --map: [deleted] is no account, and
    [removed] no text."""
    (tmp_path / "comments.csv").write_text(
        "id,author,body,created_utc\n"
        "a1,[deleted],[deleted],1614593702\n"
        "a2,alice,[removed],1614593703\n"
        "a3,bob,a real comment,1614593704\n")
    con = connect()
    report = api.ingest([tmp_path / "comments.csv"], connection=con, mapping={
        "post_id": "id", "account_id": "author", "text": "body",
        "created_at": "created_utc"}).reports[0]
    assert report.rows_kept == 2
    assert [(s.reason, s.field, s.positions) for s in report.skips] == [
        ("author deleted or removed", "author", [2])]
    assert report.notes == ["1 post had a deleted or removed text ([deleted], [removed]): "
                            "kept as posts without text"]
    assert con.execute("SELECT account_id, text FROM posts ORDER BY 1").fetchall() == [
        ("alice", None), ("bob", "a real comment")]


def test_a_mapped_kind_is_validated_and_can_be_mapped(tmp_path):
    """--map kind=retweet on a 0/1 column: without a value map every row is a counted
    skip naming the column (not 0/1 stored as kinds); a blank cell is a missing value,
    not a traceback; --map-values kind=1:repost,0:post reads them."""
    (tmp_path / "shares.csv").write_text(
        "id,user,ts,retweet\n"
        "1,u1,2024-03-04 10:00:00,1\n"
        "2,u2,2024-03-04 10:00:01,0\n"
        "3,u3,2024-03-04 10:00:02,\n"
        "4,u4,2024-03-04 10:00:03,Reply\n")
    mapping = ["--map", "post_id=id", "--map", "account_id=user", "--map", "created_at=ts",
               "--map", "kind=retweet"]
    report = api.ingest([tmp_path / "shares.csv"], connection=connect(), mapping={
        "post_id": "id", "account_id": "user", "created_at": "ts",
        "kind": "retweet"}).reports[0]
    assert report.rows_kept == 1  # "Reply": kinds are read in any case
    assert sorted((s.reason.split(" (")[0], s.field, s.positions) for s in report.skips) == [
        ("missing value", "retweet", [4]), ("not a kind", "retweet", [2, 3])]
    db = tmp_path / "run.duckdb"
    outcome = runner.invoke(app, ["ingest", str(tmp_path / "shares.csv"), *mapping,
                                  "--map-values", "kind=1:repost,0:post", "--db", str(db)])
    assert outcome.exit_code == 0, outcome.output
    con = connect(db, read_only=True)
    assert con.execute("SELECT post_id, kind FROM posts ORDER BY 1").fetchall() == [
        ("1", "repost"), ("2", "post")]
    wrong = runner.invoke(app, ["ingest", str(tmp_path / "shares.csv"), *mapping,
                                "--map-values", "kind=1:retweet"])
    assert wrong.exit_code == 2 and "retweet is not a kind" in _flat(wrong.output)


def test_map_reads_json_records_by_dotted_paths(tmp_path):
    """--map on JSON lines: dotted paths into objects, [] for every element of a list
    (nested lists flatten), malformed lines counted; a path found in no record is an
    error naming it."""
    mapping = {"post_id": "commit.rkey", "account_id": "did",
               "created_at": "commit.record.createdAt", "text": "commit.record.text",
               "hashtags": "commit.record.facets[].features[].tag",
               "urls": "commit.record.facets[].features[].uri"}
    con = connect()
    report = api.ingest([FORMATS / "bluesky_jetstream.jsonl"], connection=con,
                        mapping=mapping).reports[0]
    # posts, a repost and a like have a commit; the identity event is a missing value
    assert report.format == "table" and report.rows_kept == 5
    row = con.execute("SELECT account_id, text, hashtags, urls FROM posts "
                      "WHERE post_id = '3l3qo2vuowo2b'").fetchall()
    assert row == [("did:plc:ann111", "Read this #vote https://news.example/a", ["vote"],
                    ["https://news.example/a"])]
    with pytest.raises(IngestError, match=r"--map: commit\.record\.missing found in no "
                                          r"record"):
        api.ingest([FORMATS / "bluesky_jetstream.jsonl"], connection=connect(),
                   mapping={**mapping, "lang": "commit.record.missing"})


def test_map_reads_a_json_document_with_the_table_options(tmp_path):
    """A pretty-printed JSON array mapped by paths, with --time-format."""
    import json

    (tmp_path / "export.json").write_text(json.dumps([
        {"id": "p1", "user": {"name": "ann"}, "when": "04/03/2024 12:00", "tags": ["a", "b"]},
        {"id": "p2", "user": {"name": "bob"}, "when": "04/03/2024 12:01", "tags": []},
    ], indent=2))
    outcome = runner.invoke(app, [
        "ingest", str(tmp_path / "export.json"), "--map", "post_id=id",
        "--map", "account_id=user.name", "--map", "created_at=when",
        "--map", "hashtags=tags", "--time-format", "%d/%m/%Y %H:%M",
        "--db", str(tmp_path / "run.duckdb")])
    assert outcome.exit_code == 0, outcome.output
    con = connect(tmp_path / "run.duckdb", read_only=True)
    assert con.execute("SELECT post_id, account_id, created_at, hashtags FROM posts "
                       "ORDER BY 1").fetchall()[0][:2] == ("p1", "ann")
    assert con.execute("SELECT hashtags FROM posts WHERE post_id = 'p1'").fetchall() == [
        (["a", "b"],)]


def test_a_pushshift_sample_starting_with_a_promoted_post_is_reddit():
    """Its first record has an author_id (and no text), which once made it a v2 tweet:
    0 of 1,000 kept. Reddit's fields decide now."""
    report = api.ingest([FORMATS / "pushshift_promoted_first.ndjson"],
                        connection=connect()).reports[0]
    assert (report.format, report.rows_kept) == ("reddit", 4)
