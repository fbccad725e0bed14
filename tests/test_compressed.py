"""Compressed inputs read as they come (gzip, bzip2, xz, zstd as Pushshift writes it,
inside zips too), and binary files refused by what they are."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile

import pytest
import zstandard

from sockscope import api
from sockscope.errors import IngestError
from sockscope.store.database import connect

from .conftest import FIXTURES

REDDIT = FIXTURES / "formats" / "reddit_comments.ndjson"


def _zstd_long(data: bytes) -> bytes:
    """As Pushshift compresses its dumps: zstd with a long window, which a reader with
    the default limits refuses ("Frame requires too much memory for decoding")."""
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=30,
                                                            write_content_size=False)
    buffer = io.BytesIO()
    with zstandard.ZstdCompressor(compression_params=params).stream_writer(
            buffer, closefd=False) as writer:
        writer.write(data)
    frame = buffer.getvalue()
    assert zstandard.get_frame_parameters(frame).window_size == 1 << 30
    return frame


COMPRESSORS = {"RC_2023-01.gz": gzip.compress, "RC_2023-01.bz2": bz2.compress,
               "RC_2023-01.xz": lzma.compress, "RC_2023-01.zst": _zstd_long,
               "RC_2023-01": _zstd_long}  # no suffix: known by its magic bytes


@pytest.mark.parametrize("name", sorted(COMPRESSORS))
def test_a_compressed_reddit_dump_reads_as_the_plain_one(tmp_path, name):
    data = REDDIT.read_bytes()
    (tmp_path / name).write_bytes(COMPRESSORS[name](data))
    plain = api.ingest([REDDIT], connection=connect()).reports[0]
    report = api.ingest([tmp_path / name], connection=connect()).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == (
        plain.format, plain.rows_read, plain.rows_kept) == ("reddit", plain.rows_read, 3)


def test_compressed_files_inside_a_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "dumps.zip", "w") as archive:
        archive.writestr("RC_2023-01.zst", _zstd_long(REDDIT.read_bytes()))
        other = REDDIT.read_bytes().replace(b'"id": "', b'"id": "x')  # other posts
        archive.writestr("RS_2023-01.xz", lzma.compress(other))
    reports = api.ingest([tmp_path / "dumps.zip"], connection=connect()).reports
    assert [(r.format, r.rows_kept) for r in reports] == [("reddit", 3), ("reddit", 3)]


@pytest.mark.parametrize("name, compress, kind", [
    ("RC.zst", _zstd_long, "zstd"), ("RC.bz2", bz2.compress, "bzip2"),
    ("RC.xz", lzma.compress, "xz"), ("RC.gz", gzip.compress, "gzip")])
def test_a_truncated_compressed_file_is_named(tmp_path, name, compress, kind):
    data = compress(REDDIT.read_bytes() * 20)
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match=rf"truncated or corrupt {kind} file"):
        api.ingest([tmp_path / name], connection=connect())


@pytest.mark.parametrize("head, kind", [
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "a 7-Zip archive"), (b"Rar!\x1a\x07\x01\x00", "a RAR archive"),
    (b"%PDF-1.7\n", "a PDF document"), (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"SQLite format 3\x00", "an SQLite database")])
def test_a_binary_file_is_refused_by_what_it_is(tmp_path, head, kind):
    (tmp_path / "export.csv").write_bytes(head + bytes(range(256)) * 4)
    with pytest.raises(IngestError, match=f"this is {kind}"):
        api.ingest([tmp_path / "export.csv"], connection=connect())
