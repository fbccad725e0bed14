"""Each reader on small fixtures written for the tests: canonical values and skips."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sockscope.api import ingest
from sockscope.errors import IngestError
from sockscope.store.database import connect

from .conftest import FIXTURES


def _posts(con):
    rows = con.execute(
        "SELECT post_id, account_id, created_at, kind, repost_of_post, repost_of_account, "
        "reply_to_post, reply_to_account, quote_of_post, urls, hashtags, mentions, client "
        "FROM posts ORDER BY post_id").fetchall()
    cols = ["post_id", "account_id", "created_at", "kind", "repost_of_post", "repost_of_account",
            "reply_to_post", "reply_to_account", "quote_of_post", "urls", "hashtags",
            "mentions", "client"]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in rows}


def _skips(report):
    return {(s.reason, s.field): (s.count, s.positions) for s in report.skips}


def test_twarc2_pages(con):
    report = ingest([FIXTURES / "twarc2_pages.jsonl"], connection=con).reports[0]
    assert report.format == "twitter-v2-jsonl"
    posts = _posts(con)
    assert set(posts) == {"1001", "1002", "1003"}
    assert posts["1001"]["urls"] == ["https://example.com/a"]  # unwound URL preferred
    assert posts["1001"]["hashtags"] == ["World"]
    assert posts["1001"]["mentions"] == ["u2"]
    assert posts["1002"]["kind"] == "repost"
    assert posts["1002"]["repost_of_post"] == "1001"
    assert posts["1002"]["repost_of_account"] == "u1"  # learnt from includes.tweets
    assert posts["1003"]["kind"] == "reply"
    assert posts["1003"]["created_at"] == datetime(2024, 3, 4, 10, 0)  # +01:00 honoured
    assert posts["1003"]["reply_to_account"] == "u1"
    assert _skips(report) == {
        ("malformed JSON", None): (1, [3]),
        ("unparseable time", "created_at"): (1, [4]),
        ("duplicate post id", "id"): (1, [4]),
        ("API error record", None): (1, [5]),
    }
    assert (report.rows_read, report.rows_kept) == (7, 3)
    accounts = dict(con.execute("SELECT account_id, handle FROM accounts").fetchall())
    assert accounts == {"u1": "alice", "u2": "bob"}


def test_twitter_v1_jsonl(con):
    ingest([FIXTURES / "v1.jsonl"], connection=con)
    posts = _posts(con)
    assert posts["2001"]["client"] == "Twitter for Android"  # HTML anchor stripped
    assert posts["2001"]["urls"] == ["https://news.example.org/story"]
    assert posts["2002"]["kind"] == "repost"
    assert (posts["2002"]["repost_of_post"], posts["2002"]["repost_of_account"]) == ("2001", "10")
    assert posts["2002"]["hashtags"] == ["Tag"]  # from the retweeted status' entities
    assert posts["2002"]["mentions"] == ["99"]
    assert posts["2003"]["kind"] == "quote" and posts["2003"]["quote_of_post"] == "2001"
    carol = con.execute("SELECT handle, followers, following, created_at FROM accounts "
                        "WHERE account_id = '10'").fetchone()
    assert carol == ("carol", 3, 4, datetime(2023, 1, 1))


def test_twitter_v1_json_array(con, tmp_path):
    lines = (FIXTURES / "v1.jsonl").read_text().strip().splitlines()
    path = tmp_path / "tweets.json"
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n")
    report = ingest([path], connection=con).reports[0]
    assert (report.format, report.rows_kept, report.unit) == ("twitter-v1", 3, "item")


def test_telegram_export(con):
    report = ingest([FIXTURES / "telegram.json"], connection=con).reports[0]
    assert report.format == "telegram"
    assert _skips(report) == {("not a post (service)", "type"): (1, [1])}
    posts = _posts(con)
    assert set(posts) == {"777/2", "777/3", "777/4"}
    assert posts["777/2"]["urls"] == ["https://example.com/x"]
    assert posts["777/2"]["hashtags"] == ["news"]
    assert posts["777/2"]["mentions"] == ["someone"]
    assert posts["777/2"]["created_at"] == datetime(2024, 3, 4, 10, 5)
    assert posts["777/3"]["kind"] == "repost"
    assert posts["777/3"]["repost_of_account"] == "Other Channel"
    assert posts["777/3"]["repost_of_post"].startswith("fwd:")
    assert posts["777/4"]["kind"] == "reply" and posts["777/4"]["reply_to_post"] == "777/2"
    assert posts["777/4"]["urls"] == ["https://example.org/y"]  # text_link href
    text = con.execute("SELECT text FROM posts WHERE post_id = '777/2'").fetchone()[0]
    assert text == "Read https://example.com/x now #news @SomeOne"


def test_twarc_csv(con, tmp_path):
    path = tmp_path / "twarc.csv"
    path.write_text(
        "id,conversation_id,referenced_tweets.replied_to.id,referenced_tweets.retweeted.id,"
        "referenced_tweets.quoted.id,author_id,in_reply_to_user_id,retweeted_user_id,"
        "created_at,text,lang,source,entities.hashtags,entities.mentions,entities.urls,"
        "author.username,author.name,author.public_metrics.followers_count,"
        "__twarc.retrieved_at\n"
        '5,5,,4,,77,,66,2024-03-04T10:00:00.000Z,RT @x: hi,en,Twitter Web App,'
        '"[{""start"": 1, ""end"": 3, ""tag"": ""Tag""}]",'
        '"[{""id"": ""66"", ""username"": ""x""}]",'
        '"[{""url"": ""https://t.co/a"", ""expanded_url"": ""https://example.com/p""}]",'
        "eve,Eve,12,2024-03-05T00:00:00Z\n")
    report = ingest([path], connection=con).reports[0]
    assert report.format == "twarc-csv"
    post = _posts(con)["5"]
    assert (post["kind"], post["repost_of_post"], post["repost_of_account"]) == (
        "repost", "4", "66")
    assert (post["hashtags"], post["mentions"], post["urls"]) == (
        ["Tag"], ["66"], ["https://example.com/p"])
    assert con.execute("SELECT handle, followers FROM accounts").fetchone() == ("eve", 12)


def test_mapped_csv_table(con, tmp_path):
    path = tmp_path / "shares.csv"
    path.write_text("share,who,what,when,tags\n"
                    "s1,a,o1,1700000000,\"['x', 'y']\"\n"
                    "s2,b,o1,1700000005.5,z\n"
                    "s3,c,,2023-11-14T22:13:30Z,\n")
    mapping = {"post_id": "share", "account_id": "who", "repost_of_post": "what",
               "created_at": "when", "hashtags": "tags"}
    report = ingest([path], connection=con, mapping=mapping, platform="x").reports[0]
    assert report.format == "table" and report.rows_kept == 3
    posts = _posts(con)
    assert posts["s1"]["hashtags"] == ["x", "y"] and posts["s2"]["hashtags"] == ["z"]
    assert posts["s1"]["kind"] == "repost" and posts["s3"]["kind"] == "post"
    assert posts["s2"]["created_at"] == datetime(2023, 11, 14, 22, 13, 25, 500000)
    assert con.execute("SELECT DISTINCT platform FROM posts").fetchall() == [("x",)]


def test_mapped_long_table_merges_rows_of_one_post(con, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("post,acc,tag,ts\np1,a,t1,1700000000\np1,a,t2,1700000000\n"
                    "p1,a,t1,1700000000\np2,b,,1700000001\n")
    report = ingest([path], connection=con, mapping={
        "post_id": "post", "account_id": "acc", "hashtags": "tag", "created_at": "ts"}).reports[0]
    assert _posts(con)["p1"]["hashtags"] == ["t1", "t2"]
    assert _skips(report) == {
        ("merged into the first row of its post (long format)", None): (2, [3, 4])}


def test_mapped_parquet_table(con, tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": ["p1", "p2", None], "user": ["a", "b", "c"],
                             "ts": [1700000000, 1700000060, 1700000120],
                             "links": [["https://a.example"], [], ["https://c.example"]]}), path)
    report = ingest([path], connection=con, mapping={
        "post_id": "id", "account_id": "user", "created_at": "ts", "urls": "links"}).reports[0]
    assert (report.rows_read, report.rows_kept, report.unit) == (3, 2, "row")
    assert _skips(report) == {("missing value", "id"): (1, [3])}
    assert _posts(con)["p1"]["urls"] == ["https://a.example"]


def test_mapping_names_a_missing_column(con, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(IngestError, match=r"line 1, field 'nope': column not found"):
        ingest([path], connection=con, mapping={"account_id": "nope", "created_at": "b"})


def test_articles_csv(con):
    report = ingest([FIXTURES / "articles.csv"], connection=con).reports[0]
    assert report.format == "articles"
    assert _skips(report) == {("missing value", "byline"): (1, [4]),
                              ("unparseable time", "published_at"): (1, [5])}
    rows = con.execute("SELECT byline, outlet, published_at FROM articles ORDER BY byline"
                       ).fetchall()
    assert rows == [("Jane Roe", "Daily Example", datetime(2024, 3, 1)),
                    ("John Doe", "Other Times", datetime(2024, 3, 2, 8))]


def test_articles_jsonl_with_mapping(con, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"writer": "A. Person", "body": "Some text.", "when": "2024-01-02"}\n'
                    '{"writer": "B. Person", "body": "Other text.", "when": "2024-01-03"}\n')
    report = ingest([path], connection=con, mapping={"byline": "writer", "text": "body",
                                                     "published_at": "when"}).reports[0]
    assert (report.format, report.rows_kept) == ("articles", 2)
    assert con.execute("SELECT count(DISTINCT article_id) FROM articles").fetchone()[0] == 2


def test_unknown_format_is_explained(con, tmp_path):
    path = tmp_path / "mystery.csv"
    path.write_text("foo,bar\n1,2\n")
    with pytest.raises(IngestError, match=r"mystery.csv, line 1: cannot tell the format"):
        ingest([path], connection=con)


def test_second_ingest_of_same_file_keeps_posts_once(con):
    ingest([FIXTURES / "v1.jsonl"], connection=con)
    report = ingest([FIXTURES / "v1.jsonl"], connection=con).reports[0]
    assert report.rows_kept == 0
    assert _skips(report) == {("duplicate post id", "id_str"): (3, [1, 2, 3])}
    assert con.execute("SELECT count(*) FROM posts").fetchone()[0] == 3


def test_r_style_na_tokens_are_missing_values(con, tmp_path):
    # a table saved from R: NA for missing post ids and urls (issue 13)
    rows = ["content_id,account_id,object_id,url,timestamp_share"]
    rows += [f"c{i},a{i % 3},o{i % 4},{'NA' if i % 2 else f'https://x.example/{i}'},"
             f"{1_700_000_000 + i}" for i in range(12)]
    rows += [f"NA,a{i},o1,NA,{1_700_001_000 + i}" for i in range(3)]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    mapping = {"post_id": "content_id", "account_id": "account_id",
               "repost_of_post": "object_id", "urls": "url", "created_at": "timestamp_share"}
    report = ingest([tmp_path / "r.csv"], connection=con, fmt="table", mapping=mapping
                    ).reports[0]
    assert (report.rows_read, report.rows_kept) == (15, 12)
    assert [(s.reason, s.field, s.count) for s in report.skips] == [
        ("missing value", "content_id", 3)]
    assert con.execute("SELECT count(*) FROM posts WHERE len(urls) > 0").fetchall() == [(6,)]
    assert con.execute("SELECT count(*) FROM posts WHERE list_contains(urls, 'NA')"
                       ).fetchall() == [(0,)]
    kept = connect()
    again = ingest([tmp_path / "r.csv"], connection=kept, fmt="table", mapping=mapping,
                   na=[]).reports[0]
    assert again.rows_kept == 13  # "NA" taken literally: one post id NA, two duplicates


def test_telegram_forwards_of_different_media_are_different_reposts(con, tmp_path):
    import json

    def forward(i, source, media):
        message = {"id": i, "type": "message", "date": "2024-03-04T10:00:00",
                   "date_unixtime": str(1709546400 + i), "from": "C", "from_id": "channel1",
                   "forwarded_from": source, "text": ""}
        message.update(media)
        return message

    video = {"media_type": "video_file", "file": "video_files/clip.mp4",
             "duration_seconds": 31, "width": 1280, "height": 720}
    messages = [forward(1, "News", video),
                forward(2, "News", {"photo": "photos/photo_1@04-03.jpg", "width": 800,
                                    "height": 600}),
                forward(3, "News", {"photo": "photos/photo_2@04-03.jpg", "width": 640,
                                    "height": 480}),
                forward(4, "News", video)]
    (tmp_path / "result.json").write_text(json.dumps(
        {"name": "C", "type": "public_channel", "id": 1, "messages": messages}))
    ingest([tmp_path / "result.json"], connection=con)
    keys = [r[0] for r in con.execute(
        "SELECT repost_of_post FROM posts ORDER BY post_id").fetchall()]
    assert keys[0] == keys[3]  # the same video forwarded twice: one repost key
    assert len(set(keys[:3])) == 3  # caption-less forwards of different media differ
    media = con.execute("SELECT media FROM posts ORDER BY post_id").fetchall()
    assert media[0][0] == ["video_file|clip.mp4|31|1280|720"]


def test_old_telegram_exports_say_their_times_are_local(tmp_path):
    import json

    from typer.testing import CliRunner

    from sockscope.cli import app

    messages = [{"id": i, "type": "message", "date": f"2024-03-04T1{i}:00:00", "from": "C",
                 "from_id": "channel1", "text": f"old message {i}"} for i in range(3)]
    messages.append({"id": 9, "type": "message", "date": "2024-03-04T10:00:00",
                     "date_unixtime": "1709546400", "from": "C", "from_id": "channel1",
                     "text": "new message"})
    (tmp_path / "result.json").write_text(json.dumps(
        {"name": "C", "type": "public_channel", "id": 1, "messages": messages}))
    db = tmp_path / "run.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "result.json"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "3 messages give only the exporter's local time" in " ".join(result.output.split())
    shown = CliRunner().invoke(app, ["info", "--db", str(db)])
    assert "pass --timezone ZONE" in " ".join(shown.output.replace("│", " ").split())
    utc = dict(connect(db, read_only=True).execute(
        "SELECT post_id, created_at FROM posts").fetchall())
    assert utc["1/0"] == datetime(2024, 3, 4, 10, 0)  # taken as UTC, and said so
    moscow = connect()
    report = ingest([tmp_path / "result.json"], connection=moscow,
                    timezone="Europe/Moscow").reports[0]
    assert report.notes == ["3 messages give only the exporter's local time (an old export); "
                            "read as Europe/Moscow time"]
    times = dict(moscow.execute("SELECT post_id, created_at FROM posts").fetchall())
    assert times["1/0"] == datetime(2024, 3, 4, 7, 0)  # 10:00 in Moscow is 07:00 UTC
    assert times["1/9"] == datetime(2024, 3, 4, 10, 0)  # date_unixtime is UTC already
    with pytest.raises(IngestError, match="unknown time zone"):
        ingest([tmp_path / "result.json"], connection=connect(), timezone="Mars/Olympus")


def test_generic_table_naive_times_in_a_time_zone(con, tmp_path):
    (tmp_path / "t.csv").write_text("id,who,when\n1,a,2024-03-04 12:00:00\n"
                                    "2,b,2024-03-04T12:00:00+02:00\n3,c,1709553600\n")
    mapping = {"post_id": "id", "account_id": "who", "created_at": "when"}
    ingest([tmp_path / "t.csv"], connection=con, fmt="table", mapping=mapping,
           timezone="America/New_York")
    times = dict(con.execute("SELECT post_id, created_at FROM posts").fetchall())
    assert times == {"1": datetime(2024, 3, 4, 17, 0),  # naive: New York time (UTC-5)
                     "2": datetime(2024, 3, 4, 10, 0),  # its own offset wins
                     "3": datetime(2024, 3, 4, 12, 0)}  # epoch seconds are UTC
