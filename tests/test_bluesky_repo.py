"""Bluesky repository exports (CAR): built here in the repository layout (a signed
commit naming a Merkle search tree whose entries store each key as the suffix after the
bytes it shares with the previous one), then read through the Bluesky reader."""

from __future__ import annotations

import hashlib

import libipld
import pytest

from sockscope import api
from sockscope.errors import IngestError
from sockscope.store.database import connect

DID = "did:plc:repo123"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _block(obj: dict) -> tuple[bytes, bytes]:
    data = libipld.encode_dag_cbor(obj)
    return bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(data).digest(), data


def _repo(records: list[tuple[str, dict]], extra: list[dict] = ()) -> bytes:
    """A CAR of a repository: two tree nodes (the second under the first's last entry)
    so the walk must follow ``t`` links and undo the key prefix compression."""
    blocks = []
    cids = []
    for _, record in records:
        cid, data = _block(record)
        blocks.append((cid, data))
        cids.append(libipld.encode_cid(cid))

    def entries(pairs):
        out, previous = [], b""
        for (key, _), cid in pairs:
            raw = key.encode()
            shared = 0
            while shared < min(len(previous), len(raw)) and previous[shared] == raw[shared]:
                shared += 1
            out.append({"p": shared, "k": raw[shared:], "v": cid, "t": None})
            previous = raw
        return out

    half = len(records) // 2
    lower_cid, lower = _block({"l": None, "e": entries(list(zip(records[half:], cids[half:],
                                                                  strict=True)))})
    top_entries = entries(list(zip(records[:half], cids[:half], strict=True)))
    top_entries[-1]["t"] = libipld.encode_cid(lower_cid)
    top_cid, top = _block({"l": None, "e": top_entries})
    commit_cid, commit = _block({"did": DID, "version": 3, "data": libipld.encode_cid(top_cid),
                                 "rev": "3kabc", "prev": None, "sig": b"signature"})
    header = libipld.encode_dag_cbor({"version": 1, "roots": [libipld.encode_cid(commit_cid)]})
    car = _varint(len(header)) + header
    for cid, data in [(commit_cid, commit), (top_cid, top), (lower_cid, lower), *blocks]:
        car += _varint(len(cid) + len(data)) + cid + data
    return car


RECORDS = [
    ("app.bsky.feed.like/3kaaa1", {"$type": "app.bsky.feed.like",
                                   "createdAt": "2024-03-04T11:00:00.000Z",
                                   "subject": {"uri": "at://did:plc:x/app.bsky.feed.post/1",
                                               "cid": "bafy"}}),
    ("app.bsky.feed.post/3kaaa2", {"$type": "app.bsky.feed.post", "text": "first #vote",
                                   "createdAt": "2024-03-04T12:00:00.000Z",
                                   "facets": [{"features": [{
                                       "$type": "app.bsky.richtext.facet#tag",
                                       "tag": "vote"}]}]}),
    ("app.bsky.feed.post/3kaaa3", {"$type": "app.bsky.feed.post", "text": "second",
                                   "createdAt": "2024-03-04T12:05:00.000Z",
                                   "reply": {"parent": {"uri": "at://did:plc:x/app.bsky.feed"
                                                               ".post/1", "cid": "bafy"},
                                             "root": {"uri": "at://did:plc:x/app.bsky.feed"
                                                             ".post/1", "cid": "bafy"}}}),
    ("app.bsky.feed.repost/3kaaa4", {"$type": "app.bsky.feed.repost",
                                     "createdAt": "2024-03-04T12:06:00.000Z",
                                     "subject": {"uri": "at://did:plc:x/app.bsky.feed.post/1",
                                                 "cid": "bafy"}}),
]


def test_a_repository_export_is_read_record_by_record(tmp_path):
    (tmp_path / "repo.car").write_bytes(_repo(RECORDS))
    con = connect()
    report = api.ingest([tmp_path / "repo.car"], connection=con).reports[0]
    assert (report.format, report.rows_read, report.rows_kept) == ("bluesky", 4, 3)
    assert [(s.reason, s.count) for s in report.skips] == [("not a post (app.bsky.feed.like)",
                                                            1)]
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT post_id, account_id, kind, hashtags, reply_to_post, repost_of_post "
        "FROM posts").fetchall()}
    assert rows[f"at://{DID}/app.bsky.feed.post/3kaaa2"][:3] == (DID, "post", ["vote"])
    assert rows[f"at://{DID}/app.bsky.feed.post/3kaaa3"][1:4:2] == (
        "reply", "at://did:plc:x/app.bsky.feed.post/1")
    assert rows[f"at://{DID}/app.bsky.feed.repost/3kaaa4"][1] == "repost"


def test_a_damaged_repository_export_is_refused(tmp_path):
    car = _repo(RECORDS)
    (tmp_path / "repo.car").write_bytes(car[: len(car) // 2])
    with pytest.raises(IngestError, match="repository export"):
        api.ingest([tmp_path / "repo.car"], connection=connect())
