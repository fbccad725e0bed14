"""Normalisers and the format sniffer as tables of real-world (input, expected) cases,
each assertion naming its case (the ural style): a failure reads like a bug report."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sockscope.errors import IngestError
from sockscope.ingest.formats import sniff_format
from sockscope.ingest.source import Opened, probe
from sockscope.keys.is_shortened_url import is_shortened_url
from sockscope.keys.normalize_text import normalize_text
from sockscope.keys.normalize_url import normalize_url
from sockscope.keys.url_domain import url_domain

TEXTS = [
    # (case, text, normalised)
    ("retweet marker and link dropped", "RT @bbc: Breaking  NEWS https://t.co/abc",
     "breaking news"),
    ("full-width letters folded (NFKC)", "Ｆｕｌｌｗｉｄｔｈ ＴＥＸＴ", "fullwidth text"),
    ("ligature folded (NFKC)", "ﬁne ligature", "fine ligature"),
    ("e-mail address is not a mention", "email me@example.com now",
     "email me@example.com now"),
    ("leading mentions and mixed white space", "@a @b hello\n\tworld", "hello world"),
    ("Greek lower-cased, www link dropped", "Γειά σου Κόσμε www.example.gr/x",
     "γειά σου κόσμε"),
    ("Thai without spaces keeps its text", "สวัสดีครับ @user ทุกคน", "สวัสดีครับ ทุกคน"),
    ("Persian keeps the zero-width non-joiner", "می\u200cخواهم @x بروم", "می\u200cخواهم بروم"),
    ("German sharp s is lower case already", "Ｓｔｒａßｅ", "straße"),
    ("empty text", "", ""),
    ("white space only", "   ", ""),
]

URLS = [
    # (case, url, canonical, domain, shortened)
    ("tracking parameters stripped, query sorted",
     "https://www.example.com/path?utm_source=x&b=2&a=1", "example.com/path?a=1&b=2",
     "example.com", False),
    ("scheme, case and trailing slash", "HTTP://Example.COM/", "example.com", "example.com",
     False),
    ("fragment dropped", "example.com/a#frag", "example.com/a", "example.com", False),
    ("xtor tracking of French outlets", "http://www.lemonde.fr/article.html?xtor=RSS-3208",
     "lemonde.fr/article.html", "lemonde.fr", False),
    ("mobile subdomain dropped", "https://m.facebook.com/story.php?story_fbid=1&id=2",
     "facebook.com/story.php?id=2&story_fbid=1", "facebook.com", False),
    ("registered domain under a public suffix", "https://news.bbc.co.uk/x",
     "news.bbc.co.uk/x", "bbc.co.uk", False),
    ("share parameter of YouTube", "https://www.youtube.com/watch?v=abc&feature=share",
     "youtube.com/watch?v=abc", "youtube.com", False),
    ("AMP subdomain dropped", "https://amp.theguardian.com/world/2020/jan/01/x",
     "theguardian.com/world/2020/jan/01/x", "theguardian.com", False),
    ("Twitter's shortener", "https://t.co/xyz", "t.co/xyz", "t.co", True),
    ("bit.ly shortener", "https://bit.ly/3abc", "bit.ly/3abc", "bit.ly", True),
    ("not a URL", "not a url", None, None, False),
    ("empty", "", None, None, False),
]


@pytest.mark.parametrize("case, text, expected", TEXTS, ids=[c[0] for c in TEXTS])
def test_normalize_text(case, text, expected):
    assert normalize_text(text) == expected, case


@pytest.mark.parametrize("case, url, canonical, domain, shortened", URLS,
                         ids=[c[0] for c in URLS])
def test_url_normalisers(case, url, canonical, domain, shortened):
    assert normalize_url(url) == canonical, f"{case}: normalize_url"
    assert url_domain(url) == domain, f"{case}: url_domain"
    assert is_shortened_url(url) is shortened, f"{case}: is_shortened_url"


V2_PAGE = ('{"data": [{"id": "1", "author_id": "u1", "created_at": "2024-03-04T10:00:00.000Z",'
           ' "text": "hi"}], "includes": {"users": []}}\n')
V2_FLAT = ('{"id": "1", "author_id": "u1", "created_at": "2024-03-04T10:00:00.000Z", '
           '"text": "hi", "author": {"id": "u1", "username": "a"}}\n')
V1_LINE = ('{"id_str": "2", "created_at": "Mon Mar 04 10:00:00 +0000 2024", "full_text": "x", '
           '"user": {"id_str": "10", "screen_name": "c"}}\n')
SNIFFS = [
    # (case, file name, content, format)
    ("archive tweets", "t.csv", "tweetid,userid,user_screen_name,tweet_time,tweet_text\n"
     "1,2,a,2020-01-01 10:00,hi\n", "archive-tweets"),
    ("archive tweets, upper-case header", "t.csv", "TWEETID,USERID,TWEET_TIME\n1,2,x\n",
     "archive-tweets"),
    ("archive users", "u.csv", "userid,user_display_name,user_screen_name\n1,A,a\n",
     "archive-users"),
    ("twarc2 response pages", "p.jsonl", V2_PAGE, "twitter-v2-jsonl"),
    ("twarc2 flattened tweets", "f.jsonl", V2_FLAT, "twitter-v2-jsonl"),
    ("twarc-csv", "t.csv", "id,conversation_id,author_id,created_at,text,author.username\n"
     "1,1,u1,2024-03-04T10:00:00.000Z,hi,a\n", "twarc-csv"),
    ("API v1.1 JSON lines", "v1.jsonl", V1_LINE, "twitter-v1"),
    ("API v1.1 JSON array", "v1.json", "[" + V1_LINE.strip() + "]", "twitter-v1"),
    ("Telegram Desktop export", "result.json",
     '{"name": "C", "type": "public_channel", "id": 7, "messages": []}', "telegram"),
    ("article corpus CSV", "a.csv", "byline,outlet,published_at,title,text\n"
     "Jane,Daily,2024-03-01,T,Body\n", "articles"),
    ("article corpus JSON lines", "a.jsonl",
     '{"author": "Jane", "outlet": "Daily", "date": "2024-03-01", "text": "Body"}\n',
     "articles"),
]


@pytest.mark.parametrize("case, name, content, expected", SNIFFS, ids=[c[0] for c in SNIFFS])
def test_sniff_format(tmp_path, case, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert sniff_format(probe(Opened(path, name, None, "")), None) == expected, case


def test_sniffing_a_table_it_cannot_tell_names_what_it_saw(tmp_path):
    path = tmp_path / "shares.csv"
    path.write_text("share,who,when\n1,a,2024-01-01\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"cannot tell the format: a table with the "
                       r"columns share, who, when: for a generic table pass --map"):
        sniff_format(probe(Opened(path, "shares.csv", None, "")), None)


@pytest.mark.parametrize("case, mapping, expected", [
    ("a mapping of post columns reads a generic table", {"post_id": "share"}, "table"),
    ("a mapping naming a byline reads articles", {"byline": "author"}, "articles"),
])
def test_a_mapping_chooses_the_reader(tmp_path, case, mapping, expected):
    path = tmp_path / "x.csv"
    path.write_text("share,author\n1,a\n", encoding="utf-8")
    assert sniff_format(probe(Opened(path, "x.csv", None, "")), mapping) == expected, case


def test_url_keys_in_worker_processes_equal_keys_computed_here(monkeypatch):
    from sockscope.keys import threads, url_worker

    urls = ["https://www.Example.com/story?utm_source=tw", "http://bit.ly/abc", "not a url",
            "https://news.example.org/a/b/", "", "https://t.co/xyz"] * 3
    here = {kind: url_worker.url_keys(kind, urls) for kind in url_worker.KINDS}
    monkeypatch.setattr(url_worker, "PARALLEL_URLS", 1)
    monkeypatch.setattr(threads, "cores", lambda: 2)
    ran = []
    real_run = url_worker.subprocess.run
    monkeypatch.setattr(url_worker.subprocess, "run",
                        lambda *a, **k: ran.append(real_run(*a, **k)) or ran[-1])
    for kind in url_worker.KINDS:
        assert url_worker.url_keys(kind, urls) == here[kind]
    # two workers per kind, each of which answered itself (no fallback to this process)
    assert [r.returncode for r in ran] == [0] * (2 * len(url_worker.KINDS))
    assert here["canonical"][0] == "example.com/story" and here["shortened"][1] is True


@given(st.lists(st.text(alphabet=st.sampled_from(list("ab @#\t\n\r\f\v\u00a0\u2003\u3000x")),
                        max_size=30) | st.none(), max_size=40))
def test_white_space_collapsed_only_where_needed_equals_collapsing_everywhere(texts):
    from sockscope.keys import normalize_text as nt

    array = pa.array(texts, pa.string())
    everywhere = pc.replace_substring_regex(array, nt.SPACES_PATTERN, " ")
    assert nt._collapse_spaces(array).to_pylist() == everywhere.to_pylist()


HANDLE_WORDS = st.text(alphabet=st.sampled_from(list("abk_1")), min_size=1, max_size=8)


@given(st.lists(HANDLE_WORDS, min_size=1, max_size=6),
       st.lists(st.lists(HANDLE_WORDS | st.sampled_from(["(talk)", "by", "-", "é"]),
                         max_size=12) | st.none(), max_size=20))
def test_named_handles_are_stripped_as_whole_words_and_nothing_else(handles, texts):
    from sockscope.keys.named_accounts import MIN_HANDLE, NamedAccounts

    finder = NamedAccounts((h, f"id-{h}") for h in handles)
    looked_for = {h for h in handles if len(h) >= MIN_HANDLE}
    joined = [None if t is None else " ".join(t) for t in texts]
    stripped = finder.strip(pa.array(joined, pa.string())).to_pylist()
    for before, after in zip(joined, stripped, strict=True):
        if before is None:
            assert after is None
            continue
        kept = [w for w in before.split() if w not in looked_for]
        if len(kept) == len(before.split()):
            assert after == before  # a text naming nobody is not touched
        else:
            assert after.split() == kept  # names removed, the other words in order


@given(st.text(max_size=40))
def test_folding_a_folded_name_changes_nothing(name):
    from sockscope.keys.fold_name import fold_name

    once = fold_name(name)
    assert fold_name(once) == once
    assert once == once.casefold()


def test_styled_and_accented_letters_fold_to_plain_ones():
    from sockscope.keys.fold_name import fold_name

    assert fold_name("𝐋𝐢𝐧𝐝𝐚 Ｌópez") == "linda lopez"
    assert fold_name("ΣΊΣΥΦΟΣ") == fold_name("σίσυφος") == fold_name("σισυφος")
    # the iota subscript is a mark that folds to a letter: kept, as its capital is
    assert fold_name("ᾀ") == fold_name("ἈΙ") == "αι"
