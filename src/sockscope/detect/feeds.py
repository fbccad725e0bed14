"""Feed desks: accounts posting headlines on a clock, in one layout, under one profile
template, tied as a group although no two of them share a minute, link or text.

The mechanism (Linvill & Warren, "Troll Factories", Political Communication 2020): the
Internet Research Agency's NewsFeed accounts posed as local news aggregators
(@OnlineMemphis, @TodayPittsburgh), each its own city, posting headlines with links
through the same software. Scheduling software posts on the clock; when each account
runs at its own minutes, nothing pairwise ties two of them (issue 26). What they share
is the software's clock, its layout and the template their profiles were filled from.
Three tests, none of which a desk can explain away by its own size (the trap a
co-occurrence test on the layout or the clock falls into: there the desk *is* the
popularity it is measured against):

1. **Clock**, per account: the minutes of the hour of its posts with a link, against
   a uniform clock. A minute holding more posts than Binomial(n, 1/60) gives at
   ``SLOT_ALPHA`` (Bonferroni over the 60 minutes) is a slot; an account with
   ``CLOCK_SHARE`` of its link posts in slots, and ``MIN_POSTS`` of them, is
   clock-driven. People post at any minute; schedulers do not.
2. **Layout**: clock-driven accounts are grouped by the shape of most of their link
   posts (``keys.text_shape``, as co-template uses it: ``# w U`` for "#tag Title link").
3. **Profile template**: in a layout's clock-driven accounts, the profile word (display
   name, bio or handle, separately) that most of them carry: a template's fixed words
   ("News" in "Dallas News", "Daily" in ``DailyDallas``) recur in every profile filled
   from it. With ``k`` of
   ``m`` accounts carrying it, p is the chance that ``m`` accounts drawn from all the
   accounts hold ``k`` carriers of one word: the union bound, summed over every word of
   every field, of Binomial(m, f_w) reaching k, where f_w is the word's share among all
   accounts (the desk's own included). Common words ("news" among outlets, a popular
   first name) are priced in; a desk cannot explain itself away unless it is most of
   the accounts.

A layout whose carriers number at least ``MIN_DESK`` and ``MIN_CARRIER_SHARE`` of its
clock-driven accounts is tested; the tests are corrected by Benjamini-Hochberg over the
layouts tested. A desk's members are the carriers: a real outlet on a clock, even in the
desk's layout, is not one unless its profile carries the desk's word too. Each member
is tied to every other by a ``co-schedule`` edge with the desk's p and q.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import duckdb
import numpy as np
from scipy.stats import binom

from sockscope.detect.traces.co_template import MIN_SHAPE_TOKENS
from sockscope.fdr import benjamini_hochberg
from sockscope.keys.fold_name import name_words
from sockscope.keys.text_shape import text_shape_sql
from sockscope.model.detection import SCHEDULE, Edge
from sockscope.store.database import arrow_view

MIN_POSTS = 20  # link posts an account needs for the clock test
SLOT_ALPHA = 1e-3  # a slot minute, before the Bonferroni factor of 60
CLOCK_SHARE = 0.5  # share of an account's link posts in its slots: clock-driven
MIN_DESK = 3  # carriers a layout needs to be tested
MIN_CARRIER_SHARE = 0.5  # of the layout's clock-driven accounts
MIN_WORD = 3  # letters in a profile word
FIELDS = ("display_name", "description", "handle")  # in this order when counts tie


@dataclass(frozen=True)
class Desk:
    """A feed desk: its layout, the word its profiles share, the carriers, the test."""

    layout: str
    field: str
    word: str
    members: list[str]  # the carriers, busiest first
    others: list[str]  # the layout's clock-driven accounts that do not carry the word
    p_value: float
    q_value: float
    posts: dict[str, int]  # link posts per member
    first_t: float
    last_t: float

    @property
    def clocked(self) -> int:
        """Clock-driven accounts in the layout."""
        return len(self.members) + len(self.others)


def profile_words(text: str | None) -> set[str]:
    """The folded words of a profile field (camel case split: "DallasNews" is two)."""
    return name_words(text, MIN_WORD)


def clocked_accounts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int, float,
                                                                         float]]:
    """Clock-driven accounts: account -> (layout, link posts, first and last time).

    Only data with times to the minute or finer can show a clock."""
    rows = con.execute(
        f"""
        WITH linked AS (
            SELECT account_id, epoch(created_at) AS t, minute(created_at) AS minute,
                   {text_shape_sql("text")} AS shape
            FROM posts
            WHERE kind <> 'repost' AND text IS NOT NULL AND array_length(urls) > 0
                  AND time_precision_s <= 60
        ), per_account AS (
            SELECT account_id, count(*) AS n, min(t) AS first_t, max(t) AS last_t
            FROM linked GROUP BY 1 HAVING count(*) >= {MIN_POSTS}
        ), minutes AS (
            SELECT account_id, minute, count(*) AS c FROM linked
            SEMI JOIN per_account USING (account_id) GROUP BY ALL
        ), layouts AS (
            SELECT account_id, arg_max(shape, (c, shape)) AS layout FROM (
                SELECT account_id, shape, count(*) AS c FROM linked
                SEMI JOIN per_account USING (account_id) GROUP BY ALL)
            GROUP BY 1
        )
        SELECT p.account_id, p.n, p.first_t, p.last_t, list(m.c) AS counts, l.layout
        FROM per_account p JOIN minutes m USING (account_id)
        JOIN layouts l USING (account_id)
        GROUP BY ALL ORDER BY p.account_id
        """
    ).fetchall()
    found = {}
    for account, n, first_t, last_t, counts, layout in rows:
        counts = np.asarray(counts)  # the minutes the account posted in (order is no matter)
        slot = counts[binom.sf(counts - 1, n, 1 / 60) < SLOT_ALPHA / 60]
        if slot.sum() >= CLOCK_SHARE * n and layout and _is_template(layout):
            found[account] = (layout, int(n), float(first_t), float(last_t))
    return found


def _is_template(layout: str) -> bool:
    return len(layout.split(" ")) >= MIN_SHAPE_TOKENS and "U" in layout


def find_desks(con: duckdb.DuckDBPyConnection, fdr: float) -> tuple[list[Desk], int]:
    """The feed desks in ``con``'s posts and profiles, and the number of layouts tested."""
    clocked = clocked_accounts(con)
    if not clocked:
        return [], 0
    profiles = con.execute(
        "SELECT account_id, max(display_name), max(description), max(handle) FROM accounts "
        "GROUP BY 1"
    ).fetchall()
    posting = con.execute("SELECT count(DISTINCT account_id) FROM posts").fetchall()[0][0]
    words = {field: {row[0]: profile_words(row[k + 1]) for row in profiles}
             for k, field in enumerate(FIELDS)}
    shares = np.concatenate([_word_shares(words[field], max(posting, len(profiles)))
                             for field in FIELDS])
    layouts: dict[str, list[str]] = {}
    for account, (layout, *_) in sorted(clocked.items()):
        layouts.setdefault(layout, []).append(account)
    candidates = []
    for layout, accounts in sorted(layouts.items()):
        best = _best_word(accounts, words)
        if best is None:
            continue
        field, word, carriers = best
        if len(carriers) < max(MIN_DESK, MIN_CARRIER_SHARE * len(accounts)):
            continue
        p = _template_p(len(carriers), len(accounts), shares)
        candidates.append((layout, field, word, carriers, p))
    if not candidates:
        return [], 0
    q = benjamini_hochberg(np.array([c[-1] for c in candidates]))
    desks = []
    for (layout, field, word, carriers, p), q_value in zip(candidates, q, strict=True):
        if q_value > fdr:
            continue
        members = sorted(carriers, key=lambda a: (-clocked[a][1], a))
        others = sorted(set(layouts[layout]) - set(carriers))
        desks.append(Desk(layout, field, word, members, others, float(p),
                          float(q_value), {a: clocked[a][1] for a in members},
                          min(clocked[a][2] for a in members),
                          max(clocked[a][3] for a in members)))
    return desks, len(candidates)


