"""The formats researchers have beyond the first readers: JSON arrays and pretty-printed
documents, v1.1 search responses, v2 user files, Hydrator and twarc1 CSV. Each fixture
in ``fixtures/formats`` is written in the real tool's layout; counts, ids, kinds and
UTC times are checked exactly."""

from __future__ import annotations

from datetime import datetime

import pytest
from typer.testing import CliRunner

from sockscope.api import ingest
from sockscope.cli import app
from sockscope.errors import IngestError
from sockscope.store.database import connect

from .conftest import FIXTURES

FORMATS = FIXTURES / "formats"


def _posts(con) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, created_at, kind, repost_of_post, repost_of_account, "
        "reply_to_post, quote_of_post, hashtags, urls FROM posts ORDER BY post_id").fetchall()}


def test_academictwitter_data_json_array(con):
    report = ingest([FORMATS / "academictwitter_data_1400000000000000003.json"],
                    connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept, report.rows_skipped) == \
        ("twitter-v2-jsonl", 3, 3, 0)
    assert report.unit == "item" and "JSON array of 3 records" in report.notes[0]
    posts = _posts(con)
    assert posts["1400000000000000001"][:3] == ("2244994945", datetime(2021, 6, 2, 10), "post")
    assert posts["1400000000000000001"][7:] == (["Vote"], ["https://example.org/story"])
    assert posts["1400000000000000002"][2:4] == ("repost", "1400000000000000001")
    # "entities": {} and "attachments": {} are empty, not a reason to skip
    assert posts["1400000000000000003"][2:] == ("reply", None, None, "1400000000000000001",
                                                None, [], [])


def test_academictwitter_users_fill_the_accounts_table(con):
    report = ingest([FORMATS / "academictwitter_users_1400000000000000003.json"],
                    connection=con).reports[0]
    assert (report.format, report.target, report.rows_kept, report.rows_skipped) == \
        ("twitter-v2-users", "accounts", 3, 0)
    rows = con.execute("SELECT account_id, handle, created_at, followers, has_profile "
                       "FROM accounts ORDER BY account_id").fetchall()
    assert rows == [("2244994945", "TwitterDev", datetime(2013, 12, 14, 4, 35, 55), 513958, True),
                    ("783214", "Twitter", datetime(2007, 2, 20, 14, 35, 54), 60000000, True),
                    ("99", "lurker_99", datetime(2021, 5, 30, 8), 1, True)]
    assert con.execute("SELECT count(*) FROM posts").fetchall()[0][0] == 0


