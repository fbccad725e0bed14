"""Tell a fan base from an amplification team.

Pairwise statistics cannot: fans of a celebrity and sockpuppets around an operator's
account are both a fixed set of accounts repeatedly amplifying one author, fast. What
differs is exclusivity. A celebrity's posts are amplified by a large, changing
audience of which the fans are a small part; an operator's accounts are amplified
mostly by the team itself. A group whose co-actions are almost all on one author's
posts (reposts, replies, quotes), and whose members make up less than half of the
accounts that ever amplified that author, is reported as an audience, not flagged.
The rest of the amplifiers are the public only if they are in no group and the
attachment tests would add them to none: a team split over several groups, or whose
light members no pair test found, is not its own public.
The acts counted are the co-actions on an author's posts and the reposts behind the
group's amplification ties: fans who repost at the crowd's pace share no minute with
one another, and their group is a bare star of ties to the idol.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import duckdb
import pyarrow as pa

from sockscope.detect.amplification import AMPLIFIED, AMPLIFYING
from sockscope.model.detection import AMPLIFICATION, Audience, Edge, Group
from sockscope.store.database import arrow_view

ACCOUNT_TARGETED = {"co-repost", "co-reply", "co-quote", AMPLIFICATION}
REPOSTING = {"co-repost", AMPLIFICATION}  # amplification proper (not replies to a target)
PROMINENT_SHARE = 0.01  # an author among the top 1 % of accounts by followers ...
PROMINENT_RATIO = 100  # ... followed 100 times more than its amplifiers' median
TARGETED_SHARE = 0.8  # share of internal edge weight in account-targeted behaviours
FOCUS_SHARE = 0.8  # share of the group's co-actions on its top author's posts
AUTHOR_EXCLUSIVITY = 0.5  # members' share of the author's distinct amplifiers
POST_EXCLUSIVITY = 0.75  # members' share of the amplifiers of the posts they co-acted on


def split_audiences(con: duckdb.DuckDBPyConnection, groups: list[Group], edges: list[Edge],
                    evidence: str, independent: Callable[[list[str]], bool] | None = None,
                    unfound: Collection[str] = ()
                    ) -> tuple[list[Group], list[Audience]]:
    """Separate audience-like groups from the others. ``evidence`` names the table of
    co-actions behind the significant edges; ``independent(accounts)`` says whether
    accounts look like independent people (persona signals), for the second rule.
    The public a group is measured against is the accounts in no group: a team split
    over several groups, and its members outside every group that the attachment tests
    would add to one (``unfound``), are not the public."""
    kept: list[Group] = []
    audiences: list[Audience] = []
    amplifying = None  # built when the first group needs it, dropped at the end
    teams = sorted({m for g in groups for m in g.members}.union(unfound))
    with arrow_view(con, {"account_id": pa.array(teams, pa.string())}) as teams_view:
        for group in groups:
            audience = None
            if targeted_share(group, edges) >= TARGETED_SHARE:
                amplifying = amplifying or _amplifying_posts(con)
                audience = _audience(con, group, edges, evidence, amplifying, teams_view)
            if (audience is not None and audience.focus >= FOCUS_SHARE
                    and audience.share < AUTHOR_EXCLUSIVITY
                    and audience.post_share < POST_EXCLUSIVITY):
                audiences.append(audience)
            elif (audience is not None and independent is not None
                  and audience.focus >= FOCUS_SHARE
                  and targeted_share(group, edges, REPOSTING) >= TARGETED_SHARE
                  and is_prominent(con, audience.author, group.members)
                  and independent([m for m in group.members if m != audience.author])):
                audience.reason = "independent personas"
                audiences.append(audience)
            else:
                kept.append(group)
    if amplifying:
        con.execute(f"DROP TABLE {amplifying}")
    return kept, audiences


def is_prominent(con: duckdb.DuckDBPyConnection, author: str, members: list[str]) -> bool:
    """Whether ``author`` is a prominent account: among the ``PROMINENT_SHARE`` most
    followed accounts of the data and followed ``PROMINENT_RATIO`` times more than its
    amplifiers' median. Fan bases form around prominent accounts; an operation's
    amplified persona is seldom one. Unknown follower counts: not prominent."""
    with arrow_view(con, {"account_id": [m for m in members if m != author]}) as view:
        author_followers, rank, members_median = con.execute(
            f"""
            WITH f AS (SELECT DISTINCT ON (account_id) account_id, followers FROM accounts
                       WHERE followers IS NOT NULL ORDER BY account_id, has_profile DESC)
            SELECT (SELECT followers FROM f WHERE account_id = $author),
                   (SELECT count(*) FILTER (WHERE followers > (SELECT followers FROM f
                                                            WHERE account_id = $author))
                           / greatest(count(*), 1) FROM f),
                   (SELECT median(followers) FROM f SEMI JOIN {view} USING (account_id))
            """, {"author": author}).fetchall()[0]
    if author_followers is None or members_median is None:
        return False
    return (rank <= PROMINENT_SHARE
            and author_followers >= PROMINENT_RATIO * max(float(members_median), 1.0))


def targeted_share(group: Group, edges: list[Edge],
                   behaviours: set[str] = ACCOUNT_TARGETED) -> float:
    """The share of the group's internal edge weight from ``behaviours``."""
    inside = set(group.members)
    total = targeted = 0.0
    for e in edges:
        if e.account_a in inside and e.account_b in inside:
            total += e.weight
            if e.behaviour in behaviours:
                targeted += e.weight
    return targeted / total if total > 0 else 0.0


