"""Writers for result tables. CSV cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
apostrophe, so text from the data can never execute in Excel or LibreOffice."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text of a CSV cell, neutralised if it could be read as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Rows end with LF; any field holding CR or LF is quoted (a bare CR must never split
    a row for a reader that takes CR as a line end)."""
    buffer = io.StringIO()
    # CRLF as the writer's terminator makes it quote fields with either character; the
    # terminator itself is then written as LF
    writer = csv.writer(buffer, lineterminator="\r\n")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        for row in itertools.chain([header], ([safe_cell(v) for v in r] for r in rows)):
            writer.writerow(row)
            handle.write(buffer.getvalue()[:-2] + "\n")
            buffer.seek(0)
            buffer.truncate()
