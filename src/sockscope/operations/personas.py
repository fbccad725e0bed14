"""Accounts that present as a byline: the display name or handle is the byline's name
(after ``normalize_name``) and the account shares that byline's articles.

The evidence per account: which name matched, how many of the byline's articles it
shared, how often it was the first to share one, and its delay after publication. An
invented writer's account, run by the desk that places the columns, posts each column
first, within minutes. A genuine columnist's own account looks alike on these points,
so the list is neutral (``persona_accounts``): what tells them apart is the rest of the
evidence, the group that pushes the columns, the account's persona marks, the writing.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.keys.fold_name import fold_name
from sockscope.store.database import arrow_view

MIN_NAME_CHARS = 6  # shorter names ("Staff", "AP") match too many accounts by chance
PERSONA_SCHEMA = pa.schema([
    ("byline", pa.string()), ("account_id", pa.string()), ("handle", pa.string()),
    ("display_name", pa.string()), ("name_match", pa.string()),
    ("articles_shared", pa.int64()), ("byline_articles_shared", pa.int64()),
    ("first_to_share", pa.int64()), ("first_share_rate", pa.float64()),
    ("median_delay_s", pa.float64()), ("group_id", pa.string()),
    ("created_at", pa.timestamp("us"))])


def normalize_name(name: str | None) -> str:
    """A person's name as it is compared: case, accents, spaces, separators and
    trailing digits dropped (``"Linda López"``, ``"linda_lopez1987"`` -> ``"lindalopez"``)."""
    if not name:
        return ""
    return "".join(c for c in fold_name(name) if c.isalnum()).rstrip("0123456789")


def persona_accounts(con: duckdb.DuckDBPyConnection, shares: pa.Table,
                     membership: dict[str, str]) -> pa.Table:
    """PERSONA_SCHEMA rows, by byline then first-share rate."""
    names = {b: n for b in set(shares["byline"].to_pylist())
             if len(n := normalize_name(b)) >= MIN_NAME_CHARS}
    if not names:
        return PERSONA_SCHEMA.empty_table()
    sharers = pa.table({"account_id": pa.array(sorted(set(shares["account_id"].to_pylist())),
                                               pa.string())})
    with arrow_view(con, sharers) as wanted:
        profiles = con.execute(f"""
            SELECT account_id, max(handle), max(display_name), min(created_at)
            FROM accounts SEMI JOIN {wanted} USING (account_id)
            GROUP BY 1 ORDER BY 1""").fetchall()
    by_name: dict[str, list[tuple[str, str]]] = {}
    for account_id, handle, display, _ in profiles:
        for how, value in (("display name", display), ("handle", handle)):
            key = normalize_name(value)
            if key:
                by_name.setdefault(key, []).append((account_id, how))
    profile = {r[0]: r for r in profiles}
    rows = shares.select(["byline", "article_id", "account_id", "shared_at",
                          "delay_s"]).to_pylist()
    first: dict[str, tuple] = {}
    of_byline: dict[str, list[dict]] = {}
    for row in rows:
        of_byline.setdefault(row["byline"], []).append(row)
        key = (row["shared_at"], row["account_id"])
        if row["article_id"] not in first or key < first[row["article_id"]]:
            first[row["article_id"]] = key
    found = []
    for byline, key in sorted(names.items()):
        matched: dict[str, list[str]] = {}
        for account_id, how in by_name.get(key, []):
            matched.setdefault(account_id, []).append(how)
        if not matched:
            continue
        byline_rows = of_byline[byline]
        shared_articles = {r["article_id"] for r in byline_rows}
        for account_id, hows in sorted(matched.items()):
            own = [r for r in byline_rows if r["account_id"] == account_id]
            if not own:
                continue
            articles = {r["article_id"] for r in own}
            firsts = sum(first[a][1] == account_id for a in articles)
            delays = [r["delay_s"] for r in own if r["delay_s"] is not None]
            _, handle, display, created = profile[account_id]
            found.append({
                "byline": byline, "account_id": account_id, "handle": handle,
                "display_name": display,
                "name_match": " and ".join(sorted(set(hows))),
                "articles_shared": len(articles),
                "byline_articles_shared": len(shared_articles),
                "first_to_share": firsts,
                "first_share_rate": round(firsts / len(articles), 4),
                "median_delay_s": float(np.median(delays)) if delays else None,
                "group_id": membership.get(account_id), "created_at": created})
    return pa.Table.from_pylist(found, schema=PERSONA_SCHEMA)
