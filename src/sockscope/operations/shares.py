"""Articles matched to the posts that shared them.

A post shares an article when one of its links has the article's canonical URL (the
co-url canonicaliser: tracking parameters, http/https, ``www.``/``m.``/``amp.`` hosts,
AMP paths and trailing slashes do not matter), or, when the post has no link, when its
text holds the article's title (words compared case- and punctuation-blind; titles of
``MIN_TITLE_WORDS`` words or more, that no two articles share). Every share records its
delay since publication.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sockscope.keys.article_urls import article_urls
from sockscope.keys.normalize_url import normalize_url
from sockscope.store.database import arrow_view

MIN_TITLE_WORDS = 5
# a share is kept from a day before the stated publication (dates without a time,
# clocks, embargoed previews) onwards
EARLIEST_DELAY_S = -86_400
# a title quoted in a post is looked for up to this long after publication
TITLE_HORIZON_S = 30 * 86_400
SHARE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("byline", pa.string()), ("outlet", pa.string()),
    ("published_at", pa.timestamp("us")), ("post_id", pa.string()),
    ("account_id", pa.string()), ("platform", pa.string()), ("shared_at", pa.timestamp("us")),
    ("delay_s", pa.float64()), ("matched_by", pa.string())])
# SQL: lower-case words separated by single spaces, accents and punctuation dropped:
# the one form titles and post texts are compared in
TITLE_WORDS = r"""trim(regexp_replace(lower(strip_accents({text})), '[^\p{{L}}\p{{N}}]+', ' ',
                                     'g'))"""
# SQL: a URL's host without the subdomains the canonicaliser drops, reduced to its last
# two labels (a cheap filter before the canonicaliser runs on the URLs that may match)
_HOST_TAIL = r"""regexp_extract(regexp_extract(lower({url}),
    '^(?:[a-z][a-z0-9+.-]*://)?(?:[^/?#@]*@)?([^/?#:]+)', 1), '([^.]+\.[^.]+)$', 1)"""


def match_shares(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every (article, post) share in the run database (SHARE_SCHEMA), oldest first."""
    titles = con.execute(f"""SELECT article_id, {TITLE_WORDS.format(text='title')}
                             FROM articles ORDER BY article_id""").fetchall()
    by_url = {url: article_id for url, (article_id, _) in article_urls(con).items()}
    pairs = _url_matches(con, by_url) + _title_matches(con, titles)
    found = pa.table({"article_id": pa.array([p[0] for p in pairs], pa.string()),
                      "post_id": pa.array([p[1] for p in pairs], pa.string()),
                      "matched_by": pa.array([p[2] for p in pairs], pa.string())})
    with arrow_view(con, found) as matched:
        table = con.sql(f"""
            SELECT a.article_id, a.byline, a.outlet, a.published_at, p.post_id, p.account_id,
                   p.platform, p.created_at AS shared_at,
                   epoch(p.created_at) - epoch(a.published_at) AS delay_s, min(m.matched_by)
            FROM {matched} m JOIN articles a USING (article_id)
            JOIN posts p USING (post_id)
            WHERE a.published_at IS NULL
               OR epoch(p.created_at) - epoch(a.published_at) >= {EARLIEST_DELAY_S}
            GROUP BY ALL ORDER BY shared_at, article_id, post_id""").to_arrow_table()
    return table.rename_columns(SHARE_SCHEMA.names).cast(SHARE_SCHEMA)


