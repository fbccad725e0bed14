"""Everything about one group, in a folder of its own: ``sockscope export G0003``.

The rows are taken from a result folder's files as they were written (nothing is
recomputed, so the export says exactly what the result says): the group's line of
groups.csv, its members (members.csv, accounts.csv), the ties among them (edges.csv),
what it pushed (group_content.csv) and its evidence (evidence_by_key.csv, evidence.csv,
with post links). With the run database, the members' posts are added (posts.csv).
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sockscope.errors import SockscopeError
from sockscope.output.safe_csv import write_csv

# result file -> which rows belong to the group
GROUP_FILES = {
    "groups.csv": "group_id", "members.csv": "group_id", "accounts.csv": "group_id",
    "group_content.csv": "group_id", "evidence_by_key.csv": "group_id",
    "evidence.csv": "group_id", "edges.csv": "members",
}


def export_group(result: Path, group_id: str, out: Path,
                 extra: Callable[[Path, set[str]], dict[str, int]] | None = None
                 ) -> dict[str, int]:
    """Write the group's rows of each result file into ``out`` (created, or replaced
    whole when it holds an earlier export); ``extra(folder, members)`` may add files
    (the members' posts). Returns the rows written per file."""
    result, out = Path(result), Path(out)
    if not (result / "groups.csv").is_file():
        raise SockscopeError(f"{result}: not a sockscope result folder (no groups.csv)")
    members = _members(result, group_id)
    counts: dict[str, int] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        for name, rule in GROUP_FILES.items():
            if (result / name).is_file():
                counts[name] = _filter(result / name, staging / name, group_id, rule, members)
        if extra is not None:
            counts.update(extra(staging, members))
        if out.exists():
            if not (out / "groups.csv").is_file():
                raise SockscopeError(f"{out}: exists and is not an earlier export; "
                                     "choose another --out")
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def _members(result: Path, group_id: str) -> set[str]:
    with open(result / "groups.csv", newline="", encoding="utf-8") as handle:
        known = [row["group_id"] for row in csv.DictReader(handle)]
    if group_id not in known:
        shown = ", ".join(known[:5]) + (", …" if len(known) > 5 else "")
        raise SockscopeError(f"no group {group_id!r} in {result}/groups.csv"
                             + (f" (it has {shown})" if known else " (it has none)"))
    with open(result / "accounts.csv", newline="", encoding="utf-8") as handle:
        return {row["account_id"] for row in csv.DictReader(handle)
                if row["group_id"] == group_id}


def _filter(source: Path, target: Path, group_id: str, rule: str,
            members: set[str]) -> int:
    """Copy the header and the group's rows, cells as they are (already guarded),
    streaming: evidence.csv may be far larger than memory wants to hold."""
    kept = 0
    with open(source, newline="", encoding="utf-8") as read:
        reader = csv.reader(read)
        header = next(reader, None)
        if header is None:
            return 0
        if rule == "members":
            a, b = header.index("account_a"), header.index("account_b")

            def wanted(row: list[str]) -> bool:
                return row[a] in members and row[b] in members
        else:
            column = header.index(rule)

            def wanted(row: list[str]) -> bool:
                return row[column] == group_id

        def rows():
            nonlocal kept
            for row in reader:
                if wanted(row):
                    kept += 1
                    yield row

        write_csv(target, header, rows(), guard=False)
    return kept
