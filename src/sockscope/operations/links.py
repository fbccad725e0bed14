"""Byline <-> group links: does a group share one byline's articles beyond its own
sharing rate and the byline's popularity with everyone else?

The unit is a (account, article) pair: an account that posts one link ten times has
shared it once. For group g and byline b, let n_g be the group's pairs over all
articles, x its pairs on b, and p_0 the share of b among everyone else's pairs
(Laplace-smoothed over the bylines, so a byline nobody else shares is not certainty).
Under the null model the group spreads its sharing over the bylines as everyone else
does, x ~ Binomial(n_g, p_0); the p-value is P(X >= x). A group that shares a little of
everything, as camouflage, shares each byline about as often as everyone else and is
not linked; a desk pushing its own invented writers is. The (byline, group) pairs with
a share are the hypotheses; Benjamini-Hochberg controls the false discovery rate over
them. A link needs ``MIN_MEMBERS`` members sharing: it is a group's behaviour, not
one member's reading habit.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.stats import binom

from sockscope.fdr import benjamini_hochberg

MIN_MEMBERS = 3  # the smallest group detect reports (min_group_size)
EXAMPLE_POSTS = 5
LINK_SCHEMA = pa.schema([
    ("byline", pa.string()), ("group_id", pa.string()), ("articles", pa.int64()),
    ("shares", pa.int64()), ("members_sharing", pa.int64()),
    ("median_delay_s", pa.float64()), ("first_share", pa.timestamp("us")),
    ("last_share", pa.timestamp("us")), ("expected", pa.float64()), ("lift", pa.float64()),
    ("p_value", pa.float64()), ("q_value", pa.float64()), ("example_posts", pa.string())])


def byline_links(shares: pa.Table, membership: dict[str, str], fdr: float
                 ) -> tuple[pa.Table, int]:
    """The significant links (LINK_SCHEMA, strongest first) and the number of tests."""
    rows = shares.select(["byline", "article_id", "account_id", "post_id", "shared_at",
                          "delay_s"]).to_pylist()
    pairs_all: dict[str, set] = {}
    group_pairs: dict[str, set] = {}
    per_link: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        pair = (row["account_id"], row["article_id"])
        pairs_all.setdefault(row["byline"], set()).add(pair)
        group = membership.get(row["account_id"])
        if group is not None:
            group_pairs.setdefault(group, set()).add(pair)
            per_link.setdefault((row["byline"], group), []).append(row)
    total = sum(len(p) for p in pairs_all.values())
    tested = sorted(per_link)
    if not tested:
        return LINK_SCHEMA.empty_table(), 0
    bylines = len(pairs_all)
    stats = []
    for byline, group in tested:
        own = {(r["account_id"], r["article_id"]) for r in per_link[(byline, group)]}
        n_g, x = len(group_pairs[group]), len(own)
        outside = (len(pairs_all[byline]) - x + 1) / (total - n_g + bylines)
        stats.append((n_g, x, min(outside, 1.0)))
    n_g, x, p0 = (np.array(column, dtype=float) for column in zip(*stats, strict=True))
    p = binom.sf(x - 1, n_g, p0)
    q = benjamini_hochberg(p)
    found = []
    for (byline, group), n, k, base, pv, qv in zip(tested, n_g, x, p0, p, q, strict=True):
        linked = per_link[(byline, group)]
        members = {r["account_id"] for r in linked}
        if qv > fdr or len(members) < MIN_MEMBERS:
            continue
        delays = [r["delay_s"] for r in linked if r["delay_s"] is not None]
        times = sorted(r["shared_at"] for r in linked)
        found.append({
            "byline": byline, "group_id": group,
            "articles": len({r["article_id"] for r in linked}), "shares": len(linked),
            "members_sharing": len(members),
            "median_delay_s": float(np.median(delays)) if delays else None,
            "first_share": times[0], "last_share": times[-1],
            "expected": round(float(n * base), 3),
            "lift": round(float(k / (n * base)), 3) if n * base else None,
            "p_value": float(pv), "q_value": float(qv),
            "example_posts": ";".join(r["post_id"] for r in sorted(
                linked, key=lambda r: (r["shared_at"], r["post_id"]))[:EXAMPLE_POSTS])})
    found.sort(key=lambda r: (r["q_value"], -r["members_sharing"], r["byline"], r["group_id"]))
    table = pa.Table.from_pylist(found, schema=LINK_SCHEMA)
    return table, len(tested)


MIN_AMPLIFIED_ARTICLES = 2
AMPLIFIER_ROUNDS = 5


def account_articles(shares: pa.Table) -> dict[str, dict[str, str]]:
    """account -> the articles it shared -> their byline (its (account, article) pairs)."""
    index: dict[str, dict[str, str]] = {}
    for byline, article, account in zip(shares["byline"].to_pylist(),
                                        shares["article_id"].to_pylist(),
                                        shares["account_id"].to_pylist(), strict=True):
        index.setdefault(account, {})[article] = byline
    return index


def byline_amplifiers(articles_of: dict[str, dict[str, str]], bylines: set[str],
                      excluded: set[str], fdr: float, rounds: int = AMPLIFIER_ROUNDS
                      ) -> list[dict]:
    """Accounts outside ``excluded`` (the operation's groups and persona accounts) that
    share ``bylines`` far beyond chance: the same test as a link, for one account and the
    operation's bylines together. A desk member that took part in too few of the desk's
    other actions to be tied into its group still pushes its columns; a reader who shares
    one of them among much else does not. With k the account's (account, article) pairs
    (``articles_of``: ``account_articles``), x those on ``bylines`` and p_0 the bylines'
    share of everyone else's pairs outside ``excluded``: x ~ Binomial(k, p_0); BH over
    the accounts with such a pair; kept at q <= ``fdr`` with ``MIN_AMPLIFIED_ARTICLES``
    articles or more. The desk's unflagged accounts inflate p_0 for one another, so the
    test runs in rounds (as the group attachment test does): the accounts found leave the
    baseline and the rest are tested again, until a round finds none."""
    pairs = {a: len(arts) for a, arts in articles_of.items() if a not in excluded}
    on_bylines = {a: n for a in pairs
                  if (n := sum(b in bylines for b in articles_of[a].values()))}
    found: list[dict] = []
    for _ in range(rounds):
        taken = {f["account_id"] for f in found}
        tested = sorted(a for a in on_bylines if a not in taken)
        if not tested:
            break
        total = sum(n for a, n in pairs.items() if a not in taken)
        total_on = sum(n for a, n in on_bylines.items() if a not in taken)
        k = np.array([pairs[a] for a in tested], dtype=float)
        x = np.array([on_bylines[a] for a in tested], dtype=float)
        p0 = np.minimum((total_on - x + 1) / np.maximum(total - k + 2, 1), 1.0)
        p = binom.sf(x - 1, k, p0)
        q = benjamini_hochberg(p)
        new = [{"account_id": a, "articles": int(xa), "all_articles": int(ka),
                "p_value": float(pv), "q_value": float(qv)}
               for a, xa, ka, pv, qv in zip(tested, x, k, p, q, strict=True)
               if qv <= fdr and xa >= MIN_AMPLIFIED_ARTICLES]
        if not new:
            break
        found.extend(new)
    return sorted(found, key=lambda f: f["account_id"])


def organic_share(shares: pa.Table, membership: dict[str, str]) -> dict[str, float]:
    """Per byline: the share of its shares made by accounts in no group."""
    flagged = pa.array(sorted(membership), pa.string())
    outside = pc.invert(pc.is_in(shares["account_id"], value_set=flagged))
    totals: dict[str, list[int]] = {}
    for byline, free in zip(shares["byline"].to_pylist(), outside.to_pylist(), strict=True):
        counts = totals.setdefault(byline, [0, 0])
        counts[0] += 1
        counts[1] += bool(free)
    return {b: round(free / n, 4) for b, (n, free) in totals.items()}
