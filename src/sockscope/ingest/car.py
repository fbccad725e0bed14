"""Bluesky repository exports (``.car``: a CAR v1 archive of DAG-CBOR blocks, as
``com.atproto.sync.getRepo`` and Bluesky's "Export my data" give them) turned into JSON
lines the Bluesky reader reads: one line per record, ``{"uri", "did", "record"}``.

The repository's commit (the CAR's root) names its data: a Merkle search tree whose
entries map ``collection/rkey`` keys (each stored as the suffix after the bytes it
shares with the previous key, ``p``) to record blocks. The tree is walked in key order;
every record becomes a line, whatever its collection (the reader counts the ones that
are not posts or reposts). Decoding is libipld's (the Rust IPLD library).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from sockscope.errors import IngestError


def looks_like_car(head: bytes) -> bool:
    """A CAR v1 file: a varint header length, then a DAG-CBOR map naming ``roots``."""
    length, shift, at = 0, 0, 0
    while at < min(len(head), 4):
        byte = head[at]
        length |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            break
        shift += 7
    return 0 < length < 1 << 16 and head[at:at + 1] in (b"\xa2", b"\xa1") \
        and b"roots" in head[at:at + length]


def _json_default(value: object) -> str:
    if isinstance(value, bytes):  # signatures and raw bytes: kept as base64 text
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def car_to_json_lines(path: Path, target: Path, display: str) -> int:
    """Write the records of the repository ``path`` to ``target`` as JSON lines;
    returns how many. A damaged archive is refused with one line."""
    import libipld

    try:
        header, blocks = libipld.decode_car(path.read_bytes())
    except (ValueError, OSError) as exc:
        raise IngestError(display, f"not a readable repository export (CAR): {exc}") from None
    by_cid = {libipld.encode_cid(cid): block for cid, block in blocks.items()}
    roots = header.get("roots") or []
    commit = by_cid.get(str(roots[0])) if roots else None
    if not isinstance(commit, dict) or "data" not in commit or "did" not in commit:
        raise IngestError(display, "a CAR archive, but not a Bluesky repository export "
                          "(its root is no commit with did and data)")
    did = commit["did"]
    count = 0
    with open(target, "w", encoding="utf-8") as out:
        for key, cid in _walk(by_cid, str(commit["data"]), display):
            record = by_cid.get(cid)
            if not isinstance(record, dict):
                continue  # a record not in the export (a partial export): nothing to read
            out.write(json.dumps({"uri": f"at://{did}/{key}", "did": did, "record": record},
                                 ensure_ascii=False, default=_json_default) + "\n")
            count += 1
    return count


def _walk(blocks: dict, root: str, display: str):
    """(key, record CID) of the tree under ``root``, in key order: iteratively, each
    node once (a hostile archive can neither overflow the stack nor loop)."""
    stack: list[tuple[str, object]] = [("node", root)]
    seen: set[str] = set()
    while stack:
        kind, item = stack.pop()
        if kind == "entry":
            yield item
            continue
        if str(item) in seen:
            raise IngestError(display, "repository export whose tree links back to itself")
        seen.add(str(item))
        node = blocks.get(str(item))
        if not isinstance(node, dict):
            continue
        pending: list[tuple[str, object]] = []
        if node.get("l"):
            pending.append(("node", node["l"]))
        previous = b""
        for entry in node.get("e") or []:
            key = previous[: int(entry.get("p", 0))] + bytes(entry.get("k") or b"")
            previous = key
            pending.append(("entry", (key.decode("utf-8", errors="replace"), str(entry["v"]))))
            if entry.get("t"):
                pending.append(("node", entry["t"]))
        stack.extend(reversed(pending))