def _word_shares(words: dict[str, set[str]], accounts: int) -> np.ndarray:
    """Each word's share of the accounts whose profile field carries it."""
    counts = Counter(word for found in words.values() for word in found)
    return np.array(sorted(counts.values()), dtype=np.float64) / max(accounts, 1)


def _best_word(accounts: list[str], words: dict[str, dict[str, set[str]]]
               ) -> tuple[str, str, list[str]] | None:
    """The (field, word) most of ``accounts`` carry, and its carriers (ties: the field
    order, then the word)."""
    counts = Counter((field, word) for field in FIELDS for account in accounts
                     for word in words[field].get(account, ()))
    if not counts:
        return None
    field, word = max(counts, key=lambda fw: (counts[fw], -FIELDS.index(fw[0]), fw[1]))
    return field, word, [a for a in accounts if word in words[field].get(a, ())]


def _template_p(carriers: int, accounts: int, shares: np.ndarray) -> float:
    """The chance that ``accounts`` accounts drawn at random hold ``carriers`` carriers
    of one word in one field: the union bound over every (field, word) of its binomial
    tail."""
    return float(min(1.0, binom.sf(carriers - 1, accounts, shares).sum()))


def desk_edges(desks: list[Desk]) -> list[Edge]:
    """Every pair of a desk's members tied (``account_a < account_b``): a desk is one
    finding about all its members, and a member's other ties (a minute shared with an
    outlet, say) must not pull it out of the desk's group. Shared keys and weight: the
    fewer clocked link posts of the two, each one scheduled post in the layout."""
    edges = []
    for desk in desks:
        members = sorted(desk.members)
        for k, a in enumerate(members):
            for b in members[k + 1:]:
                clocked = min(desk.posts[a], desk.posts[b])
                edges.append(Edge(a, b, SCHEDULE, clocked, float(clocked), desk.p_value,
                                  desk.q_value, 0.0, 0.0, desk.first_t, desk.last_t,
                                  (f"layout {desk.layout}", f"{desk.field} word {desk.word!r}"),
                                  None))
    return edges


