"""The run's articles by canonical URL (the co-url canonicaliser), for matching posts'
links to articles: operations' shares and detect's readerships read the same map."""

from __future__ import annotations

import duckdb

from sockscope.keys.normalize_url import normalize_url


def article_urls(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """canonical URL -> (article_id, byline); the same page under two ids keeps the first
    id in id order."""
    found: dict[str, tuple[str, str]] = {}
    for article_id, byline, url in con.execute(
            "SELECT article_id, byline, url FROM articles WHERE url IS NOT NULL "
            "ORDER BY article_id").fetchall():
        if (canonical := normalize_url(url)) is not None:
            found.setdefault(canonical, (article_id, byline))
    return found
