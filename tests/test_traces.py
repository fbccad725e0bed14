"""Each trace on hand-made posts with known pairs; window edges; the hot-key cap."""

from __future__ import annotations

import pytest

from sockscope.detect.coaction import build_coactions
from sockscope.detect.scratch import Scratch
from sockscope.plugins import TRACES

from .posts_factory import insert, post


def pairs(con, trace: str, window: int, cap: int = 50) -> set[tuple[str, str, str]]:
    build_coactions(Scratch(con), TRACES[trace], window, cap)
    return set(con.execute("SELECT account_a, account_b, key FROM coacts").fetchall())


def test_co_repost_window_edges(con):
    # b acts exactly W after a (in), c acts W + 1 after b (out), d is far away
    insert(con, [post("r1", "a", 0, kind="repost", repost_of_post="P"),
                 post("r2", "b", 10, kind="repost", repost_of_post="P"),
                 post("r3", "c", 21, kind="repost", repost_of_post="P"),
                 post("r4", "d", 500, kind="repost", repost_of_post="P"),
                 post("r5", "a", 0, kind="repost", repost_of_post="Q")])
    assert pairs(con, "co-repost", 10) == {("a", "b", "P")}


def test_co_reply_and_co_quote(con):
    insert(con, [post("1", "a", 0, kind="reply", reply_to_post="T", reply_to_account="t"),
                 post("2", "b", 30, kind="reply", reply_to_post="T", reply_to_account="t"),
                 post("3", "c", 5, kind="quote", quote_of_post="Q"),
                 post("4", "d", 9, kind="quote", quote_of_post="Q")])
    assert pairs(con, "co-reply", 60) == {("a", "b", "T")}
    assert pairs(con, "co-quote", 60) == {("c", "d", "Q")}


def test_co_mention_ignores_the_account_replied_to(con):
    insert(con, [post("1", "a", 0, mentions=["m", "t"], kind="reply", reply_to_post="T",
                      reply_to_account="t"),
                 post("2", "b", 3, mentions=["m", "t"], kind="reply", reply_to_post="U",
                      reply_to_account="t")])
    assert pairs(con, "co-mention", 60) == {("a", "b", "m")}


def test_co_text_normalises_and_ignores_short_texts(con):
    text = "The quick brown fox jumps over the lazy dog again"
    insert(con, [post("1", "a", 0, text=text + " https://t.co/abc"),
                 post("2", "b", 20, text="RT @x: " + text.upper(), kind="repost",
                      repost_of_post="1"),  # a repost: not co-text
                 post("3", "c", 30, text="  " + text.replace(" ", "   ") + " @someone"),
                 post("4", "d", 1, text="good morning"),
                 post("5", "e", 2, text="good morning")])
    assert pairs(con, "co-text", 60) == {("a", "c", text.lower())}


def test_co_url_and_co_domain(con):
    insert(con, [
        post("1", "a", 0, urls=["https://www.example.com/story?utm_source=tw"]),
        post("2", "b", 4, urls=["http://example.com/story/"]),
        post("3", "c", 6, urls=["https://example.com/other"]),
        post("4", "d", 8, urls=["https://t.co/xyz", "https://news.example.org/a"]),
        post("5", "e", 9, urls=["https://t.co/xyz"]),  # shortened only: kept as key
    ])
    assert pairs(con, "co-url", 60) == {("a", "b", "example.com/story")}
    domains = pairs(con, "co-domain", 60)
    assert {("a", "b", "example.com"), ("a", "c", "example.com"),
            ("b", "c", "example.com")} <= domains


def test_co_hashtag_is_case_folded(con):
    insert(con, [post("1", "a", 0, hashtags=["Vote"]), post("2", "b", 5, hashtags=["vote"]),
                 post("3", "c", 5, hashtags=["other"])])
    assert pairs(con, "co-hashtag", 60) == {("a", "b", "vote")}


def test_hashtag_sequence_same_day_same_order(con):
    insert(con, [post("1", "a", 0, hashtags=["x"]), post("2", "a", 60, hashtags=["y"]),
                 post("3", "b", 100, hashtags=["x", "y"]),
                 post("4", "c", 50, hashtags=["y"]), post("5", "c", 70, hashtags=["x"])])
    found = pairs(con, "hashtag-sequence", 86_400)
    assert {(a, b) for a, b, _ in found} == {("a", "b")}


def test_synchronised_same_minute(con):
    insert(con, [post("1", "a", 0), post("2", "b", 30), post("3", "c", 61)])
    assert {(a, b) for a, b, _ in pairs(con, "synchronised", 60)} == {("a", "b")}


@pytest.mark.parametrize("cap", [5, 50])
def test_hot_key_pairs_are_capped(con, cap):
    n = 400
    insert(con, [post(str(i), f"u{i:04d}", i * 0.25, kind="repost", repost_of_post="HOT")
                 for i in range(n)])
    build_coactions(Scratch(con), TRACES["co-repost"], 1_000, cap)
    expected = sum(min(n - 1 - i, cap) for i in range(n))
    assert con.execute("SELECT count(*) FROM coacts").fetchone()[0] == expected
    # each action is paired with at most ``cap`` later actions, the nearest in time
    per_action = con.execute(
        "SELECT max(c), count(*) FROM (SELECT CASE WHEN time_a <= time_b THEN post_a "
        "ELSE post_b END AS first, count(*) AS c FROM coacts GROUP BY 1)").fetchone()
    assert per_action == (min(cap, n - 1), n - 1)
    # the null model still sees every within-window pair of the key, uncapped
    assert con.execute("SELECT within_pairs FROM keys").fetchone()[0] == n * (n - 1) // 2
