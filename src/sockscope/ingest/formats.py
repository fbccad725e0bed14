"""Source formats: one ``Reader`` per format, and sniffing a file's format from its content.

The built-in readers are listed in ``BUILTIN_READERS`` and registered, like readers of
other packages, in ``sockscope.plugins.READERS``. A reader's ``sniff`` looks at the
probe of a file (container, header columns, first JSON object) and says whether it
reads it; readers without ``sniff`` are chosen only with ``--format`` or ``--map``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.finalize import Candidates
from sockscope.ingest.readers import (
    activitypub,
    archive,
    articles,
    bluesky,
    crowdtangle,
    fourcat,
    hydrator,
    ira538,
    mapped_table,
    mastodon,
    reddit,
    snscrape,
    telegram,
    twitter_v1,
    twitter_v2,
    twitter_v2_users,
    youtube,
    zeeschuimer,
)
from sockscope.ingest.source import Source
from sockscope.ingest.staging import Staged

ReadFunction = Callable[[duckdb.DuckDBPyConnection, Source, dict[str, str], str | None],
                        tuple[Staged, Candidates]]


@dataclass(frozen=True)
class Reader:
    """A source format: ``read(con, source, mapping, platform)`` stages the file and
    returns the candidate rows; ``sniff(source)`` tells whether the file is this format."""

    name: str
    read: ReadFunction
    sniff: Callable[[Source], bool] | None = None


def _plain(fn: Callable[[duckdb.DuckDBPyConnection, Source], tuple[Staged, Candidates]]
           ) -> ReadFunction:
    return lambda con, source, mapping, platform: fn(con, source)


def _sniffs(module_sniff: Callable[[Source], str | None], name: str) -> Callable[[Source], bool]:
    return lambda source: module_sniff(source) == name


# in sniffing order: the most specific layouts first
BUILTIN_READERS = [
    Reader(archive.TWEETS, _plain(archive.read_tweets), _sniffs(archive.sniff, archive.TWEETS)),
    Reader(archive.USERS, _plain(archive.read_users), _sniffs(archive.sniff, archive.USERS)),
    Reader(twitter_v2_users.NAME, _plain(twitter_v2_users.read),
           _sniffs(twitter_v2_users.sniff, twitter_v2_users.NAME)),
    Reader(twitter_v2.JSONL, _plain(twitter_v2.read_jsonl),
           _sniffs(twitter_v2.sniff, twitter_v2.JSONL)),
    Reader(twitter_v2.CSV, _plain(twitter_v2.read_csv), _sniffs(twitter_v2.sniff, twitter_v2.CSV)),
    Reader(twitter_v1.NAME, _plain(twitter_v1.read), _sniffs(twitter_v1.sniff, twitter_v1.NAME)),
    Reader(snscrape.NAME, _plain(snscrape.read), _sniffs(snscrape.sniff, snscrape.NAME)),
    Reader(hydrator.NAME, _plain(hydrator.read), _sniffs(hydrator.sniff, hydrator.NAME)),
    Reader(crowdtangle.NAME, _plain(crowdtangle.read),
           _sniffs(crowdtangle.sniff, crowdtangle.NAME)),
    Reader(fourcat.NAME, _plain(fourcat.read), _sniffs(fourcat.sniff, fourcat.NAME)),
    Reader(ira538.NAME, _plain(ira538.read), _sniffs(ira538.sniff, ira538.NAME)),
    Reader(reddit.NAME, _plain(reddit.read), _sniffs(reddit.sniff, reddit.NAME)),
    Reader(mastodon.NAME, _plain(mastodon.read), _sniffs(mastodon.sniff, mastodon.NAME)),
    Reader(mastodon.TRUTH_SOCIAL, _plain(mastodon.read_truth_social),
           _sniffs(mastodon.sniff, mastodon.TRUTH_SOCIAL)),
    Reader(activitypub.NAME, _plain(activitypub.read),
           _sniffs(activitypub.sniff, activitypub.NAME)),
    Reader(telegram.NAME, _plain(telegram.read), _sniffs(telegram.sniff, telegram.NAME)),
    Reader(bluesky.NAME, _plain(bluesky.read), _sniffs(bluesky.sniff, bluesky.NAME)),
    Reader(youtube.NAME, _plain(youtube.read), _sniffs(youtube.sniff, youtube.NAME)),
    Reader(zeeschuimer.NAME, _plain(zeeschuimer.read),
           _sniffs(zeeschuimer.sniff, zeeschuimer.NAME)),
    Reader(articles.NAME, articles.read, _sniffs(articles.sniff, articles.NAME)),
    Reader(mapped_table.NAME, mapped_table.read),
]
# what sockscope.plugins.READERS registers
BUILTIN = [(reader.name, reader) for reader in BUILTIN_READERS]

ARTICLE_ONLY_COLUMNS = {"byline", "outlet", "published_at", "title", "article_id"}


def sniff_format(source: Source, mapping: dict[str, str] | None) -> str:
    """Name the reader for a file, or explain why none fits."""
    from sockscope.plugins import READERS

    if mapping:
        return articles.NAME if ARTICLE_ONLY_COLUMNS & set(mapping) else mapped_table.NAME
    for name, reader in READERS.items():
        if reader.sniff is not None and reader.sniff(source):
            return name
    raise IngestError(source.display, f"cannot tell the format: {describe(source)}", line=1)


# keys of a JSON record, and the format a file with them most likely needs
_JSON_HINTS = [({"data", "includes", "author_id"}, "twitter-v2-jsonl"),
               ({"id_str", "statuses", "screen_name"}, "twitter-v1"),
               ({"messages", "chats"}, "telegram"), ({"byline", "outlet"}, "articles")]


def describe(source: Source) -> str:
    """What a file of unknown format looks like, and what to try."""
    if source.container in ("jsonl", "json"):
        keys = sorted(source.first_object or {})
        shown = ", ".join(keys[:12]) + (", …" if len(keys) > 12 else "")
        what = source.origin or ("JSON lines" if source.container == "jsonl" else "JSON")
        hint = next((f"try --format {name}" for marks, name in _JSON_HINTS
                     if marks & set(keys)), "no reader knows these fields; for other JSON, "
                     "convert it to a CSV table and pass --map CANONICAL=COLUMN")
        return f"{what} whose first record has the keys {shown or '(none)'}: {hint}"
    columns = ", ".join(source.columns[:12]) + (", …" if len(source.columns) > 12 else "")
    kind = "a Parquet table" if source.container == "parquet" else "a table"
    return (f"{kind} with the columns {columns}: for a generic table pass --map "
            "CANONICAL=COLUMN (at least account_id and created_at), or --format")
