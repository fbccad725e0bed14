"""An input file as readers see it: where it is, what it holds at first glance.

Zip archives and compressed files (gzip, bzip2, xz, zstd: Pushshift's Reddit dumps are
zstd) are streamed into a temporary folder, so every reader sees a plain UTF-8 file;
damaged archives are refused with one line, and so are binary files sockscope does not
read (images, PDFs, other archives), by name. The probe reads only the
first bytes: the CSV header, or the first whole JSON object.
"""

from __future__ import annotations

import bz2
import csv
import errno
import gzip
import hashlib
import io
import json
import lzma
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sockscope.errors import IngestError
from sockscope.ingest.car import car_to_json_lines, looks_like_car

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
    origin: str = ""  # what the file was before it was split into records, for messages

    def open_text(self) -> io.TextIOBase:
        """Open as text, replacing undecodable bytes (used for line look-ups only)."""
        return open(self.path, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115

    def open_bytes(self):
        return open(self.path, "rb")  # noqa: SIM115


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


MAX_FIRST_RECORD = 256 << 20  # read this far for a first JSON line (longer lines: an error)
PROBE_LINES = 64  # JSON lines tried for the first valid record
NESTING = 2  # zip archives inside zip archives are opened this deep
_ZIP_MAGIC = b"PK\x03\x04"
_GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class Opened:
    """A file ready for probing: plain bytes on disk (archives and gzip opened)."""

    path: Path
    display: str
    member: str | None
    sha256: str  # of the file the user gave (the archive member for zips)


def expand(path: Path, workdir: Path) -> Iterator[Opened]:
    """The files to read in ``path``: zip members (nested zips too) and gzip contents are
    written to ``workdir``; UTF-16 text is turned into UTF-8 and CR-only line ends into
    LF there too. Corrupt or truncated archives are refused with one line."""
    if not path.exists():
        raise IngestError(str(path), "no such file")
    if path.is_dir():
        raise IngestError(str(path), "is a folder; pass the files inside it")
    if not path.is_file():  # refused before a byte is read: a pipe or device never ends
        raise IngestError(str(path), "not a regular file (a pipe, device or socket); "
                          "save the data to a file first")
    yield from _expand(path, str(path), None, workdir, sha256_of(path), 0)


def _expand(path: Path, display: str, member: str | None, workdir: Path, sha: str,
            depth: int) -> Iterator[Opened]:
    with open(path, "rb") as handle:
        head = handle.read(64)
    magic = head[:4]
    if magic == _ZIP_MAGIC or zipfile.is_zipfile(path):
        if depth >= NESTING:
            raise IngestError(display, f"zip archives nested more than {NESTING} deep; "
                              "unpack them first")
        for target, name, member_sha in _unzip(path, display, workdir):
            yield from _expand(target, f"{display}!{name}", name, workdir, member_sha,
                               depth + 1)
        return
    compression = next((c for c in COMPRESSIONS if head.startswith(c.magic)), None)
    if compression is not None:
        if depth >= NESTING + 1:
            raise IngestError(display, f"{compression.name} files nested more than "
                              f"{NESTING} deep; unpack them first")
        target = workdir / f"{len(list(workdir.iterdir()))}_{_plain_name(path.name)}"
        _decompress(compression, path, target, display)
        yield from _expand(target, display, member, workdir, sha, depth + 1)
        return
    if looks_like_car(head):  # a Bluesky repository export: its records as JSON lines
        target = workdir / f"{len(list(workdir.iterdir()))}_{path.stem}.jsonl"
        car_to_json_lines(path, target, display)
        yield Opened(target, display, member, sha)
        return
    kind = next((name for magic_bytes, name in NOT_TEXT if head.startswith(magic_bytes)), None)
    if kind is not None:
        raise IngestError(display, f"this is {kind}, not data sockscope reads; export the "
                          "posts or articles to CSV or JSON first")
    yield Opened(_as_utf8_lf(path, display, workdir), display, member, sha)


@dataclass(frozen=True)
class Compression:
    """A single-file compression format: its name, magic bytes, file suffixes and how to
    open it for streaming."""

    name: str
    magic: bytes
    suffixes: tuple[str, ...]
    open: Callable[[Path], BinaryIO]
    errors: tuple[type[BaseException], ...]


class _ZstdFrames:
    """A zstd file as a readable stream, frame after frame, that raises at the end of
    the file if the last frame is incomplete (a truncated download)."""

    def __init__(self, path: Path) -> None:
        import zstandard

        self._module = zstandard
        self._file = open(path, "rb")  # noqa: SIM115 - closed by __exit__
        self._frame = self._new()
        self._started = False

    def _new(self):
        # Pushshift's dumps are compressed with a 2 GB window (zstd --long=31)
        return self._module.ZstdDecompressor(max_window_size=1 << 31).decompressobj()

    def read(self, size: int) -> bytes:
        while True:
            chunk = self._file.read(size)
            if not chunk:
                if self._started and not self._frame.eof:
                    raise self._module.ZstdError("the last frame ends early")
                return b""
            out = bytearray()
            while chunk:
                self._started = True
                out += self._frame.decompress(chunk)
                chunk = b""
                if self._frame.eof:  # a frame ended: what follows starts the next one
                    chunk = self._frame.unused_data
                    self._frame = self._new()
                    self._started = bool(chunk)
            if out:
                return bytes(out)

    def __enter__(self) -> _ZstdFrames:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def _open_zstd(path: Path) -> BinaryIO:
    return _ZstdFrames(path)  # type: ignore[return-value]


def _zstd_errors() -> tuple[type[BaseException], ...]:
    try:
        import zstandard
    except ImportError:
        return ()
    return (zstandard.ZstdError,)


COMPRESSIONS = [
    Compression("gzip", _GZIP_MAGIC, (".gz", ".gzip"), gzip.open,
                (OSError, EOFError, zlib.error)),
    Compression("bzip2", b"BZh", (".bz2",), bz2.open, (OSError, EOFError)),
    Compression("xz", b"\xfd7zXZ\x00", (".xz",), lzma.open,
                (OSError, EOFError, lzma.LZMAError)),
    Compression("zstd", b"\x28\xb5\x2f\xfd", (".zst", ".zstd"), _open_zstd,
                (OSError, EOFError, *_zstd_errors())),
]
# binary files people hand over by mistake, refused by name before anything is read
NOT_TEXT = [
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (unpack it first: 7z x FILE)"),
    (b"Rar!\x1a\x07", "a RAR archive (unpack it first: unrar x FILE)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3\x00", "an SQLite database (export its tables to CSV first)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (save it as CSV first)"),
    (b"ustar", "a tar archive (unpack it first: tar xf FILE)"),
]


def _plain_name(name: str) -> str:
    """``RC_2023-01.zst`` -> ``RC_2023-01``: the name without a compression suffix."""
    for compression in COMPRESSIONS:
        for suffix in compression.suffixes:
            if name.lower().endswith(suffix):
                return name[: -len(suffix)]
    return name


def _decompress(compression: Compression, path: Path, target: Path, display: str) -> None:
    """Stream ``path`` through its decompressor into ``target``, 1 MiB at a time."""
    try:
        with compression.open(path) as src, open(target, "wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    except ImportError:
        raise IngestError(display, f"this is a {compression.name} file and the package to "
                          "read it is missing: pip install zstandard") from None
    except compression.errors as exc:
        raise IngestError(display, f"truncated or corrupt {compression.name} file ({exc}); "
                          "the data cannot be read past the damage") from None


MAX_MEMBERS = 100_000  # files in one archive
MAX_RATIO = 1_000  # how many times a large member may expand
LARGE_MEMBER = 100 << 20  # the ratio applies from this size on


def _check_archive(members: list[zipfile.ZipInfo], display: str) -> None:
    """Refuse, before unpacking, an archive that is encrypted, holds too many files, or
    would expand like a zip bomb."""
    if len(members) > MAX_MEMBERS:
        raise IngestError(display, f"zip archive of {len(members):,} files (more than "
                          f"{MAX_MEMBERS:,}); unpack it and pass the files")
    for member in members:
        if member.flag_bits & 0x1:
            raise IngestError(display, f"{member.filename}: encrypted; decrypt the archive "
                              "first (unzip asks for its password)")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= LARGE_MEMBER and ratio > MAX_RATIO:
            raise IngestError(display, f"{member.filename}: would expand {ratio:,.0f} times "
                              f"to {member.file_size / 2**30:.1f} GiB; refused as a probable "
                              "zip bomb (unpack it yourself if it is genuine)")


_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES}


def _short_name(number: int, name: str) -> str:
    """A member's file name in the temporary folder: numbered, and cut (keeping its
    suffix) so that it fits any file system's 255-byte limit."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.encode("utf-8")[:150].decode("utf-8", errors="ignore")
    return f"{number}_{stem}{dot}{suffix[:20]}"


def _unzip(path: Path, display: str, workdir: Path) -> Iterator[tuple[Path, str, str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()
                       and not Path(m.filename).name.startswith(".")
                       and not m.filename.startswith("__MACOSX/")]
            if not members:
                raise IngestError(display, "zip archive holds no files")
            _check_archive(members, display)
            for member in sorted(members, key=lambda m: m.filename):
                target = workdir / _short_name(len(list(workdir.iterdir())),
                                               Path(member.filename).name)
                digest = hashlib.sha256()
                with archive.open(member) as src, open(target, "wb") as dst:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        dst.write(block)
                yield target, member.filename, digest.hexdigest()
    except IngestError:
        raise
    except OSError as exc:
        if exc.errno in _DISK_ERRORS:
            raise  # the temporary folder's disk, not the archive: said as such by the CLI
        raise IngestError(display, f"truncated or corrupt zip archive ({exc})") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error,
            NotImplementedError, ValueError) as exc:
        raise IngestError(display, f"truncated or corrupt zip archive ({exc})") from None


def _as_utf8_lf(path: Path, display: str, workdir: Path) -> Path:
    """UTF-16 files become UTF-8, CR-only line ends LF (in ``workdir``); other files are
    read where they are. A file in a legacy 8-bit encoding is refused, named."""
    with open(path, "rb") as handle:
        head = handle.read(PROBE_BYTES)
    if head.startswith(PARQUET_MAGIC):
        return path
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        target = workdir / f"{len(list(workdir.iterdir()))}_utf8_{path.name}"
        try:
            with open(path, encoding="utf-16", newline="") as src, \
                    open(target, "w", encoding="utf-8", newline="") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
        except UnicodeError as exc:
            raise IngestError(display, f"broken UTF-16 text ({exc})") from None
        return _as_utf8_lf(target, display, workdir)
    _refuse_legacy_encoding(head, display)
    if b"\r" in head and b"\n" not in head:
        target = workdir / f"{len(list(workdir.iterdir()))}_lf_{path.name}"
        with open(path, "rb") as src, open(target, "wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block.replace(b"\r", b"\n"))
        return target
    return path


def _refuse_legacy_encoding(head: bytes, display: str) -> None:
    """A file with several invalid UTF-8 sequences and no valid non-ASCII one is text in
    an 8-bit encoding: name it instead of rejecting every line with an accent."""
    text = head.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - head.decode("utf-8", errors="ignore").count("\ufffd")
    if invalid < 2 or any(ord(ch) > 127 and ch != "\ufffd" for ch in text):
        return
    high = [b for b in head if b > 127]
    if not all(bytes([b]).decode("cp1252", errors="replace").isalpha() for b in high):
        return  # damaged bytes, not accented letters: the damaged lines are skipped
    line = text[:text.index("\ufffd")].count("\n") + 1
    raise IngestError(display, "not UTF-8: this looks like Latin-1/Windows-1252 text; "
                      "convert it first (iconv -f cp1252 -t utf-8 FILE > FILE.utf8.csv)",
                      line=line)


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def probe(opened: Opened) -> Source:
    """Look at the first bytes of a file and describe what kind of container it is."""
    path, display, member = opened.path, opened.display, opened.member
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == PARQUET_MAGIC:
        return Source(path, display, member, opened.sha256, "parquet")
    with open(path, "rb") as handle:
        head = handle.read(PROBE_BYTES)
    text = _strip_bom(head.decode("utf-8", errors="replace"))
    if not text.strip():
        raise IngestError(display, "file is empty", line=1)
    stripped = text.lstrip()
    source = Source(path, display, member, opened.sha256, "csv")
    if stripped.startswith("{"):
        first = _first_json_line(path)
        if first is not None:
            source.first_object = first
            source.container = "jsonl"
            return source
        source.container = "json"  # one document spread over many lines
        source.first_object = _json_head_keys(stripped)
        return source
    if stripped.startswith("["):
        source.container = "json"
        source.first_object = _first_array_element(stripped, path)
        return source
    source.container = "csv"
    try:
        first_record = _first_csv_record(text)
    except (csv.Error, ValueError) as exc:
        raise IngestError(display, f"cannot read the header row ({exc})", line=1) from None
    source.delimiter = _guess_delimiter(first_record)
    header = next(csv.reader([first_record], delimiter=source.delimiter))
    source.columns = [column.strip() for column in header]
    if not any(source.columns):
        raise IngestError(display, "no header row", line=1)
    return source


def _first_json_line(path: Path) -> dict | None:
    """The first of the first lines that is a whole JSON object (however long), or None
    when none of them is: then the file is one JSON document, not JSON lines."""
    with open(path, "rb") as handle:
        for number in range(PROBE_LINES):
            line = handle.readline(MAX_FIRST_RECORD)
            if not line:
                return None
            text = _strip_bom(line.decode("utf-8", errors="replace")).strip()
            if not text:
                continue
            if number == 0 and text == "{":
                return None  # a pretty-printed document
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict):
                return value
    return None


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


def _first_array_element(text: str, path: Path | None = None) -> dict | None:
    """The first element of a JSON array file (read further than the probe if needed)."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    while position < len(text) and text[position] in " \r\n\t":
        position += 1
    try:
        value, _ = decoder.raw_decode(text, position)
    except RecursionError:
        return None
    except ValueError:
        if path is None or len(text.encode("utf-8")) < PROBE_BYTES:
            return None
        with open(path, "rb") as handle:  # a first element larger than the probe
            longer = _strip_bom(handle.read(MAX_FIRST_RECORD).decode("utf-8", "replace"))
        return _first_array_element(longer)
    return value if isinstance(value, dict) else None


def _json_head_keys(text: str) -> dict:
    """Top-level keys seen near the start of a large JSON document (no full parse)."""
    keys: dict = {}
    for key in ("messages", "chats", "about", "personal_information"):
        if f'"{key}"' in text[:PROBE_BYTES]:
            keys[key] = True
    return keys