def test_twarc2_users_pages(con):
    report = ingest([FORMATS / "twarc2_users.jsonl"], connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == ("twitter-v2-users", 3, 3)
    assert {r[0] for r in con.execute("SELECT handle FROM accounts").fetchall()} == \
        {"TwitterDev", "Twitter", "lurker_99"}


def test_pretty_printed_twarc2_page(con):
    report = ingest([FORMATS / "twarc2_page_pretty.json"], connection=con).reports[0]
    assert (report.format, report.rows_kept, report.rows_skipped) == ("twitter-v2-jsonl", 2, 0)
    assert "several lines" in report.notes[0]
    posts = _posts(con)
    assert posts["1400000000000000002"][2:4] == ("repost", "1400000000000000001")
    assert con.execute("SELECT handle FROM accounts WHERE account_id = '783214'"
                       ).fetchall() == [("Twitter",)]


def test_v1_search_responses_pretty_printed(con):
    report = ingest([FORMATS / "v1_search_pretty.json"], connection=con).reports[0]
    assert report.format == "twitter-v1"
    # two tweets in the first response; the second response holds none: counted
    assert (report.rows_kept, report.rows_skipped) == (2, 1)
    assert [(s.reason, s.positions) for s in report.skips] == \
        [("search page without tweets", [2])]
    posts = _posts(con)
    assert posts["1400000000000000012"][:5] == ("502", datetime(2021, 6, 2, 10, 0, 4), "repost",
                                                "1400000000000000011", "501")
    assert posts["1400000000000000011"][7] == ["Vote"]


def test_hydrator_csv(con):
    report = ingest([FORMATS / "hydrator.csv"], connection=con).reports[0]
    assert (report.format, report.rows_kept, report.rows_skipped) == ("twitter-v1-csv", 4, 0)
    assert any("only by handle" in n for n in report.notes)
    posts = _posts(con)
    assert posts["1400000000000000021"][:3] == ("501", datetime(2021, 6, 2, 10), "post")
    assert posts["1400000000000000021"][7:] == (["Vote", "Elections"],
                                                ["https://example.org/story",
                                                 "https://example.org/b"])
    assert posts["1400000000000000022"][2:4] == ("repost", "1400000000000000021")
    assert posts["1400000000000000023"][2:] == ("reply", None, None, "1400000000000000021",
                                                None, [], [])
    assert posts["1400000000000000024"][2] == "quote"
    assert posts["1400000000000000024"][6] == "1400000000000000021"
    clients = {r[0] for r in con.execute("SELECT client FROM posts").fetchall()}
    assert "Twitter Web App" in clients


def test_twarc1_csv(con):
    report = ingest([FORMATS / "twarc1.csv"], connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == ("twitter-v1-csv", 5, 4)
    assert [(s.reason, s.field, s.positions) for s in report.skips] == \
        [("unparseable time", "created_at", [6])]
    posts = _posts(con)
    assert posts["1400000000000000032"][2:5] == ("repost", "1400000000000000031", "501")
    assert posts["1400000000000000033"][2] == "quote"
    assert posts["1400000000000000033"][6] == "1400000000000000031"
    assert posts["1400000000000000034"][2] == "reply"


def test_hydrator_and_twarc1_mentions_come_from_the_text(con):
    """Neither CSV has a mentions column: the @handles of the text are the mentions (the
    retweet's "RT @ann:" included, as the API's entities list it)."""
    for name in ("hydrator.csv", "twarc1.csv"):
        ingest([FORMATS / name], connection=con)
    mentions = dict(con.execute("SELECT post_id, mentions FROM posts").fetchall())
    assert mentions["1400000000000000022"] == ["ann"]  # RT @ann: Go vote …
    assert all(isinstance(m, list) for m in mentions.values())


@pytest.mark.parametrize("text, handles", [
    ("RT @Ann: go", ["ann"]), ("hi @bob and @Carol_9!", ["bob", "carol_9"]),
    ("mail me at a@b.com", []), ("@start of text", ["start"]), ("no mention", []),
    ("(@paren)", ["paren"]), ("@@double", []), (None, [])])
def test_mentions_from_a_text(con, text, handles):
    assert con.execute("SELECT ss_text_mentions(?)", [text]).fetchall()[0][0] == handles


def test_broken_json_document_is_refused_with_its_reason(tmp_path, con):
    bad = tmp_path / "broken.json"
    bad.write_text('[{"id": "1", "author_id": "2",\n "text": "x"},\n {"id": ')
    with pytest.raises(IngestError, match="not valid JSON"):
        ingest([bad], connection=con)


def test_crowdtangle_csv(con):
    report = ingest([FORMATS / "crowdtangle.csv"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("crowdtangle", 3)
    # an unknown time zone abbreviation is a bad time, counted, never guessed
    assert [(s.reason, s.field, s.positions) for s in report.skips] == \
        [("unparseable time", "Post Created", [5])]
    rows = con.execute("SELECT platform, post_id, account_id, created_at, urls, hashtags "
                       "FROM posts ORDER BY created_at").fetchall()
    assert rows[0] == ("facebook", "https://www.facebook.com/dailypatriotnews/posts/3001",
                       "100200300400", datetime(2021, 3, 1, 15, 15, 2),  # EST = UTC-5
                       ["https://example-news.com/story/42"], ["truth"])
    assert rows[1][3] == datetime(2021, 3, 1, 15, 15, 40)
    assert rows[1][4] == ["https://example-news.com/story/42"]  # Link, no Final Link
    assert rows[2][3] == datetime(2021, 7, 1, 16, 0)  # CEST = UTC+2
    assert con.execute("SELECT handle, display_name, followers FROM accounts "
                       "WHERE account_id = '100200300400'").fetchall() == \
        [("dailypatriotnews", "Daily Patriot News", 1500)]


def test_fivethirtyeight_ira_csv(con):
    report = ingest([FORMATS / "IRAhandle_tweets_1.csv"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("ira-538", 3)
    assert [(s.reason, s.field, s.positions) for s in report.skips] == \
        [("unparseable time", "publish_date", [5])]
    assert any("no id for the tweet a retweet reposts" in n for n in report.notes)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, created_at, time_precision_s, kind, repost_of_account, "
        "hashtags, urls FROM posts").fetchall()}
    assert rows["914580356430536707"] == ("906000000000000000", datetime(2017, 10, 1, 19, 58),
                                          60, "post", None, ["MAGA"],
                                          ["https://example.com/vote"])
    # the retweeted account is in the file: its numeric id, not its handle
    assert rows["914581000000000000"][3:5] == ("repost", "906000000000000000")
    # an id written as a float cannot be trusted: the handle stands in
    assert rows["815966000000000000"][0] == "dailysanfran"


def test_pushshift_reddit(con):
    report = ingest([FORMATS / "reddit_comments.ndjson"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("reddit", 3)
    assert [(s.reason, s.field, s.positions) for s in report.skips] == \
        [("author deleted or removed", "author", [3])]  # the [deleted] author, named
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, created_at, kind, reply_to_post, urls, mentions, text "
        "FROM posts").fetchall()}
    assert rows["t3_lv1abc"][:5] == ("alice", datetime(2021, 3, 1, 10, 15, 2), "post", None,
                                     ["https://example.org/big-story"])
    assert rows["t1_gpq1"][2:4] == ("reply", "t3_lv1abc")
    assert rows["t1_gpq1"][5] == ["alice"]
    assert rows["t3_lv1def"][4] == [] and rows["t3_lv1def"][6] == "Question?\n\nDetails here"


def test_mastodon_statuses(con):
    report = ingest([FORMATS / "mastodon_public_timeline.json"], connection=con).reports[0]
    assert (report.format, report.rows_kept, report.rows_skipped) == ("mastodon", 3, 0)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, repost_of_post, repost_of_account, reply_to_post, "
        "text, hashtags, urls, mentions, media, client FROM posts").fetchall()}
    assert rows["109300000000000001"][:2] == ("1001", "post")
    assert rows["109300000000000001"][5:9] == ("Polls open & lines are long #vote", ["vote"],
                                               ["https://example.org/polls"], [])
    boost = rows["109300000000000002"]
    assert boost[1:4] == ("repost", "109300000000000001", "1001")
    assert boost[6] == ["vote"]  # the boosted status's tags
    reply = rows["109300000000000003"]
    assert reply[1] == "reply" and reply[4] == "109300000000000001"
    assert reply[8:] == (["1001"], ["https://files.example/m/5.png"], "Tusky")
    assert con.execute("SELECT handle, description FROM accounts WHERE account_id = '1003'"
                       ).fetchall() == [("cy", "Hello & welcome")]


def test_time_format_and_list_separators_of_a_generic_table(tmp_path):
    # a 4CAT-like export: day-first times without seconds, comma-separated hashtags,
    # space-separated URLs
    (tmp_path / "export.csv").write_text(
        "id,author,timestamp,hashtags,urls\n"
        "1,ann,01/02/2021 10:15,\"vote, polls\",https://a.example https://b.example\n"
        "2,bob,13/02/2021 23:59,,\n"
        "3,cy,31/02/2021 10:00,x,\n")
    db = tmp_path / "run.duckdb"
    result = CliRunner().invoke(app, [
        "ingest", str(tmp_path / "export.csv"), "--db", str(db),
        "--map", "post_id=id", "--map", "account_id=author", "--map", "created_at=timestamp",
        "--map", "hashtags=hashtags", "--map", "urls=urls",
        "--time-format", "%d/%m/%Y %H:%M", "--list-sep", "hashtags=,", "--list-sep", "urls= ",
        "--timezone", "Europe/Berlin"])
    assert result.exit_code == 0, result.output
    con = connect(db)
    rows = con.execute("SELECT post_id, created_at, time_precision_s, hashtags, urls "
                       "FROM posts ORDER BY post_id").fetchall()
    assert rows == [("1", datetime(2021, 2, 1, 9, 15), 60, ["vote", "polls"],
                     ["https://a.example", "https://b.example"]),
                    ("2", datetime(2021, 2, 13, 22, 59), 60, [], [])]
    # 31 February is no date: skipped and counted, with its line
    skipped = con.execute("SELECT skipped FROM ingest_log").fetchall()[0][0]
    assert [(s["reason"], s["field"], s["first_positions"]) for s in skipped] == \
        [("unparseable time", "timestamp", [4])]


@pytest.mark.parametrize(("options", "message"), [
    (["--time-format", "dd/mm/yyyy"], "strptime codes"),
    (["--list-sep", "tags"], "COLUMN=SEP"),
])
def test_bad_table_layout_options_are_named(tmp_path, options, message):
    (tmp_path / "t.csv").write_text("id,author,timestamp\n1,ann,2021-01-01\n")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "t.csv"),
                                      "--map", "account_id=author",
                                      "--map", "created_at=timestamp", *options])
    assert result.exit_code == 2 and message in result.output


