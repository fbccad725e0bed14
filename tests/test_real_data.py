"""The readers on the real data in ../shared/data."""

from __future__ import annotations

from datetime import datetime

from sockscope.api import info, ingest

from .conftest import COORTWEET, THAILAND, needs


@needs(THAILAND)
def test_thailand_archive(con):
    result = ingest(sorted(THAILAND.glob("*.zip")), connection=con)
    assert [r.format for r in result.reports] == ["archive-tweets", "archive-users"]
    assert result.rows_skipped == 0
    summary = info(con)
    assert summary["posts"] == 21_385
    assert summary["posting_accounts"] == 455
    assert summary["profiles"] == 926
    assert summary["time_precision_s"] == {60: 21_385}
    assert summary["kinds"] == {"repost": 11_199, "reply": 6_844, "quote": 2_241, "post": 1_101}
    # Thai hashtags survive the list-string parsing
    tags = con.execute("SELECT hashtags FROM posts WHERE post_id = '1227794355093590018'"
                       ).fetchone()[0]
    assert tags == ["ทํางานวนไป", "อนาคตใหม่"]
    first = con.execute("SELECT created_at, urls FROM posts WHERE post_id = '1196659470232772609'"
                        ).fetchone()
    assert first[0] == datetime(2019, 11, 19, 5, 20)
    assert first[1][0].startswith("https://www.thansettakij.com/content/politics/414883")


@needs(COORTWEET)
def test_coortweet_russian_retweets_with_mapping(con):
    report = ingest([COORTWEET / "russian_coord_tweets.csv.gz"], connection=con, mapping={
        "post_id": "content_id", "account_id": "account_id", "repost_of_post": "object_id",
        "created_at": "timestamp_share"}, platform="twitter").reports[0]
    assert report.rows_read == 35_125
    assert report.rows_kept + report.rows_skipped == 35_125
    assert {s.reason for s in report.skips} <= {"duplicate post id"}
    kinds = dict(con.execute("SELECT kind, count(*) FROM posts GROUP BY 1").fetchall())
    assert kinds == {"repost": report.rows_kept}


@needs(COORTWEET)
def test_coortweet_german_elections_long_format(con):
    report = ingest([COORTWEET / "german_elections.csv.gz"], connection=con, mapping={
        "post_id": "post_id", "account_id": "account_id", "urls": "url_id",
        "hashtags": "hashtag_id", "media": "phash_id", "created_at": "timestamp"}).reports[0]
    assert report.rows_read == 218_971
    assert report.rows_kept + report.rows_skipped == 218_971
    merged = [s for s in report.skips if s.reason.startswith("merged")]
    assert merged and merged[0].count > 20_000
    # post 39764 has ten rows, one per (repeated) image hash: one post, four hashes
    row = con.execute("SELECT account_id, hashtags, media FROM posts WHERE post_id = '39764'"
                      ).fetchone()
    assert row == ("tw_29488", ["60259"], ["27601", "19934", "36153", "36811"])
