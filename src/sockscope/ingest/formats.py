"""The format registry: which reader handles which file, chosen from the content."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.finalize import Candidates
from sockscope.ingest.readers import (
    archive,
    articles,
    mapped_table,
    telegram,
    twitter_v1,
    twitter_v2,
)
from sockscope.ingest.source import Source
from sockscope.ingest.staging import Staged

Reader = Callable[[duckdb.DuckDBPyConnection, Source, dict[str, str], str | None],
                  tuple[Staged, Candidates]]


def _plain(fn: Callable[[duckdb.DuckDBPyConnection, Source], tuple[Staged, Candidates]]) -> Reader:
    return lambda con, source, mapping, platform: fn(con, source)


READERS: dict[str, Reader] = {
    archive.TWEETS: _plain(archive.read_tweets),
    archive.USERS: _plain(archive.read_users),
    twitter_v2.JSONL: _plain(twitter_v2.read_jsonl),
    twitter_v2.CSV: _plain(twitter_v2.read_csv),
    twitter_v1.NAME: _plain(twitter_v1.read),
    telegram.NAME: _plain(telegram.read),
    articles.NAME: articles.read,
    mapped_table.NAME: mapped_table.read,
}

DETECTORS = [archive.detect, twitter_v2.detect, twitter_v1.detect, telegram.detect,
             articles.detect]


def detect(source: Source, mapping: dict[str, str] | None) -> str:
    """Name the reader for a file, or explain why none fits."""
    if mapping:
        article_only = {"byline", "outlet", "published_at", "title", "article_id"}
        return articles.NAME if article_only & set(mapping) else mapped_table.NAME
    for detector in DETECTORS:
        name = detector(source)
        if name:
            return name
    shown = ", ".join(source.columns[:12]) if source.columns else source.container
    raise IngestError(source.display, f"cannot tell the format (saw: {shown}); pass --format "
                      "and, for a generic table, --map CANONICAL=COLUMN", line=1)