def test_unknown_json_says_what_it_saw_and_what_to_try(tmp_path, con):
    users = tmp_path / "users.json"  # v1.1 user objects: no reader takes users of v1.1
    users.write_text('[{"screen_name": "ann", "name": "Ann"}, {"screen_name": "bob"}]')
    with pytest.raises(IngestError, match=r"cannot tell the format: a JSON array of 2 records "
                       r"whose first record has the keys name, screen_name: try --format "
                       r"twitter-v1"):
        ingest([users], connection=con)
    other = tmp_path / "other.jsonl"
    other.write_text('{"foo": 1, "bar": 2}\n')
    with pytest.raises(IngestError, match=r"JSON lines whose first record has the keys bar, "
                       r"foo: no reader knows these fields"):
        ingest([other], connection=con)


def test_forced_format_on_a_pretty_printed_document_counts_records(con):
    # forcing the reader does not turn each physical line into a "malformed" record
    report = ingest([FORMATS / "v1_search_pretty.json"], fmt="twitter-v1",
                    connection=con).reports[0]
    assert (report.rows_read, report.rows_kept, report.rows_skipped, report.unit) == \
        (3, 2, 1, "item")
    wrong = ingest([FORMATS / "twarc2_page_pretty.json"], fmt="twitter-v1",
                   connection=con, allow_empty=True).reports[0]
    # one record (the page), not 60 lines: the page is not a v1.1 tweet
    assert (wrong.rows_read, wrong.rows_kept) == (1, 0)
    with pytest.raises(IngestError, match="1 record read with the twitter-v1 reader "
                                          r"\(forced with --format\) and none kept"):
        ingest([FORMATS / "twarc2_page_pretty.json"], fmt="twitter-v1", connection=con)