def desk_evidence(con: duckdb.DuckDBPyConnection, desks: list[Desk], table: str) -> None:
    """Append to ``table`` (the pipeline's evidence rows) one row per pair of a desk's
    members: their first posts in the desk's layout within one clock hour, each at its
    own minutes (key: the hour and the layout), or each one's first such post when they
    never posted in one hour; every co-schedule edge shows two posts behind it."""
    if not desks:
        return
    members = {"desk": [k for k, d in enumerate(desks) for _ in d.members],
               "account_id": [a for d in desks for a in d.members],
               "layout": [d.layout for d in desks for _ in d.members]}
    with arrow_view(con, members) as view:
        con.execute(f"""
            INSERT INTO {table}
            WITH clocked AS (
                SELECT m.desk, p.account_id, p.post_id, epoch(p.created_at) AS t,
                       strftime(date_trunc('hour', p.created_at), '%Y-%m-%d %Hh') || ' '
                           || m.layout AS hour_key
                FROM posts p JOIN {view} m USING (account_id)
                WHERE p.kind <> 'repost' AND p.text IS NOT NULL AND array_length(p.urls) > 0
                      AND {text_shape_sql("p.text")} = m.layout
            ), firsts AS (
                SELECT desk, account_id, hour_key, arg_min(post_id, (t, post_id)) AS post_id,
                       min(t) AS t
                FROM clocked GROUP BY ALL
            ), same_hour AS (
                SELECT a.account_id AS account_a, b.account_id AS account_b,
                       min(a.hour_key) AS hour_key,
                       arg_min(a.post_id, a.hour_key) AS post_a,
                       arg_min(b.post_id, a.hour_key) AS post_b,
                       arg_min(a.t, a.hour_key) AS time_a, arg_min(b.t, a.hour_key) AS time_b
                FROM firsts a JOIN firsts b ON a.desk = b.desk AND a.hour_key = b.hour_key
                                           AND a.account_id < b.account_id
                GROUP BY ALL
            ), first_post AS (
                SELECT account_id, min(hour_key) AS hour_key,
                       arg_min(post_id, (t, post_id)) AS post_id, min(t) AS t
                FROM clocked GROUP BY ALL
            ), pairs AS (
                SELECT a.account_id AS account_a, b.account_id AS account_b
                FROM {view} a JOIN {view} b ON a.desk = b.desk AND a.account_id < b.account_id
            )
            -- two members that never posted in one hour: each one's first post
            SELECT '{SCHEDULE}', p.account_a, p.account_b,
                   coalesce(h.hour_key, fa.hour_key), coalesce(h.post_a, fa.post_id),
                   coalesce(h.post_b, fb.post_id), coalesce(h.time_a, fa.t),
                   coalesce(h.time_b, fb.t),
                   abs(coalesce(h.time_b, fb.t) - coalesce(h.time_a, fa.t))
            FROM pairs p LEFT JOIN same_hour h USING (account_a, account_b)
            JOIN first_post fa ON fa.account_id = p.account_a
            JOIN first_post fb ON fb.account_id = p.account_b
            ORDER BY p.account_a, p.account_b
        """)


def clock_coincidences(edges: list[Edge], desks: list[Desk]) -> set[tuple[str, str, str]]:
    """The co-template edges between a desk's member and an account on a clock of the
    desk's layout that does not carry its word. Two schedulers firing at the same minute
    of the hour meet in that minute every hour, by their clocks: co-template's null
    treats a minute's posts as exchangeable, the desk test prices the clock and has
    looked at both. Such an edge stays in the outputs; it does not make a group."""
    pairs = {(a, b) if a < b else (b, a) for d in desks for a in d.members for b in d.others}
    return {e.key for e in edges
            if e.behaviour == "co-template" and (e.account_a, e.account_b) in pairs}


def describe_desks(desks: list[Desk]) -> list[str]:
    """A note per desk, in plain words."""
    field_words = {"display_name": "display names", "description": "bios", "handle": "handles"}
    return [f"feed desk: {len(d.members)} accounts post links on a clock in the layout "
            f"'{d.layout}' and carry '{d.word}' in their {field_words[d.field]} "
            f"({len(d.members)} of the layout's {d.clocked} clock-driven accounts; "
            f"p={d.p_value:.2g}, q={d.q_value:.2g})" for d in desks]
