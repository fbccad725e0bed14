"""The format registry: which reader handles which file, chosen from the content."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from sockscope.errors import IngestError
from sockscope.io import archive
from sockscope.io.finalize import Candidates
from sockscope.io.source import Source
from sockscope.io.staging import Staged

Reader = Callable[[duckdb.DuckDBPyConnection, Source, dict[str, str], str | None],
                  tuple[Staged, Candidates]]


def _plain(fn: Callable[[duckdb.DuckDBPyConnection, Source], tuple[Staged, Candidates]]) -> Reader:
    return lambda con, source, mapping, platform: fn(con, source)


READERS: dict[str, Reader] = {
    archive.TWEETS: _plain(archive.read_tweets),
    archive.USERS: _plain(archive.read_users),
}

DETECTORS = [archive.detect]


def detect(source: Source, mapping: dict[str, str] | None) -> str:
    """Name the reader for a file, or explain why none fits."""
    for detector in DETECTORS:
        name = detector(source)
        if name:
            return name
    shown = ", ".join(source.columns[:12]) if source.columns else source.container
    raise IngestError(source.display, f"cannot tell the format (saw: {shown}); pass --format "
                      "and, for a generic table, --map CANONICAL=COLUMN", line=1)
