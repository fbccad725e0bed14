"""co-url: accounts sharing the same canonical URL (see normalize_url). A shortened
link is a key only when the post carries no other URL."""

from __future__ import annotations

import pyarrow as pa

from sockscope.detect.traces.base import Trace
from sockscope.keys.url_worker import url_keys
from sockscope.store.database import table_from_arrow


def prepare_url_map(con) -> None:
    """Table ``url_map(url, canonical, shortened)`` over distinct URLs."""
    _url_table(con, "url_map", "canonical")


def prepare_url_domains(con) -> None:
    """Table ``url_domains(url, domain, shortened)`` over distinct URLs (for co-domain)."""
    _url_table(con, "url_domains", "domain")


def _url_table(con, table: str, kind: str) -> None:
    """Table ``table(url, <kind>, shortened)`` over the distinct URLs of the posts."""
    urls = [r[0] for r in con.execute(
        "SELECT DISTINCT u FROM (SELECT unnest(urls) AS u FROM posts WHERE array_length(urls) > 0) "
        "WHERE u IS NOT NULL ORDER BY u").fetchall()]
    table_from_arrow(con, table, pa.table({
        "url": pa.array(urls, pa.string()),
        kind: pa.array(url_keys(kind, urls), pa.string()),
        "shortened": pa.array(url_keys("shortened", urls), pa.bool_())}))


def url_actions_sql(table: str, column: str) -> str:
    """Actions keyed by ``<table>.<column>`` (``url_map.canonical``: canonical URLs;
    ``url_domains.domain``: websites)."""
    return f"""
        WITH shared AS (
            SELECT p.account_id, p.created_at, p.post_id, m.{column} AS key, m.shortened,
                   bool_and(m.shortened) OVER (PARTITION BY p.platform, p.post_id) AS only_short
            FROM (SELECT platform, account_id, created_at, post_id, unnest(urls) AS url
                  FROM posts WHERE array_length(urls) > 0 AND kind <> 'repost') p
            JOIN {table} m USING (url)
            WHERE m.{column} IS NOT NULL
        )
        SELECT DISTINCT account_id, epoch(created_at) AS t, key, post_id
        FROM shared WHERE NOT shortened OR only_short
    """


def _actions(scratch) -> str:
    scratch.once("url_map", prepare_url_map)
    return url_actions_sql("url_map", "canonical")


TRACE = Trace("co-url", 300, "shared the same links", _actions, "links",
              window_free=False)  # an outlet's readers share its articles for weeks
