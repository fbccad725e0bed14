"""Each trace on hand-made posts with known pairs; window edges; the hot-key cap."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sockscope.detect.coaction import build_coactions, named_coactions, trace_scales
from sockscope.detect.scratch import Scratch
from sockscope.keys.text_shape import text_shape_sql
from sockscope.plugins import TRACES

from .posts_factory import insert, post


def pairs(con, trace: str, window: int, cap: int = 50) -> set[tuple[str, str, str]]:
    built = build_coactions(Scratch(con), TRACES[trace], window, cap)
    return set(con.execute(f"SELECT account_a, account_b, key FROM ({named_coactions(built)})"
                           ).fetchall())


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
    built = build_coactions(Scratch(con), TRACES["co-repost"], 1_000, cap)
    expected = sum(min(n - 1 - i, cap) for i in range(n))
    assert con.execute("SELECT count(*) FROM coacts").fetchone()[0] == expected
    # each action is paired with at most ``cap`` later actions, the nearest in time
    per_action = con.execute(
        "SELECT max(c), count(*) FROM (SELECT CASE WHEN time_a <= time_b THEN post_a "
        f"ELSE post_b END AS first, count(*) AS c FROM ({named_coactions(built)}) GROUP BY 1)"
    ).fetchone()
    assert per_action == (min(cap, n - 1), n - 1)
    # the null model counts the pairs the capped enumeration can find, no more
    assert con.execute("SELECT within_pairs FROM keys").fetchone()[0] == expected


def test_window_free_scale_pairs_every_action_on_rare_keys_only(con):
    # a rare post reposted hours apart, and a hot post (more than cap + 1 accounts)
    cap = 5
    insert(con, [post("r1", "a", 0, kind="repost", repost_of_post="RARE"),
                 post("r2", "b", 3 * 3_600, kind="repost", repost_of_post="RARE"),
                 post("r3", "c", 9 * 3_600, kind="repost", repost_of_post="RARE")]
           + [post(f"h{i}", f"u{i}", i * 3_600, kind="repost", repost_of_post="HOT")
              for i in range(cap + 2)])
    scales = trace_scales(TRACES["co-repost"], 10)
    assert [s.label for s in scales] == ["10 s", "any time"]
    built = build_coactions(Scratch(con), TRACES["co-repost"], 10, cap, scales)
    found = con.execute(f"SELECT account_a, account_b, key, rare FROM ({named_coactions(built)}) "
                        "ORDER BY ALL").fetchall()
    assert found == [("a", "b", "RARE", True), ("a", "c", "RARE", True),
                     ("b", "c", "RARE", True)]
    # the window-free scale counts all pairs of rare keys and none of hot keys
    possible = dict(con.execute("SELECT key, within_pairs FROM keys JOIN key_names USING (kid) "
                                "WHERE scale = 1").fetchall())
    assert possible == {"RARE": 3}


@pytest.mark.parametrize(("text", "shape"), [
    ("#ChicagoNews Mayor Opens Bridge https://x.example/1", "# w U"),
    ("BREAKING: Storm Hits Coast https://y.example", "w : w U"),
    ("Price up 3.5% today @bob https://t.co/x", "w 9 % w @ U"),
    ("Über straße, ça va? 12:30", "w , w ? 9"),
    ("خبر عاجل https://x.y", "w U"),
])
def test_text_shape(con, text, shape):
    assert con.execute(f"SELECT {text_shape_sql('?')}", [text]).fetchall()[0][0] == shape


@given(st.lists(st.sampled_from(["alpha", "Beta", "γάμμα", "مرحبا", "x"]), min_size=1,
                max_size=8), st.sampled_from(["https://a.example/1", "#tag", "@who", ":"]))
def test_text_shape_ignores_the_words(words, token):
    # a template with other words in it has the same shape
    con = duckdb.connect()
    first = f"{' '.join(words)} {token}"
    second = f"{' '.join(reversed(words))} word {token}"
    shapes = con.execute(f"SELECT {text_shape_sql('?')}, {text_shape_sql('?')}",
                         [first, second]).fetchall()[0]
    assert shapes[0] == shapes[1]
    assert set(shapes[0].split()) <= {"w", "U", "#", "@", ":"}


def test_co_template_pairs_the_same_layout_in_the_same_minute(con):
    insert(con, [post("1", "a", 5, text="#OakNews Bridge Opens Today https://oak.example/1",
                      urls=["https://oak.example/1"]),
                 post("2", "b", 20, text="#ElmNews Council Meets https://elm.example/9",
                      urls=["https://elm.example/9"]),
                 # another layout in the same minute, and the same layout a minute later
                 post("3", "c", 30, text="Council Meets - ElmTimes https://t.example/2",
                      urls=["https://t.example/2"]),
                 post("4", "d", 65, text="#AshNews Fire Downtown https://ash.example/3",
                      urls=["https://ash.example/3"])])
    assert {(a, b) for a, b, _ in pairs(con, "co-template", 60)} == {("a", "b")}


def test_actions_at_the_same_second_pair_only_within_their_key(con):
    # a and b repost P in the same second; the next key's actions must not be reached
    insert(con, [post("1", "a", 0, kind="repost", repost_of_post="P"),
                 post("2", "b", 0, kind="repost", repost_of_post="P"),
                 post("3", "c", 0, kind="repost", repost_of_post="Q"),
                 post("4", "d", 1, kind="repost", repost_of_post="Q")])
    assert pairs(con, "co-repost", 10) == {("a", "b", "P"), ("c", "d", "Q")}


def test_min_shared_keeps_exactly_the_pairs_that_meet_that_often(con):
    # random reposts of a few posts: most pairs meet once, some more often
    import random

    rng = random.Random(3)
    insert(con, [post(f"r{i}", f"u{rng.randrange(20):02d}", rng.uniform(0, 300),
                      kind="repost", repost_of_post=f"P{rng.randrange(6)}")
                 for i in range(400)])
    scales = trace_scales(TRACES["co-repost"], 10)

    def rows(min_shared):
        built = build_coactions(Scratch(con), TRACES["co-repost"], 10, 5, scales, min_shared)
        return sorted(con.execute(f"SELECT * FROM ({named_coactions(built)})").fetchall())

    every = rows(1)
    met: dict[tuple[str, str], int] = {}
    for row in every:
        met[row[:2]] = met.get(row[:2], 0) + 1
    for min_shared in (2, 3):
        kept = [row for row in every if met[row[:2]] >= min_shared]
        assert rows(min_shared) == kept
        assert 0 < len(kept) < len(every)
