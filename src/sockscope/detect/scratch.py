"""The working tables of one detection run, and their clean-up.

Stages hand each other their tables by name through the pipeline (``Coactions`` names
the tables a trace's co-action stage built); nothing is looked up by chance. Keys that
several traces share (normalised texts, URL maps, near-duplicate families) are built
once per run through ``Scratch.once``, never reused from an earlier run: posts may have
been added since. When the run ends, ``Scratch`` drops every temporary table and view
the run created, so a second run on the same connection sees only the canonical tables
and gives what a fresh run gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import duckdb

from sockscope.store.database import temp_relations


class Engine(Protocol):
    """Where the co-action stages run besides DuckDB (``engines.spark.SparkEngine``)."""

    def end_run(self) -> None: ...


class Scratch:
    """A run's scratch space on one connection (a context manager)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, engine: Engine | None = None
                 ) -> None:
        self.con = con
        self.engine = engine  # where the co-action stages run; None: DuckDB itself
        self._prepared: set[str] = set()
        self._before: set[tuple[str, str]] = set()

    def __enter__(self) -> Scratch:
        self._before = temp_relations(self.con)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def once(self, name: str, build: Callable[[duckdb.DuckDBPyConnection], object]) -> None:
        """Build the shared key table ``name`` unless this run built it already."""
        if name not in self._prepared:
            build(self.con)
            self._prepared.add(name)

    def close(self) -> None:
        """Drop the temporary tables and views created since the run started."""
        for kind, name in sorted(temp_relations(self.con) - self._before):
            self.con.execute(f'DROP {kind} IF EXISTS "{name}"')
        self._prepared.clear()
        if self.engine is not None:
            self.engine.end_run()
