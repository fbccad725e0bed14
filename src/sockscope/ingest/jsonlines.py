"""JSON-lines input: one JSON value per line, malformed lines skipped and counted."""

from __future__ import annotations

import duckdb

from sockscope.ingest.source import Source
from sockscope.ingest.staging import Staged, stage_lines


def stage_json_values(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, str]:
    """Stage a JSON-lines file; returns the staging and a relation ``(_ord, js, _bad)``
    where ``js`` is the parsed line (NULL when ``_bad``)."""
    staged = stage_lines(con, source)
    values = f"{staged.table}_js"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {values} AS
            SELECT _ord, CASE WHEN _valid THEN CAST(raw AS JSON) END AS js, NOT _valid AS _bad
            FROM {staged.table}"""
    )
    return staged, values


def page_records(con: duckdb.DuckDBPyConnection, values: str, table: str, path: str) -> None:
    """Table ``table(_ord, _line, _bad, _empty, rec)``: one row per record. A line that is
    an API page (a JSON array at ``path``, such as v1.1 search's ``$.statuses`` or v2's
    ``$.data``) gives one record per element, each its own ``_ord`` sharing the page's
    ``_line``, so one bad record never takes its page-mates with it; a page with an
    empty list gives one empty record (``_empty``, ``rec`` NULL), counted, not lost;
    any other line is one record."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT (row_number() OVER (ORDER BY _line, _i) - 1)::BIGINT AS _ord, _line, _bad,
               rec IS NULL AND NOT _bad AS _empty, rec
        FROM (
            SELECT _ord AS _line, _bad, unnest(items) AS rec, unnest(range(len(items))) AS _i
            FROM (
                SELECT _ord, _bad,
                       CASE WHEN NOT _bad AND json_type(js, '{path}') = 'ARRAY'
                            THEN CASE WHEN json_array_length(js, '{path}') > 0
                                      THEN CAST(json_extract(js, '{path}') AS JSON[])
                                      ELSE [CAST(NULL AS JSON)] END
                            ELSE [js] END AS items
                FROM {values}))
        """
    )