def _audience(con: duckdb.DuckDBPyConnection, group: Group, edges: list[Edge],
              evidence: str, amplifying: str, teams_view: str) -> Audience | None:
    """The author the group's account-targeted acts centre on, and how exclusive the
    group is among its amplifiers. The acts are the co-actions on an author's posts
    (one per pair of posts) and the reposts behind the group's amplification ties (one
    per repost): a fan base whose members react at the crowd's pace has no co-action
    edge at all, only a star of ties to its idol, and must be tested all the same.
    Exclusivity counts the accounts of ``teams_view`` (no public: every group's
    members, this group's among them, and those to be attached to one) with the
    group."""
    inside = set(group.members)
    ties = [(e.account_a, e.account_b) for e in edges if e.behaviour == AMPLIFICATION
            and e.account_a in inside and e.account_b in inside]
    with (arrow_view(con, {"account_id": group.members}) as members_view,
          arrow_view(con, {"account_a": pa.array([a for a, _ in ties], pa.string()),
                           "account_b": pa.array([b for _, b in ties], pa.string())}) as tied):
        # the reposts behind the ties (the table exists when amplification was tested)
        amplified = (f"""SELECT a.author, a.c AS acts FROM {AMPLIFIED} a JOIN {tied} t
                           ON (a.account_id = t.account_a AND a.author = t.account_b)
                           OR (a.account_id = t.account_b AND a.author = t.account_a)"""
                     if ties else "SELECT NULL::VARCHAR AS author, 0 AS acts WHERE false")
        top = con.execute(
            f"""
            WITH co_acted AS (
                SELECT coalesce(p.repost_of_account, p.reply_to_account, q.account_id) AS author,
                       1 AS acts
                FROM {evidence} e
                JOIN posts p ON p.post_id = e.post_a
                LEFT JOIN posts q ON q.post_id = p.quote_of_post
                WHERE e.account_a IN (SELECT account_id FROM {members_view})
                  AND e.account_b IN (SELECT account_id FROM {members_view})
                  AND e.behaviour IN ('co-repost', 'co-reply', 'co-quote')
            ), amplified AS ({amplified}),
            targeted AS (SELECT * FROM co_acted UNION ALL SELECT * FROM amplified)
            SELECT author, sum(acts) / sum(sum(acts)) OVER () AS focus
            FROM targeted WHERE author IS NOT NULL
            GROUP BY author ORDER BY focus DESC, author LIMIT 1
            """
        ).fetchall()
        if not top:
            return None
        author, focus = top[0]
        amplifiers, members, counted_members = con.execute(
            f"""
            SELECT count(DISTINCT p.account_id),
                   count(DISTINCT p.account_id) FILTER (
                       WHERE p.account_id IN (SELECT account_id FROM {members_view})),
                   count(DISTINCT p.account_id) FILTER (
                       WHERE p.account_id IN (SELECT account_id FROM {teams_view}))
            FROM {amplifying} p
            WHERE p.repost_of_account = $author OR p.reply_to_account = $author
               OR p.quoted_account = $author
            """,
            {"author": author},
        ).fetchall()[0]
        # the author's posts that members amplified: who else amplified them?
        post_share = con.execute(
            f"""
            WITH amplified AS (
                SELECT p.account_id, p.target FROM {amplifying} p
                WHERE p.repost_of_account = $author OR p.reply_to_account = $author
                   OR p.quoted_account = $author
            ), pushed AS (
                SELECT DISTINCT target FROM amplified
                WHERE account_id IN (SELECT account_id FROM {members_view})
            ), amplifiers AS (
                SELECT DISTINCT account_id FROM amplified SEMI JOIN pushed USING (target)
            )
            SELECT count(*) FILTER (WHERE account_id IN (SELECT account_id FROM {teams_view}))
                   / greatest(count(*), 1)
            FROM amplifiers
            """,
            {"author": author},
        ).fetchall()[0][0]
    return Audience(group, str(author), float(focus), int(amplifiers), int(members),
                    float(post_share or 0.0), others_among_them=int(counted_members - members))


