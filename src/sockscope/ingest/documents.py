"""JSON documents turned into JSON lines, so every JSON reader sees one record per line.

Researchers' JSON comes in more shapes than JSON lines: academictwitteR writes
``data_*.json`` and ``users_*.json`` as JSON arrays; ``jq .`` pretty-prints a response
over many lines; API responses saved whole are one object (``{"data": …, "includes":
…}``, v1.1 search's ``{"statuses": […]}``), sometimes several in a row. DuckDB's JSON
reader splits any of them into records (the elements of a top-level array, or each
top-level value) and writes each, minified, on its own line; the readers then count,
locate and skip records exactly as in a JSON-lines file ("record N" is the N-th element
or value). Telegram exports stay whole: their reader walks the document itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.source import Opened, Source

MAX_RECORD_BYTES = 1 << 30  # a single record (one API page, one tweet) up to 1 GiB
TELEGRAM_KEYS = {"messages", "chats", "about", "personal_information"}


def needs_splitting(source: Source) -> bool:
    """Whether ``source`` is a JSON document (not lines) that readers take line by line."""
    if source.container != "json":
        return False
    head = source.first_object or {}
    return not (TELEGRAM_KEYS & set(head))


def as_json_lines(source: Source, workdir: Path) -> tuple[Opened, str, str]:
    """Write the records of the JSON document ``source`` to a JSON-lines file in
    ``workdir``. Returns the file (to probe again), what the document was (for
    messages: "a JSON array of 134 records") and a note for the file's report."""
    with open(source.path, "rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    is_array = head.startswith("[")
    target = workdir / f"records-{source.sha256[:16]}-{abs(hash(source.display)) % 10**8}.jsonl"
    layout = "array" if is_array else "unstructured"
    con = duckdb.connect()
    try:
        con.execute(
            f"""
            COPY (SELECT CAST(json(json) AS VARCHAR) AS line
                  FROM read_json_objects($path, format = '{layout}',
                                         maximum_object_size = {MAX_RECORD_BYTES}))
            TO '{_quoted(target)}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '',
                                    DELIMITER '\x01')
            """,
            {"path": str(source.path)},
        )
        count = con.execute(
            "SELECT count(*) FROM read_csv($path, columns = {'l': 'VARCHAR'}, header = false, "
            "delim = '\x01', quote = '', escape = '', auto_detect = false, "
            f"max_line_size = {MAX_RECORD_BYTES})", {"path": str(target)}).fetchall()[0][0] \
            if target.stat().st_size else 0
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise IngestError(source.display, "not valid JSON: neither JSON lines nor a JSON "
                          f"document DuckDB can split into records ({reason})") from None
    finally:
        con.close()
    kind = "a JSON array" if is_array else "a JSON document over several lines"
    note = f"read as {kind} of {count:,} records (record N is its N-th element)" \
        if is_array else f"read as {kind}: {count:,} top-level records"
    origin = f"a JSON {'array' if is_array else 'document'} of {count:,} records"
    return Opened(target, source.display, source.member, source.sha256), origin, note


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
