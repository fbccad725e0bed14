"""Article corpora (CSV, JSON lines or Parquet): byline, outlet, published_at, title,
text, url, and optionally article_id. Common synonyms are recognised (author for
byline, body or content for text, date for published_at); ``--map`` overrides them.
Without an article_id, one is derived from byline, title and text (md5).
"""

from __future__ import annotations

import duckdb

from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.readers.mapped_table import check_mapping, stage
from sockscope.ingest.source import Source
from sockscope.ingest.sql import ident
from sockscope.ingest.staging import Staged
from sockscope.store.schema import ARTICLES_COLUMNS

NAME = "articles"
SYNONYMS = {
    "article_id": ["article_id", "id", "doc_id"],
    "byline": ["byline", "author", "authors", "writer"],
    "outlet": ["outlet", "source", "publication", "publisher", "site", "domain"],
    "published_at": ["published_at", "date", "published", "pub_date", "datetime", "time"],
    "title": ["title", "headline"],
    "text": ["text", "body", "content", "article", "full_text"],
    "url": ["url", "link"],
}


# fields of posts and comments, never of article corpora: a table with an author and a
# text (Bluesky, YouTube comments, PRAW, snscrape) is not an article corpus when it has one
SOCIAL_FIELDS = {"tweetid", "subreddit", "created_utc", "parent_id", "link_id", "permalink",
                 "videoid", "video_id", "cid", "uri", "did", "like_count", "likecount",
                 "reply_count", "replycount", "retweet_count", "repost_count", "in_reply_to",
                 "author_id", "author_did", "authorchannelid", "author_channel_id",
                 "conversation_id", "source_platform", "item_id", "upvotes", "ups"}


def _resolve(columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    lower = {c.lower(): c for c in columns}
    resolved = dict(mapping)
    for canonical, names in SYNONYMS.items():
        if canonical in resolved:
            continue
        for name in names:
            if name in lower:
                resolved[canonical] = lower[name]
                break
    return resolved


def sniff(source: Source) -> str | None:
    """The format name if this file looks like one this module reads, else None."""
    if source.container in ("csv", "parquet"):
        keys = source.columns
    elif source.container == "jsonl" and isinstance(source.first_object, dict):
        keys = list(source.first_object)
    else:
        return None
    resolved = _resolve(keys, {})
    if "byline" not in resolved or "text" not in resolved:
        return None
    lower = {k.lower() for k in keys}
    if lower & SOCIAL_FIELDS:
        return None  # a post or comment with an author, not an article
    named = set(resolved)
    if ("byline" in lower or ("title" in named and {"outlet", "url", "published_at"} & named)
            or {"outlet", "published_at"} <= named):
        return NAME
    return None


def read(con: duckdb.DuckDBPyConnection, source: Source, mapping: dict[str, str],
         platform: str | None) -> tuple[Staged, Candidates]:
    if source.container == "jsonl":
        staged, values = stage_json_values(con, source)
        keys = con.execute(
            f"SELECT DISTINCT unnest(json_keys(js)) FROM {values} WHERE NOT _bad"
        ).fetchall()
        source.columns = sorted(k[0] for k in keys)
        check_mapping(source, mapping, list(ARTICLES_COLUMNS))
        fields = _resolve(source.columns, mapping)

        def value(canonical: str) -> str:
            if canonical not in fields:
                return "CAST(NULL AS VARCHAR)"
            key = fields[canonical].replace("'", "''")
            return (f"ss_nullif_blank(CASE WHEN json_type(js, '$.\"{key}\"') = 'ARRAY' "
                    f"THEN array_to_string(json_extract_string(js, '$.\"{key}\"[*]'), '; ') "
                    f"ELSE json_extract_string(js, '$.\"{key}\"') END)")
        base = values
        skip = "CASE WHEN _bad THEN 'malformed JSON' END"
    else:
        staged, _ = stage(con, source)
        check_mapping(source, mapping, list(ARTICLES_COLUMNS))
        fields = _resolve(source.columns, mapping)

        def value(canonical: str) -> str:
            if canonical not in fields:
                return "CAST(NULL AS VARCHAR)"
            return f"ss_nullif_blank(CAST({ident(fields[canonical])} AS VARCHAR))"
        base = staged.table
        skip = "CAST(NULL AS VARCHAR)"
    relation = f"{staged.table}_cand"
    derived_id = (f"md5(coalesce({value('byline')}, '') || chr(31) || "
                  f"coalesce({value('title')}, '') || chr(31) || coalesce({value('text')}, ''))")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT _ord, {skip} AS _skip, CAST(NULL AS VARCHAR) AS _skip_field,
            coalesce({value('article_id')}, {derived_id}) AS article_id,
            trim({value('byline')}) AS byline, {value('outlet')} AS outlet,
            ss_parse_time({value('published_at')}) AS published_at,
            {value('published_at')} AS _raw_time,
            {value('title')} AS title, {value('text')} AS text, {value('url')} AS url
        FROM {base}
        """
    )
    names = {k: fields.get(k, k) for k in ARTICLES_COLUMNS}
    return staged, Candidates("articles", relation, names, None, "published_at")