def crowd_followers(con: duckdb.DuckDBPyConnection, flagged: list[str],
                    internal: dict[tuple[str, str], list[Edge]], evidence: str) -> list[str]:
    """The members that are one account's audience inside a group: all they do with the
    group is repost (amplification ties on which they are the amplifier, co-reposts),
    ``FOCUS_SHARE`` of it one author's posts, and those posts are the public's: less
    than ``POST_EXCLUSIVITY`` of the other accounts that reposted them are in a group
    (``flagged``: every group's members, a team can be split over several groups, and
    the accounts the attachment tests would add to a group).

    The audience rule above, for one account instead of a group. Fans of a popular
    account that a team runs, or that a team also reposts, are tied to it just as its
    team is (they amplify it, and co-repost its posts with the team's heavy reposters),
    and land in the team's group. What a follower does not have is any share in what
    the group does: a desk's account acts with the desk in other ways, or reposts what
    the desk pushes, posts that the public hardly reposts (a slow drip's seeds, a
    persona's columns); a follower reposts what everyone reposts of its idol.
    ``internal``: the group's edges by pair; ``evidence``: the table of co-actions
    behind the edges. Reads ``amplified`` and ``amplifying``."""
    ties: dict[str, list[tuple[str, str]]] = {}  # member: (partner, behaviour) in group
    for (a, b), es in internal.items():
        for e in es:
            ties.setdefault(a, []).append((b, e.behaviour))
            ties.setdefault(b, []).append((a, e.behaviour))
    pairs = sorted((m, partner, behaviour) for m, member_ties in ties.items()
                   if all(behaviour in REPOSTING for _, behaviour in member_ties)
                   for partner, behaviour in member_ties)
    if not pairs:
        return []
    with arrow_view(con, {"account_id": pa.array([m for m, _, _ in pairs], pa.string()),
                          "partner": pa.array([p for _, p, _ in pairs], pa.string()),
                          "behaviour": pa.array([b for _, _, b in pairs], pa.string())}
                    ) as candidate_ties:
        follows = con.execute(
            f"""
            WITH amplification_ties AS (  -- each one, with the member's reposts
                SELECT t.account_id, t.partner AS author, a.c AS acts,
                       s.account_id IS NOT NULL AS by_member
                FROM {candidate_ties} t
                LEFT JOIN {AMPLIFYING} s
                  ON s.account_id = t.account_id AND s.author = t.partner
                LEFT JOIN {AMPLIFIED} a
                  ON a.account_id = t.account_id AND a.author = t.partner
                WHERE t.behaviour = '{AMPLIFICATION}'
            ), co_reposts AS (  -- the member's repost in each co-repost behind a tie
                SELECT t.account_id, e.post_a AS post FROM {candidate_ties} t
                JOIN {evidence} e ON e.account_a = t.account_id AND e.account_b = t.partner
                WHERE e.behaviour = 'co-repost' AND t.behaviour = 'co-repost'
                UNION ALL
                SELECT t.account_id, e.post_b FROM {candidate_ties} t
                JOIN {evidence} e ON e.account_b = t.account_id AND e.account_a = t.partner
                WHERE e.behaviour = 'co-repost' AND t.behaviour = 'co-repost'
            ), co_reposted AS (  -- by the reposted author
                SELECT c.account_id, p.repost_of_account AS author, count(*) AS acts
                FROM co_reposts c JOIN posts p ON p.post_id = c.post GROUP BY ALL
            ), acts AS (
                SELECT account_id, author, sum(acts) AS acts FROM (
                    SELECT account_id, author, acts FROM amplification_ties
                    UNION ALL SELECT account_id, author, acts FROM co_reposted)
                WHERE author IS NOT NULL GROUP BY ALL
            ), ranked AS (
                SELECT account_id, author, acts,
                       sum(acts) OVER (PARTITION BY account_id) AS total,
                       row_number() OVER (PARTITION BY account_id
                                          ORDER BY acts DESC, author) AS rank
                FROM acts
            )
            SELECT account_id, author FROM ranked
            WHERE rank = 1 AND acts >= {FOCUS_SHARE} * total
              -- amplified by the group, not amplifying it: that is for the targets rule
              AND account_id NOT IN (SELECT account_id FROM amplification_ties
                                     WHERE NOT by_member)
            ORDER BY 1
            """
        ).fetchall()
    return reposting_the_public(con, flagged, {m: [author] for m, author in follows})