def test_4cat_twitter_csv(con):
    report = ingest([FORMATS / "4cat_twitter.csv"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("4cat-twitter", 3)
    assert [(s.reason, s.positions) for s in report.skips] == [("missing value", [5])]
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, created_at, kind, repost_of_account, reply_to_post, "
        "reply_to_account, hashtags, urls, mentions, media FROM posts").fetchall()}
    assert rows["1700000000000000001"][:3] == ("501", datetime(2023, 9, 8, 10), "post")
    assert rows["1700000000000000001"][6:] == (["Vote", "Elections"],
                                               ["https://example.org/polls"], [],
                                               ["https://pbs.twimg.com/media/x.jpg"])
    # the retweeted and replied-to handle is in the file: its id
    assert rows["1700000000000000002"][2:4] == ("repost", "501")
    assert rows["1700000000000000003"][2:6] == ("reply", None, "1700000000000000001", "501")


def test_mastodon_44_quotes_are_quotes(con):
    """Mastodon 4.4's quote posts: ``quote.quoted_status`` (accepted) or
    ``quote.quoted_status_id`` (pending) name the quoted status."""
    report = ingest([FORMATS / "mastodon_44_quotes.jsonl"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("mastodon", 3)
    rows = dict((r[0], r[1:]) for r in con.execute(
        "SELECT post_id, kind, quote_of_post FROM posts").fetchall())
    assert rows["114900000000000001"] == ("post", None)
    assert rows["114900000000000002"] == ("quote", "114900000000000001")
    assert rows["114900000000000003"] == ("quote", "114900000000000001")


def test_truth_social_statuses(con):
    report = ingest([FORMATS / "truthsocial_statuses.json"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("truthsocial", 3)
    rows = dict((r[0], r[1:]) for r in con.execute(
        "SELECT post_id, platform, kind, quote_of_post, repost_of_post, text "
        "FROM posts").fetchall())
    assert rows["113000000000000102"][:3] == ("truthsocial", "quote", "113000000000000101")
    assert rows["113000000000000103"][1:4] == ("repost", None, "113000000000000101")
    assert rows["113000000000000101"][4] == "Big announcement today"


def _crowdtangle_with(tmp_path, zone: str):
    lines = (FORMATS / "crowdtangle.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "ct.csv").write_text("\n".join(
        [lines[0], *(line.replace(" EST,", f" {zone},") for line in lines[1:3])]) + "\n",
        encoding="utf-8")
    return tmp_path / "ct.csv"


@pytest.mark.parametrize("zone, hour", [("BRT", 13), ("AEST", 0), ("SAST", 8), ("WIB", 3),
                                        ("EST", 15), ("IST", 4)])
def test_crowdtangle_zone_abbreviations_from_the_tz_database(tmp_path, con, zone, hour):
    """Any abbreviation the tz database (or, for the retired ones like BRT, the tools)
    gives one meaning is read; CrowdTangle's own list fixes IST (+05:30) and CST."""
    report = ingest([_crowdtangle_with(tmp_path, zone)], connection=con).reports[0]
    assert report.rows_kept == 2, report.skips
    first = con.execute("SELECT min(created_at) FROM posts").fetchall()[0][0]
    assert first.hour == hour  # 10:15 local


def test_an_ambiguous_zone_abbreviation_is_refused_by_name(tmp_path, con):
    with pytest.raises(IngestError, match=r"ambiguous time-zone abbreviation \(KST is "
                                          r"\+08:30 or \+09:00"):
        ingest([_crowdtangle_with(tmp_path, "KST")], connection=con)


def test_an_unreadable_time_shows_its_first_value(con):
    report = ingest([FORMATS / "crowdtangle.csv"], connection=con).reports[0]
    skip = next(s for s in report.skips if s.reason == "unparseable time")
    assert skip.example is not None and skip.example in report.notes[-1]
    assert "--time-format" in report.notes[-1]


def test_snscrape_tweets(con):
    """snscrape --jsonl twitter-search, new (rawContent, links, media by kind) and old
    (content, outlinks) field names."""
    report = ingest([FORMATS / "snscrape_tweets.jsonl"], connection=con).reports[0]
    assert (report.format, report.rows_kept, report.rows_skipped) == ("snscrape", 3, 0)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, repost_of_post, repost_of_account, reply_to_post, "
        "reply_to_account, quote_of_post, urls, hashtags, mentions, media, client, text "
        "FROM posts").fetchall()}
    ann, bob, cat = (rows[f"160000000000000000{i}"] for i in (1, 2, 3))
    assert ann[:2] == ("501", "post") and ann[7:9] == (["https://example.org/polls"], ["Vote"])
    assert ann[10:12] == (["https://pbs.twimg.com/media/X.jpg"], "Twitter Web App")
    assert bob[1:4] == ("repost", "1600000000000000001", "501")
    # a retweet's entities are the original's (as in the v1.1 reader)
    assert bob[7:10] == (["https://example.org/polls"], ["Vote"], [])
    assert cat[1] == "reply" and cat[4:7] == ("1600000000000000001", "501",
                                              "1600000000000000001")
    assert cat[7] == ["https://news.example/x"] and cat[12] == "@ann agreed, see https://t.co/b"
    profile = con.execute("SELECT handle, display_name, followers FROM accounts "
                          "WHERE account_id = '501' AND has_profile").fetchall()
    assert profile == [("ann", "Ann", 10)]


def test_bluesky_jetstream_events(con):
    """Jetstream: posts and reposts are read; a like and an identity event are counted
    skips naming what they are."""
    report = ingest([FORMATS / "bluesky_jetstream.jsonl"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("bluesky", 4)
    assert sorted((s.reason, s.count) for s in report.skips) == [
        ("not a post (app.bsky.feed.like)", 1), ("not a post (identity)", 1)]
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, repost_of_post, repost_of_account, reply_to_post, "
        "reply_to_account, quote_of_post, urls, hashtags, mentions, lang FROM posts"
    ).fetchall()}
    original = "at://did:plc:ann111/app.bsky.feed.post/3l3qo2vuowo2b"
    assert rows[original][:2] == ("did:plc:ann111", "post")
    assert rows[original][7:] == (["https://news.example/a"], ["vote"], [], "en")
    repost = rows["at://did:plc:bob222/app.bsky.feed.repost/3l3qo2vuxxx2c"]
    assert repost[1:4] == ("repost", original, "did:plc:ann111")
    reply = rows["at://did:plc:cat333/app.bsky.feed.post/3l3qo2vuyyy2d"]
    assert reply[1] == "reply" and reply[4:6] == (original, "did:plc:ann111")
    assert reply[9] == ["did:plc:ann111"]
    quote = rows["at://did:plc:fay666/app.bsky.feed.post/3l3qo2vuqqq2f"]
    assert quote[1] == "quote" and quote[6] == original


def test_bluesky_api_views_and_flat_collector_lines(con):
    report = ingest([FORMATS / "bluesky_search_posts.jsonl"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("bluesky", 2)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, quote_of_post, urls, hashtags FROM posts"
    ).fetchall()}
    assert rows["at://did:plc:gus777/app.bsky.feed.post/3kabc1"] == (
        "did:plc:gus777", "post", None, ["https://news.example/b"], [])
    assert rows["at://did:plc:hal888/app.bsky.feed.post/3kabc2"] == (
        "did:plc:hal888", "quote", "at://did:plc:gus777/app.bsky.feed.post/3kabc1", [],
        ["Story"])
    assert con.execute("SELECT handle, display_name FROM accounts WHERE account_id = "
                       "'did:plc:gus777' AND has_profile").fetchall() == [
        ("gus.bsky.social", "Gus")]
    flat = ingest([FORMATS / "bluesky_collector.jsonl"], connection=con).reports[0]
    assert (flat.format, flat.rows_kept) == ("bluesky", 2)
    assert con.execute("SELECT account_id FROM posts WHERE post_id = "
                       "'at://did:plc:abc123xyz/app.bsky.feed.post/3kq2xyz2abc2e'"
                       ).fetchall() == [("did:plc:abc123xyz",)]


def test_youtube_data_api_comment_threads(con):
    """A commentThreads.list response saved whole: top-level comments reply to the video,
    replies to their parent comment."""
    report = ingest([FORMATS / "youtube_comment_threads.json"], connection=con).reports[0]
    assert (report.format, report.rows_kept, report.rows_skipped) == ("youtube", 3, 0)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, reply_to_post, reply_to_account, mentions, text "
        "FROM posts").fetchall()}
    assert rows["UgzAAA111"][:5] == ("UCviewerOne0000000000000", "reply", "dQw4w9WgXcQ",
                                     "UCvideoChannel0000000000", ["someone"])
    assert rows["UgzAAA111.9xyzREPLY"][1:4] == ("reply", "UgzAAA111", None)
    assert rows["UgzBBB222"][2] == "dQw4w9WgXcQ"
    assert con.execute("SELECT handle FROM accounts WHERE account_id = "
                       "'UCviewerTwo0000000000000'").fetchall() == [("@viewer_two",)]


