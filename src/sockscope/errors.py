"""Errors a user can act on: each names the file, the position and the field."""

from __future__ import annotations


class SockscopeError(Exception):
    """Base class for errors reported to the user without a traceback."""


class IngestError(SockscopeError):
    """An input file cannot be read, or (with ``--strict``) holds a bad row."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        unit: str = "line",
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = path
        if line is not None:
            where += f", {unit} {line}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")
