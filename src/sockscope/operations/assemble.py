"""Operations: the groups, bylines and persona accounts that the evidence ties together.

The pieces are joined when a group is linked to a byline (``links``: a tested tie, the
only way a group joins), when an account presenting as a byline is found
(``personas``), and when two bylines that groups push share a writer (the byline
analysis' writer clusters). An operation is a connected set of pieces that holds at
least one group and one byline: "this desk runs these invented writers". Its accounts
are the groups' members, the persona accounts and the amplifiers: accounts in no group
that share the operation's bylines far beyond chance (``links.byline_amplifiers``).
Bylines tied to an operation by their writing alone are listed beside it
(``writer_bylines``), not joined: stylometry alone is weaker evidence than a network
pushing a byline. A byline with its own account and nobody pushing it is not an
operation. Operations are ranked by accounts, then bylines, then the strongest link.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.durations import human_duration
from sockscope.model.bylines import BylineResult
from sockscope.model.detection import Detection
from sockscope.model.operations import OperationResult
from sockscope.operations.links import (
    account_articles,
    byline_amplifiers,
    byline_links,
    organic_share,
)
from sockscope.operations.personas import persona_accounts
from sockscope.operations.shares import match_shares
from sockscope.store.database import arrow_view

OPERATION_SCHEMA = pa.schema([
    ("operation_id", pa.string()), ("groups", pa.string()), ("bylines", pa.string()),
    ("writer_bylines", pa.string()),
    ("persona_accounts", pa.string()), ("amplifiers", pa.string()), ("accounts", pa.string()),
    ("outlets", pa.string()),
    ("account_count", pa.int64()), ("median_delay_s", pa.float64()),
    ("q_value", pa.float64()), ("summary", pa.string())])
BYLINE_SIGNAL_SCHEMA = pa.schema([
    ("byline", pa.string()), ("pushed_by", pa.string()), ("persona_accounts", pa.string()),
    ("organic_share", pa.float64()), ("operation_id", pa.string())])
CREATION_SHARE = 0.8  # "created within": the shortest span holding this share of accounts
CREATION_SPAN_DAYS = 90  # said only when that span is this short
NAMED = 3  # bylines named in a summary


def assemble_operations(con: duckdb.DuckDBPyConnection, detection: Detection,
                        bylines: BylineResult | None) -> OperationResult:
    """Match articles to posts, link bylines to groups, find persona accounts and join
    them into operations."""
    membership = detection.membership
    shares = match_shares(con)
    links, tests = byline_links(shares, membership, detection.params.fdr)
    personas = persona_accounts(con, shares, membership)
    writers = _writer_clusters(bylines)
    operations, operation_of = _operations(con, detection, shares, links, personas, writers,
                                           detection.params.fdr)
    names = sorted(con.execute("SELECT DISTINCT byline FROM articles WHERE byline IS NOT NULL")
                   .fetchall())
    organic = organic_share(shares, membership)
    pushed: dict[str, list[str]] = defaultdict(list)
    for row in links.select(["byline", "group_id"]).to_pylist():
        pushed[row["byline"]].append(row["group_id"])
    presenting: dict[str, list[str]] = defaultdict(list)
    for row in personas.select(["byline", "account_id"]).to_pylist():
        presenting[row["byline"]].append(row["account_id"])
    signals = pa.Table.from_pylist([
        {"byline": b, "pushed_by": ";".join(sorted(pushed[b])),
         "persona_accounts": ";".join(presenting[b]), "organic_share": organic.get(b),
         "operation_id": operation_of.get(("b", b))} for (b,) in names],
        schema=BYLINE_SIGNAL_SCHEMA)
    notes = [f"{shares.num_rows:,} posts share one of the articles "
             f"({sum(m == 'title' for m in shares['matched_by'].to_pylist()):,} by title)"]
    if bylines is None:
        notes.append("the bylines were not compared (see the notes above), so operations "
                     "do not join bylines that share a writer")
    return OperationResult(shares, links, personas, operations, signals, notes, tests)


def _writer_clusters(bylines: BylineResult | None) -> dict[str, str]:
    """byline -> writer cluster, for clusters of two or more bylines."""
    if bylines is None:
        return {}
    cluster = dict(zip(bylines.bylines["byline"].to_pylist(),
                       bylines.bylines["cluster_id"].to_pylist(), strict=True))
    sizes: dict[str, int] = defaultdict(int)
    for c in cluster.values():
        sizes[c] += 1
    return {b: c for b, c in cluster.items() if sizes[c] > 1}


class _Pieces:
    """Union-find over pieces: ("g", group), ("b", byline), ("a", account)."""

    def __init__(self) -> None:
        self.parent: dict[tuple, tuple] = {}

    def find(self, x: tuple) -> tuple:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: tuple, b: tuple) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _operations(con, detection: Detection, shares: pa.Table, links: pa.Table,
                personas: pa.Table, writers: dict[str, str], fdr: float):
    pieces = _Pieces()
    for row in links.to_pylist():
        pieces.join(("g", row["group_id"]), ("b", row["byline"]))
    for row in personas.to_pylist():  # joins its byline; its group joins through a link
        pieces.join(("a", row["account_id"]), ("b", row["byline"]))
    by_cluster: dict[str, list[str]] = defaultdict(list)
    for byline, cluster in sorted(writers.items()):
        by_cluster[cluster].append(byline)
    pushed = set(links["byline"].to_pylist())
    for members in by_cluster.values():
        # bylines that share a writer join when each is pushed by a group; a byline tied
        # to an operation by its writing alone is listed beside it (writer_bylines)
        linked = [b for b in members if b in pushed]
        for b in linked[1:]:
            pieces.join(("b", linked[0]), ("b", b))
    components: dict[tuple, list[tuple]] = defaultdict(list)
    for piece in list(pieces.parent):
        components[pieces.find(piece)].append(piece)
    groups = {g.group_id: g for g in detection.groups}
    outlets = defaultdict(set)
    for byline, outlet in con.execute(
            "SELECT DISTINCT byline, outlet FROM articles WHERE outlet IS NOT NULL").fetchall():
        outlets[byline].add(outlet)
    created = _creation_times(con, set(detection.membership)
                              | set(shares["account_id"].to_pylist()))
    # the tables as rows, once for every operation
    articles_of = account_articles(shares)
    share_rows = list(zip(shares["byline"].to_pylist(), shares["account_id"].to_pylist(),
                          shares["delay_s"].to_pylist(), strict=True))
    link_rows, persona_rows = links.to_pylist(), personas.to_pylist()
    found = []
    for component in components.values():
        kinds = defaultdict(list)
        for kind, name in component:
            kinds[kind].append(name)
        if not kinds["g"] or not kinds["b"]:
            continue
        members = {m for g in kinds["g"] for m in groups[g].members} | set(kinds["a"])
        amplifiers = [a["account_id"] for a in byline_amplifiers(
            articles_of, set(kinds["b"]), members | set(detection.membership), fdr)]
        found.append(_describe(sorted(kinds["g"]), sorted(kinds["b"]), sorted(kinds["a"]),
                               amplifiers, groups, share_rows, link_rows, persona_rows,
                               outlets, created, writers, by_cluster))
    found.sort(key=lambda o: (-o["account_count"], -len(o["bylines"].split(";")),
                              o["q_value"], o["groups"]))
    operation_of = {}
    for number, operation in enumerate(found, start=1):
        operation["operation_id"] = f"O{number:03d}"
        for byline in operation["bylines"].split(";"):
            operation_of[("b", byline)] = operation["operation_id"]
    return pa.Table.from_pylist(found, schema=OPERATION_SCHEMA), operation_of


def _creation_times(con, wanted: set[str]) -> dict[str, datetime]:
    accounts = sorted(wanted)
    if not accounts:
        return {}
    table = pa.table({"account_id": pa.array(accounts, pa.string())})
    with arrow_view(con, table) as wanted:
        return dict(con.execute(f"""SELECT account_id, min(created_at) FROM accounts
                                    SEMI JOIN {wanted} USING (account_id)
                                    WHERE created_at IS NOT NULL GROUP BY 1""").fetchall())


def _describe(group_ids, byline_names, persona_ids, amplifiers, groups, share_rows,
              link_rows, persona_rows, outlets, created, writers, by_cluster) -> dict:
    """One operation's row; ``share_rows`` are (byline, account, delay) triples, the
    other rows those of the links and persona tables."""
    accounts = sorted({m for g in group_ids for m in groups[g].members} | set(persona_ids)
                      | set(amplifiers))
    op_links = [r for r in link_rows if r["group_id"] in group_ids
                and r["byline"] in byline_names]
    member_set = set(accounts)
    delays = [d for b, a, d in share_rows
              if b in byline_names and a in member_set and d is not None]
    median_delay = float(np.median(delays)) if delays else None
    op_outlets = sorted({o for b in byline_names for o in outlets[b]})
    op_personas = [r for r in persona_rows if r["account_id"] in persona_ids
                   and r["byline"] in byline_names]
    q = min((r["q_value"] for r in op_links), default=1.0)
    writer_bylines = sorted({other for b in byline_names if b in writers
                             for other in by_cluster[writers[b]]} - set(byline_names))
    return {
        "operation_id": "", "groups": ";".join(group_ids), "bylines": ";".join(byline_names),
        "writer_bylines": ";".join(writer_bylines),
        "persona_accounts": ";".join(persona_ids), "amplifiers": ";".join(amplifiers),
        "accounts": ";".join(accounts),
        "outlets": ";".join(op_outlets), "account_count": len(accounts),
        "median_delay_s": median_delay, "q_value": q,
        "summary": _summary(accounts, amplifiers, byline_names, op_outlets, median_delay,
                            op_personas, created, _shared_writers(byline_names, writers),
                            writer_bylines),
    }


def _shared_writers(byline_names: list[str], writers: dict[str, str]) -> list[list[str]]:
    """The operation's bylines that share a writer, cluster by cluster."""
    clusters: dict[str, list[str]] = defaultdict(list)
    for byline in byline_names:
        if byline in writers:
            clusters[writers[byline]].append(byline)
    return [names for _, names in sorted(clusters.items()) if len(names) > 1]