def reposting_the_public(con: duckdb.DuckDBPyConnection, flagged: list[str],
                         reposted: dict[str, list[str]]) -> list[str]:
    """The accounts of ``reposted`` (account: the authors whose posts it reposted) whose
    reposts of those authors were of the public's posts, not the groups': less than
    ``POST_EXCLUSIVITY`` of the other accounts that reposted those posts are among
    ``flagged`` (the groups' members). A team's accounts repost what the team pushes,
    posts the public hardly reposts (a slow drip's seeds, a persona's columns); an
    audience reposts what everyone reposts of its idol."""
    if not reposted:
        return []
    pairs = sorted((account, author) for account, authors in reposted.items()
                   for author in authors)
    with (arrow_view(con, {"account_id": pa.array([a for a, _ in pairs], pa.string()),
                           "author": pa.array([b for _, b in pairs], pa.string())}) as follows,
          arrow_view(con, {"account_id": pa.array(flagged, pa.string())}) as group):
        rows = con.execute(
            f"""
            WITH pushed AS (
                SELECT DISTINCT f.account_id, p.repost_of_post AS post
                FROM {follows} f JOIN posts p ON p.account_id = f.account_id
                 AND p.repost_of_account = f.author AND p.kind = 'repost'
            ), others AS (
                SELECT DISTINCT s.account_id, r.account_id AS other
                FROM pushed s JOIN posts r ON r.repost_of_post = s.post
                 AND r.kind = 'repost' AND r.account_id <> s.account_id
            )
            SELECT o.account_id FROM others o LEFT JOIN {group} g ON g.account_id = o.other
            GROUP BY 1 HAVING count(g.account_id) < {POST_EXCLUSIVITY} * count(*)
            ORDER BY 1
            """
        ).fetchall()
    return [m for (m,) in rows]


def _amplifying_posts(con: duckdb.DuckDBPyConnection) -> str:
    """Temp table ``audience_amplifying``: every repost, reply and quote with the
    accounts it amplifies and its target post, built once for all audience tests (each
    would otherwise join the posts with themselves to find quoted authors)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE audience_amplifying AS
        SELECT p.account_id, p.repost_of_account, p.reply_to_account,
               q.account_id AS quoted_account,
               coalesce(p.repost_of_post, p.reply_to_post, p.quote_of_post) AS target
        FROM posts p LEFT JOIN posts q ON q.post_id = p.quote_of_post
        WHERE p.repost_of_account IS NOT NULL OR p.reply_to_account IS NOT NULL
           OR q.account_id IS NOT NULL
        """
    )
    return "audience_amplifying"


# what binds a readership: sharing the same links, and reposting one another's shares
# (or the columnist's own post of the column)
READER_SHARING = {"co-url", "co-domain", *REPOSTING}
READER_BYLINES = 3  # a readership follows one columnist, or a few


