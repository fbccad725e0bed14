"""The formats researchers have beyond the first readers: JSON arrays and pretty-printed
documents, v1.1 search responses, v2 user files, Hydrator and twarc1 CSV. Each fixture
in ``fixtures/formats`` is written in the real tool's layout; counts, ids, kinds and
UTC times are checked exactly."""

from __future__ import annotations

from datetime import datetime

import pytest

from sockscope.api import ingest
from sockscope.errors import IngestError

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


def test_broken_json_document_is_refused_with_its_reason(tmp_path, con):
    bad = tmp_path / "broken.json"
    bad.write_text('[{"id": "1", "author_id": "2",\n "text": "x"},\n {"id": ')
    with pytest.raises(IngestError, match="not valid JSON"):
        ingest([bad], connection=con)