def test_youtube_comment_downloader_lines(con):
    report = ingest([FORMATS / "youtube_comments.jsonl"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("youtube", 2)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, reply_to_post, created_at FROM posts").fetchall()}
    top, reply = rows["UgzKx1abcDEF2ghiJk54AaABAg"], rows["UgzKx1abcDEF2ghiJk54AaABAg.9abcDEFghij"]
    assert top[:3] == ("UCabcdefghijklmnopqrstuv", "post", None)
    assert reply[1:3] == ("reply", "UgzKx1abcDEF2ghiJk54AaABAg")
    assert top[3] == datetime(2022, 4, 29, 12, 16, 7)


def test_zeeschuimer_tiktok_and_instagram(con):
    report = ingest([FORMATS / "zeeschuimer_tiktok.ndjson"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("zeeschuimer", 2)
    assert [(s.reason, s.field) for s in report.skips] == [
        ("not read here (x.com items: import them into 4CAT)", "source_platform")]
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, platform, account_id, kind, quote_of_post, hashtags, mentions, "
        "created_at FROM posts").fetchall()}
    assert rows["7300000000000000001"][:6] == ("tiktok", "6800000000000000001", "post", None,
                                               ["vote", "election"], ["friend_one"])
    assert rows["7300000000000000002"][1:4] == ("creator_two", "quote", "7300000000000000001")
    assert rows["7300000000000000002"][6] == datetime(2024, 3, 4, 11, 1)
    insta = ingest([FORMATS / "zeeschuimer_instagram.ndjson"], connection=con).reports[0]
    assert (insta.format, insta.rows_kept) == ("zeeschuimer", 2)
    assert con.execute("SELECT platform, account_id, hashtags FROM posts WHERE post_id = "
                       "'3312345678901234567_123456789'").fetchall() == [
        ("instagram", "123456789", ["election"])]
    assert con.execute("SELECT handle FROM accounts WHERE account_id = '123456789'"
                       ).fetchall() == [("some_account",)]


def test_mastodon_account_archive_outbox(con):
    report = ingest([FORMATS / "mastodon_outbox.json"], connection=con).reports[0]
    assert (report.format, report.rows_kept) == ("activitypub-outbox", 3)
    assert [(s.reason, s.field) for s in report.skips] == [("not a post (Like)", "type")]
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, repost_of_post, repost_of_account, reply_to_post, "
        "urls, hashtags, mentions, media, lang, text FROM posts").fetchall()}
    base = "https://social.example/users/ann/statuses/11100000000000000"
    first = rows[base + "1"]
    assert first[:2] == ("https://social.example/users/ann", "post")
    assert first[5:10] == (["https://news.example/story"], ["vote"],
                           ["https://other.example/users/bob"],
                           ["https://files.social.example/a.png"], "en")
    assert first[10].startswith("Read news.example/story #vote")
    boost = rows[base + "2/activity"]
    assert boost[1:4] == ("repost", "https://other.example/users/bob/statuses/110999999999999999",
                          "https://other.example/users/bob")
    assert rows[base + "3"][1] == "reply"
