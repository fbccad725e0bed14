"""An input file as readers see it: where it is, what it holds at first glance.

Zip archives are opened into a temporary folder (DuckDB reads plain and gzip files
itself). The probe reads only the first bytes: CSV header, or first JSON object.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sockscope.errors import IngestError

PROBE_BYTES = 1 << 20


@dataclass
class Source:
    """One file to ingest (a zip member counts as one file)."""

    path: Path  # the file DuckDB reads
    display: str  # what messages call it
    member: str | None
    sha256: str
    container: str  # csv | jsonl | json | parquet
    columns: list[str] = field(default_factory=list)  # CSV header or Parquet columns
    delimiter: str = ","
    first_object: dict | None = None  # first JSON object (JSONL line or document head)
    gzipped: bool = False

    def open_text(self) -> io.TextIOBase:
        """Open as text, replacing undecodable bytes (used for line look-ups only)."""
        raw = gzip.open(self.path, "rb") if self.gzipped else open(self.path, "rb")  # noqa: SIM115
        return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")

    def open_bytes(self):
        return gzip.open(self.path, "rb") if self.gzipped else open(self.path, "rb")  # noqa: SIM115


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand(path: Path, workdir: Path) -> Iterator[tuple[Path, str, str | None]]:
    """Yield (file to read, display name, zip member) for a path, opening zip archives."""
    if not path.exists():
        raise IngestError(str(path), "no such file")
    if path.is_dir():
        raise IngestError(str(path), "is a folder; pass the files inside it")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()
                       and not Path(m.filename).name.startswith(".")
                       and not m.filename.startswith("__MACOSX/")]
            if not members:
                raise IngestError(str(path), "zip archive holds no files")
            for number, member in enumerate(sorted(members, key=lambda m: m.filename)):
                target = workdir / f"{number}_{Path(member.filename).name}"
                with archive.open(member) as src, open(target, "wb") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
                yield target, f"{path}!{member.filename}", member.filename
    else:
        yield path, str(path), None


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def probe(path: Path, display: str, member: str | None) -> Source:
    """Look at the first bytes of a file and describe what kind of container it is."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    gzipped = magic[:2] == b"\x1f\x8b"
    if magic == b"PAR1":
        return Source(path, display, member, sha256_of(path), "parquet")
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as handle:
        head = handle.read(PROBE_BYTES)
    if not head.strip():
        raise IngestError(display, "file is empty", line=1)
    text = _strip_bom(head.decode("utf-8", errors="replace"))
    stripped = text.lstrip()
    source = Source(path, display, member, sha256_of(path), "csv", gzipped=gzipped)
    if stripped.startswith("{"):
        first_line = stripped.split("\n", 1)[0]
        try:
            source.first_object = json.loads(first_line)
            source.container = "jsonl"
            return source
        except json.JSONDecodeError:
            source.container = "json"  # one document spread over many lines
            source.first_object = _json_head_keys(stripped)
            return source
    if stripped.startswith("["):
        source.container = "json"
        source.first_object = _first_array_element(stripped)
        return source
    source.container = "csv"
    first_record = _first_csv_record(text)
    source.delimiter = _guess_delimiter(first_record)
    header = next(csv.reader([first_record], delimiter=source.delimiter))
    source.columns = [column.strip() for column in header]
    if not any(source.columns):
        raise IngestError(display, "no header row", line=1)
    return source


def _first_csv_record(text: str) -> str:
    """The header record (it may span lines if a column name is quoted with newlines)."""
    reader = csv.reader(io.StringIO(text))
    try:
        next(reader)
    except StopIteration as exc:
        raise ValueError("empty") from exc
    lines = text.splitlines(keepends=True)[: reader.line_num]
    return "".join(lines).rstrip("\r\n")


def _guess_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in [",", "\t", ";", "|"]}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _first_array_element(text: str) -> dict | None:
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    while position < len(text) and text[position] in " \r\n\t":
        position += 1
    try:
        value, _ = decoder.raw_decode(text, position)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _json_head_keys(text: str) -> dict:
    """Top-level keys seen near the start of a large JSON document (no full parse)."""
    keys: dict = {}
    for key in ("messages", "chats", "about", "personal_information"):
        if f'"{key}"' in text[:PROBE_BYTES]:
            keys[key] = True
    return keys