def split_readerships(con: duckdb.DuckDBPyConnection, groups: list[Group], edges: list[Edge],
                      evidence: str, independent: Callable[[list[str]], bool] | None
                      ) -> tuple[list[Group], list[Audience]]:
    """Set apart the loyal readers of a columnist or a few. A columnist's readers share each new
    column soon after it appears, each on their own: publication is the common cause,
    so they co-share the same links within the hour, column after column, which pairwise
    statistics cannot tell from a desk pushing them. What differs is everything else
    (the desk pushes several bylines, reposts its own persona account and carries
    persona marks: accounts made in a burst, shared apps and hours). So a group bound by
    sharing (links, reposts: ``TARGETED_SHARE`` of its internal ties), whose co-shared
    links are mostly articles of the run's ``articles`` table, ``FOCUS_SHARE`` of them
    by at most ``READER_BYLINES`` bylines, and whose members look like independent people
    is those bylines' readership: reported, not flagged. A desk with no persona mark
    would look the same; the note names every readership set apart, for review.
    Without persona signals nothing is set apart."""
    if independent is None or not groups or not con.execute(
            "SELECT count(*) FROM articles WHERE url IS NOT NULL").fetchall()[0][0]:
        return groups, []
    from sockscope.keys.article_urls import article_urls

    byline_of = {url: byline for url, (_, byline) in article_urls(con).items()}
    kept: list[Group] = []
    readers: list[Audience] = []
    for group in groups:
        audience = None
        if targeted_share(group, edges, READER_SHARING) >= TARGETED_SHARE:
            with arrow_view(con, {"account_id": pa.array(group.members, pa.string())}) as m:
                keys = con.execute(f"""
                    SELECT key, count(*) FROM {evidence} e
                    WHERE behaviour = 'co-url' AND account_a IN (SELECT account_id FROM {m})
                      AND account_b IN (SELECT account_id FROM {m})
                    GROUP BY 1 ORDER BY 1""").fetchall()
            counts: dict[str, int] = {}
            for key, n in keys:
                byline = byline_of.get(key)
                if byline is not None:
                    counts[byline] = counts.get(byline, 0) + n
            total, on_articles = sum(n for _, n in keys), sum(counts.values())
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:READER_BYLINES]
            followed, covered = [], 0
            for byline, n in ranked:
                if covered < FOCUS_SHARE * on_articles:
                    followed.append(byline)
                    covered += n
            # the columns are most of what they co-share (the rest: news everyone shares)
            if (followed and on_articles * 2 >= total and covered >= FOCUS_SHARE * on_articles
                    and independent(group.members)):
                audience = Audience(group, "; ".join(sorted(followed)), covered / on_articles,
                                    len(group.members), len(group.members), 1.0,
                                    "readers of bylines")
        if audience is None:
            kept.append(group)
        else:
            readers.append(audience)
    return kept, readers


def describe(audience: Audience) -> str:
    if audience.reason == "readers of bylines":
        return (f"{len(audience.group.members)} accounts share the columns of "
                f"{audience.author} ({audience.focus:.0%} of the columns they co-share) and "
                "look like independent people (no persona signal): readers, for review, "
                "not flagged")
    if audience.reason == "independent personas":
        return (f"{len(audience.group.members) - 1} accounts amplify account {audience.author} "
                f"({audience.focus:.0%} of their co-actions) and look like independent people "
                "(no persona signal: creation dates, handles, apps, bios and schedules as "
                "in random accounts): an audience for review, not flagged")
    others = (f" ({audience.members_among_them + audience.others_among_them:,} with other "
              "groups and the accounts the attachment tests would add to one)"
              if audience.others_among_them else "")
    return (f"{len(audience.group.members)} accounts amplify account {audience.author} "
            f"({audience.focus:.0%} of their co-actions) but are only "
            f"{audience.members_among_them:,} of its {audience.amplifiers:,} amplifiers"
            f"{others} and {audience.post_share:.0%} of those of the posts they amplified "
            "together: an audience, not flagged")


def describe_audiences(audiences: list[Audience]) -> list[str]:
    """One note per amplified account, however many groups its audience split into."""
    by_author: dict[str, list[Audience]] = {}
    for audience in audiences:
        by_author.setdefault(audience.author, []).append(audience)
    notes = []
    for author, parts in sorted(by_author.items()):
        if len(parts) == 1:
            notes.append(describe(parts[0]))
            continue
        if any(a.reason != "exclusivity" for a in parts):
            notes.extend(describe(a) for a in parts)
            continue
        members = sum(len(a.group.members) for a in parts)
        share = max(a.share for a in parts)
        post_share = max(a.post_share for a in parts)
        notes.append(f"{len(parts)} groups ({members:,} accounts) amplify account {author} "
                     f"but are at most {share:.0%} of its {parts[0].amplifiers:,} amplifiers "
                     f"and {post_share:.0%} of those of the posts they amplified together: "
                     "audiences, not flagged")
    return notes
