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