def _url_matches(con: duckdb.DuckDBPyConnection, by_url: dict[str, str]
                 ) -> list[tuple[str, str, str]]:
    if not by_url:
        return []
    tails = pa.table({"tail": pa.array(sorted({_tail(c) for c in by_url}), pa.string())})
    with arrow_view(con, tails) as wanted:
        urls = [u for (u,) in con.execute(f"""
            SELECT DISTINCT url FROM (SELECT unnest(urls) AS url FROM posts)
            WHERE {_HOST_TAIL.format(url='url')} IN (SELECT tail FROM {wanted})
            ORDER BY 1""").fetchall()]
    url_article = [(u, by_url[c]) for u in urls if (c := normalize_url(u)) in by_url]
    table = pa.table({"url": pa.array([u for u, _ in url_article], pa.string()),
                      "article_id": pa.array([a for _, a in url_article], pa.string())})
    with arrow_view(con, table) as mapped:
        return con.execute(f"""
            SELECT DISTINCT m.article_id, p.post_id, 'url'
            FROM (SELECT post_id, unnest(urls) AS url FROM posts) p JOIN {mapped} m USING (url)
            ORDER BY 1, 2""").fetchall()


def _tail(canonical: str) -> str:
    host = canonical.split("/", 1)[0].split(":", 1)[0].lower()
    return ".".join(host.split(".")[-2:])


def _title_matches(con: duckdb.DuckDBPyConnection, titles: list[tuple[str, str | None]]
                   ) -> list[tuple[str, str, str]]:
    """Posts without a link whose text holds an article's title, within
    ``TITLE_HORIZON_S`` of its publication (one multi-pattern pass: Aho-Corasick), and
    the reposts of those posts (a repost shares what it reposts; archives cut its text)."""
    import ahocorasick

    owners: dict[str, list[str]] = {}
    for article_id, words in titles:
        if words and len(words.split()) >= MIN_TITLE_WORDS:
            owners.setdefault(words, []).append(article_id)
    unique = {words: ids[0] for words, ids in owners.items() if len(ids) == 1}
    if not unique:
        return []
    automaton = ahocorasick.Automaton()
    for words, article_id in unique.items():
        automaton.add_word(f" {words} ", article_id)
    automaton.make_automaton()
    first, last = con.execute(
        "SELECT min(published_at), max(published_at) FROM articles").fetchall()[0]
    if first is None:
        return []
    reader = con.sql(f"""
        SELECT post_id, ' ' || {TITLE_WORDS.format(text='text')} || ' ' AS words FROM posts
        WHERE (urls IS NULL OR len(urls) = 0) AND text IS NOT NULL AND kind <> 'repost'
          AND created_at >= ?::TIMESTAMP - INTERVAL {-EARLIEST_DELAY_S} SECOND
          AND created_at <= ?::TIMESTAMP + INTERVAL {TITLE_HORIZON_S} SECOND""",
                     params=[first, last]).to_arrow_reader(100_000)
    found = []
    for batch in reader:
        # one pass of the automaton over the batch's texts joined by line ends (which no
        # title holds), then each match's end mapped back to its post
        texts = batch.column(1)
        if len(texts) == 0:
            continue
        joined = pc.binary_join(pa.ListArray.from_arrays(
            pa.array([0, len(texts)], pa.int32()), texts), "\n")[0].as_py()
        starts = np.concatenate([[0], np.cumsum(pc.utf8_length(texts).to_numpy() + 1)])
        ends, owners_of = [], []
        for end, article_id in automaton.iter(joined):
            ends.append(end)
            owners_of.append(article_id)
        if not ends:
            continue
        rows = np.searchsorted(starts, np.array(ends), side="right") - 1
        post_ids = batch.column(0)
        found.extend((article_id, post_ids[int(row)].as_py(), "title")
                     for article_id, row in zip(owners_of, rows, strict=True))
    if found:  # a repost shares what the post it reposts shares
        matched = pa.table({"article_id": [f[0] for f in found],
                            "post_id": [f[1] for f in found]})
        with arrow_view(con, matched) as originals:
            found += con.execute(f"""
                SELECT m.article_id, r.post_id, 'title' FROM posts r
                JOIN {originals} m ON r.repost_of_post = m.post_id
                WHERE r.kind = 'repost' AND (r.urls IS NULL OR len(r.urls) = 0)""").fetchall()
    return sorted(set(found))