def _summary(accounts, amplifiers, byline_names, outlets, median_delay, personas, created,
             shared_writers, writer_bylines) -> str:
    who = f"{len(accounts)} accounts"
    times = sorted(created[a] for a in accounts if a in created)
    if len(times) >= 3:
        k = math.ceil(CREATION_SHARE * len(times))
        span = min(times[i + k - 1] - times[i] for i in range(len(times) - k + 1))
        if span.days <= CREATION_SPAN_DAYS:
            share = "" if k == len(times) else f" ({k} of them)"
            who += f" created within {human_duration(span.total_seconds())}{share}"
    named = ", ".join(f"'{b}'" for b in byline_names[:NAMED])
    if len(byline_names) > NAMED:
        named += f" and {len(byline_names) - NAMED} more"
    text = (f"{who} push the columns of {len(byline_names)} "
            f"byline{'s' if len(byline_names) != 1 else ''} ({named})")
    if outlets:
        text += f" in {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}"
    if median_delay is not None:
        text += f", a median {human_duration(median_delay)} after publication"
    for persona in sorted(personas, key=lambda p: -p["first_share_rate"])[:NAMED]:
        name = persona["display_name"] or persona["handle"] or persona["account_id"]
        text += (f"; the account '{name}' posts {persona['first_to_share']} of "
                 f"{persona['articles_shared']} of '{persona['byline']}''s columns first")
    if amplifiers:
        text += (f"; {len(amplifiers)} of the accounts are in no group but share these "
                 "bylines far beyond chance")
    for names in shared_writers:
        text += ("; the bylines " if len(names) == len(byline_names) else
                 f"; {len(names)} of the bylines ") + "share writers"
    if writer_bylines:
        named = ", ".join(f"'{b}'" for b in writer_bylines[:NAMED])
        more = f" and {len(writer_bylines) - NAMED} more" if len(writer_bylines) > NAMED else ""
        text += (f"; by their writing alone, {named}{more} may share a writer with them "
                 "(no group pushes them)")
    return text + "."
