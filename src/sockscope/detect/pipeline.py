"""The coordination pipeline, from canonical posts to one ``Detection``.

traces -> windowed co-actions (SQL) -> null model and p-values -> Benjamini-Hochberg
-> amplification ties -> fused account graph -> Leiden groups -> audiences -> group
attachment. Working tables live in the run's ``Scratch`` and are dropped at the end,
so runs on one connection are independent; the result is returned whole.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from sockscope.detect.amplification import (
    amplification_edges,
    amplification_evidence,
    amplified_only,
    attach_to_groups,
    pushed_authors,
)
from sockscope.detect.audience import (
    crowd_followers,
    describe_audiences,
    reposting_the_public,
    split_audiences,
    split_readerships,
)
from sockscope.detect.coaction import build_coactions, stage_actions, trace_scales
from sockscope.detect.feeds import (
    Desk,
    clock_coincidences,
    describe_desks,
    desk_edges,
    desk_evidence,
    find_desks,
)
from sockscope.detect.groups import (
    QUIET_POSTS,
    SingleTies,
    edges_by_pair,
    find_groups,
    firm_group,
    number_groups,
    pairs_within,
    rank_groups,
)
from sockscope.detect.scratch import Scratch
from sockscope.detect.sessions import session_attachment
from sockscope.detect.significance import (
    PAIR_TESTS_SCHEMA,
    keep_candidates,
    pair_tests,
    select_edges,
)
from sockscope.detect.window import estimate_window
from sockscope.model.detection import (
    AMPLIFICATION,
    SCHEDULE,
    Audience,
    Detection,
    Edge,
    Group,
    TieTests,
)
from sockscope.model.operators import OperatorResult
from sockscope.model.params import DetectParams
from sockscope.output.contract import account_table, evidence_table
from sockscope.persona.accounts import Persona, build_persona
from sockscope.persona.groups import (
    SIGNALS,
    add_persona_evidence,
    group_signals,
    looks_independent,
)
from sockscope.plugins import TRACES
from sockscope.store.database import arrow_view, table_from_arrow

if TYPE_CHECKING:
    from sockscope.detect.engines.spark import SparkEngine

# a group member tied to only one other member needs that tie significant at this share
# of the FDR, and rare among the null tests (groups.SingleTies): with fdr 0.01, q <= 0.001
SINGLE_TIE_FDR_SHARE = 0.1

CANDIDATE_EDGES_DDL = """(behaviour VARCHAR, account_a VARCHAR, account_b VARCHAR,
    shared_keys BIGINT, weight DOUBLE, p_value DOUBLE, min_dt_s DOUBLE, median_dt_s DOUBLE,
    first_t DOUBLE, last_t DOUBLE, example_keys VARCHAR[], window_s BIGINT)"""
EVIDENCE_DDL = """(behaviour VARCHAR, account_a VARCHAR, account_b VARCHAR, key VARCHAR,
    post_a VARCHAR, post_b VARCHAR, time_a DOUBLE, time_b DOUBLE, dt_s DOUBLE)"""


class _Clock:
    """Stage timings for the manifest; ``on_stage(name)`` hears of each stage as it
    starts (the command line's progress)."""

    def __init__(self, on_stage: Callable[[str], None] | None = None) -> None:
        self.timings: dict[str, float] = {}
        self.on_stage = on_stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage is not None:
            self.on_stage(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def run_detection(con: duckdb.DuckDBPyConnection, params: DetectParams,
                  engine: SparkEngine | None = None,
                  on_stage: Callable[[str], None] | None = None) -> Detection:
    """Run every stage on the posts in ``con`` and return the whole result. With a
    Spark ``engine``, the co-action stages run on Spark (same results; windows are not
    estimated there: ``api.detect`` refuses ``auto_window`` with it). ``on_stage`` is
    called with each stage's name as it starts."""
    clock = _Clock(on_stage)
    with Scratch(con, engine) as scratch:
        con.execute(f"CREATE OR REPLACE TEMP TABLE candidate_edges {CANDIDATE_EDGES_DDL}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE candidate_evidence {EVIDENCE_DDL}")
        windows, notes, trace_tests = _test_traces(scratch, params, clock)
        hypotheses = sum(s.tests for s in trace_tests)
        families: dict[str, tuple[TieTests, ...]] = {}
        with clock.stage("fdr"):
            edges = select_edges(con, "pair_tests", "candidate_edges", hypotheses, params.fdr)
            with _edge_keys(con, edges) as kept:
                con.execute(f"""CREATE OR REPLACE TEMP TABLE evidence AS
                                SELECT * FROM candidate_evidence
                                SEMI JOIN {kept} USING (behaviour, account_a, account_b)""")
        if params.amplification:
            with clock.stage("amplification"):
                amplified, tests = amplification_edges(con, params.fdr)
                edges = merge_edges(edges, amplified)
                hypotheses += tests.tests
                families[AMPLIFICATION] = (tests,)
        persona = None
        desks: list[Desk] = []
        if params.persona:
            with clock.stage("persona"):
                persona = build_persona(con)
            with clock.stage("feed desks"):
                desks, tested = find_desks(con, params.fdr)
                edges = merge_edges(edges, desk_edges(desks))
                desk_evidence(con, desks, "candidate_evidence")
                hypotheses += tested
                # a desk's tests are of layouts, not pairs: every one counts
                families[SCHEDULE] = (TieTests(tested, tested),)
                notes.extend(describe_desks(desks))
        with clock.stage("groups"):
            groups, attached_edges, audiences, attach_tests, attach_notes = _groups(
                scratch, edges, params, persona, desks, windows,
                SingleTies(families, tuple(trace_tests), params.fdr * SINGLE_TIE_FDR_SHARE))
            hypotheses += attach_tests
            notes.extend(attach_notes)
            notes.extend(describe_audiences(audiences))
            edges = merge_edges(edges, attached_edges)
        operators = None
        if params.operators:
            with clock.stage("same operator"):
                operators = _operators(scratch, persona, params, groups)
                notes.extend(operators.notes)
        with clock.stage("results"):
            evidence = _evidence(con, edges)
            accounts = account_table(con, groups, edges, persona,
                                     operators.groups if operators else None)
    return Detection(params=params, edges=edges, groups=groups, evidence=evidence,
                     accounts=accounts, windows=windows, tests=hypotheses, notes=notes,
                     audiences=audiences, timings=clock.timings,
                     persona=None if persona is None else persona.table,
                     persona_signals=[] if persona is None else
                     [name for name in SIGNALS if persona.available.get(name)],
                     operators=operators)


def _operators(scratch: Scratch, persona: Persona | None, params: DetectParams,
               groups: list[Group]) -> OperatorResult:
    """The same-operator analysis (``sockscope.operators``) on the run's posts; it
    reads the canonical links and normalised texts detect's co-url and co-text traces
    use, and leaves pairs inside one coordinated group to the group."""
    from sockscope.detect.traces.co_text import prepare_normalised_texts
    from sockscope.detect.traces.co_url import prepare_url_map
    from sockscope.operators.analyse import find_operators

    scratch.once("url_map", prepare_url_map)
    scratch.once("norm_texts", prepare_normalised_texts)
    return find_operators(scratch.con, persona if persona is not None
                          else build_persona(scratch.con), "url_map", "norm_texts",
                          params.fdr, params.seed,
                          {m: g.group_id for g in groups for m in g.members})


def _test_traces(scratch: Scratch, params: DetectParams,
                 clock: _Clock) -> tuple[dict[str, int], list[str], list[TieTests]]:
    """Co-actions and pair tests of every trace; keeps candidate edges and evidence.
    Returns the windows used, notes, and each trace's tests."""
    con = scratch.con
    precision = int(con.execute(
        "SELECT coalesce(max(time_precision_s), 1) FROM posts").fetchall()[0][0])
    windows: dict[str, int] = {}
    notes: list[str] = []
    test_sets: list[TieTests] = []
    all_tests: list[pa.Table] = []
    for name in params.traces:
        trace = TRACES[name]
        with clock.stage(f"{name}: co-actions"):
            window = params.window(name)
            if window < precision:
                notes.append(f"{name}: a {window} s window is finer than the data's "
                             f"{precision} s time resolution; widened to {precision} s")
                window = precision
            if params.auto_window:
                stage_actions(scratch, trace)
                window = estimate_window(con, "acts_raw", precision, window)
                notes.append(f"{name}: window estimated from the data: {window} s")
            windows[name] = window
            scales = trace_scales(trace, window, params.window_free)
            coactions = build_coactions(scratch, trace, window, params.neighbour_cap, scales,
                                        params.min_shared)
            test_sets.append(TieTests(coactions.hypotheses, coactions.accounts))
        with clock.stage(f"{name}: significance"):
            tests = pair_tests(con, coactions, params.min_shared, params.fdr)
            keep_candidates(con, coactions, tests, params.fdr, "candidate_edges",
                            "candidate_evidence")
            all_tests.append(tests)
    table_from_arrow(con, "pair_tests", pa.concat_tables(all_tests) if all_tests
                     else PAIR_TESTS_SCHEMA.empty_table())
    return windows, notes, test_sets


def _groups(scratch: Scratch, edges: list[Edge], params: DetectParams,
            persona: Persona | None, desks: list[Desk], windows: dict[str, int],
            single_ties: SingleTies
            ) -> tuple[list[Group], list[Edge], list[Audience], int, list[str]]:
    """Leiden groups (without the clocks' coincidences around feed desks), audiences set
    apart, small groups dropped, slow-drip members and those who joined a group's
    sessions attached, persona signals; numbered at the end."""
    con = scratch.con
    coincidences = clock_coincidences(edges, desks)
    notes: list[str] = []
    if coincidences:
        ties = "1 co-template tie" if len(coincidences) == 1 else \
            f"{len(coincidences):,} co-template ties"
        notes.append(f"{ties} between a feed desk's accounts and other accounts on a clock "
                     "of its layout, without its profile template, make no group: two "
                     "clocks on one minute meet every hour")
    grouped = [e for e in edges if e.key not in coincidences]
    groups, single_ties = find_groups(grouped, params.seed, single_ties, params.fdr)
    groups = rank_groups(groups)
    independent = None
    if persona is not None:
        def independent(accounts: list[str]) -> bool:
            return looks_independent(group_signals(persona, accounts,
                                                   _signal_seed(params, accounts)))
    unfound = _unfound_members(con, groups, params) if params.amplification else set()
    groups, audiences = split_audiences(con, groups, edges, "evidence", independent, unfound)
    groups, readers = split_readerships(con, groups, edges, "evidence", independent)
    audiences += readers
    if params.amplification:
        groups, targets, followers, loose = _without_targets(
            con, groups, edges, edges_by_pair(grouped), single_ties, unfound)
        if targets:
            notes.append(f"{targets:,} accounts that groups amplify, but that take no part "
                         "in what the groups do, are left out as targets, not members")
        if followers:
            notes.append(f"{followers:,} accounts whose part in a group is reposting one "
                         "account's posts, posts that mostly accounts outside the groups "
                         "repost, are left out as that account's audience, not members")
        if loose:
            notes.append(f"{loose:,} more accounts, tied to the groups only through the "
                         "accounts left out, go with them")
    groups = [g for g in groups if len(g.members) >= params.min_group_size]
    attached_edges: list[Edge] = []
    hypotheses = 0
    notes.append(_quiet_note(con))
    if params.amplification:
        attached_edges, hypotheses, attached, audience = _attach(con, groups, params)
        if attached:
            notes.append(f"{attached:,} accounts attached to groups whose own posts "
                         "they amplify far beyond chance")
        if audience:
            notes.append(f"{audience:,} accounts that amplify groups' posts far beyond "
                         "chance, but posts that mostly accounts outside the groups "
                         "repost, are a popular member's audience, not attached")
    sessions = session_attachment(scratch, groups, edges, params.traces, windows,
                                  params.fdr, "candidate_evidence")
    hypotheses += sessions.hypotheses
    for index, accounts in sessions.joined.items():
        groups[index].members.extend(accounts)
    attached_edges = merge_edges(attached_edges, sessions.edges)
    if sessions.joined:
        joined = sum(len(accounts) for accounts in sessions.joined.values())
        notes.append(f"{joined:,} account{'s' if joined != 1 else ''} attached to groups "
                     f"whose sessions {'they' if joined != 1 else 'it'} joined far beyond "
                     "chance (the same keys within the groups' own hours)")
    if persona is not None:
        for group in groups:
            add_persona_evidence(group, group_signals(persona, group.members,
                                                      _signal_seed(params, group.members)))
        groups = rank_groups(groups)
    quiet = _quiet_accounts(con, [m for g in groups for m in g.members])
    for group in groups:
        group.quiet_members = sum(m in quiet for m in group.members)
    number_groups(groups)
    return groups, attached_edges, audiences, hypotheses, notes


def _without_targets(con: duckdb.DuckDBPyConnection, groups: list[Group], edges: list[Edge],
                     by_pair: dict[tuple[str, str], list[Edge]], ties: SingleTies,
                     unfound: AbstractSet[str] = frozenset()
                     ) -> tuple[list[Group], int, int, int]:
    """The groups without the accounts they only amplify (``amplified_only``; an account
    whose posts a group pushes, ``pushed_authors``, is its own, not a target) and
    without their members' audiences (``crowd_followers``), pruned again to their firm
    members (an account whose ties ran to those alone is tied to nothing in the group)
    and described anew. Pruning can leave a member tied to one other alone, so the
    audiences are looked for again until none is left. ``unfound``: accounts outside
    the groups that the attachment tests would add to one (``_unfound_members``), which
    count with the groups, not with the public. Returns the groups and the numbers of
    targets, of followers and of accounts that went with them."""
    work: list[tuple[Group, list[str]]] = []  # each group, and its members left
    targets = followers = loose = 0
    pushed = pushed_authors(con, [group.members for group in groups])
    for group, authors in zip(groups, pushed, strict=True):
        amplified = set(amplified_only(con, group.members, edges, authors))
        targets += len(amplified)
        work.append((group, [m for m in group.members if m not in amplified]))
    kept: list[Group] = []
    while work:
        again: list[tuple[Group, list[str]]] = []
        internal = pairs_within([members for _, members in work], by_pair)
        flagged = sorted({m for _, members in work for m in members}
                         | {m for g in kept for m in g.members} | unfound)
        # one query for every group: they are disjoint, so each member's ties stay its own
        audiences = set(crowd_followers(
            con, flagged, {pair: es for pairs in internal for pair, es in pairs.items()},
            "evidence"))
        for (group, members), pairs in zip(work, internal, strict=True):
            crowd = audiences.intersection(members)
            if not crowd and len(members) == len(group.members):
                kept.append(group)
                continue
            followers += len(crowd)
            left = [m for m in members if m not in crowd]
            firm = firm_group(left, pairs, ties)
            loose += len(left) - (len(firm.members) if firm is not None else 0)
            if firm is not None and crowd:
                again.append((firm, firm.members))  # look for audiences once more
            elif firm is not None:
                kept.append(firm)
        work = again
    return rank_groups(kept), targets, followers, loose


def _quiet_note(con: duckdb.DuckDBPyConnection) -> str:
    """How many accounts posted too little for any behavioural test."""
    quiet, total = con.execute(
        f"""SELECT count(*) FILTER (WHERE n < {QUIET_POSTS}), count(*)
            FROM (SELECT account_id, count(*) AS n FROM posts GROUP BY 1)""").fetchall()[0]
    share = quiet / total if total else 0.0
    return (f"{quiet:,} of {total:,} accounts ({share:.0%}) posted fewer than {QUIET_POSTS} "
            "times: too quiet for behavioural tests, so an operation's quiet accounts go "
            "unseen unless they are tied to a group some other way")


def _quiet_accounts(con: duckdb.DuckDBPyConnection, accounts: list[str]) -> set[str]:
    """The accounts among ``accounts`` with fewer than QUIET_POSTS posts."""
    with arrow_view(con, {"account_id": pa.array(accounts, pa.string())}) as wanted:
        return {a for (a,) in con.execute(
            f"""SELECT account_id FROM posts SEMI JOIN {wanted} USING (account_id)
                GROUP BY 1 HAVING count(*) < {QUIET_POSTS}""").fetchall()}


def _signal_seed(params: DetectParams, accounts: list[str]) -> int:
    """A seed for a group's random baselines that depends only on the run's seed and
    the accounts (the same group gets the same p-values in every run)."""
    return params.seed * 1_000_003 + zlib.crc32("\x1f".join(sorted(accounts)).encode())


def _unfound_members(con: duckdb.DuckDBPyConnection, groups: list[Group],
                     params: DetectParams) -> set[str]:
    """The accounts that the attachment tests (``_attach``, on a copy) would add to the
    groups as found: members not yet found. The audience rules measure a group
    against the public, the accounts outside the groups that amplify the same author
    or posts; an account that amplifies the group's posts far beyond chance, and not
    the posts the public reposts, is none of it. When the pair tests found only the
    core of a slow drip (its members repost a few seeds each), the rest of the team is
    outside every group, and without this it passes for the public that makes the core
    a small part of its author's amplifiers (a 200-account drip in a 6,000-account,
    21-day world was dropped whole as an audience)."""
    trial = [replace(group, members=list(group.members)) for group in groups]
    _attach(con, trial, params)
    return {m for before, after in zip(groups, trial, strict=True)
            for m in after.members[len(before.members):]}


def _attach(con: duckdb.DuckDBPyConnection, groups: list[Group],
            params: DetectParams) -> tuple[list[Edge], int, int, int]:
    """Rounds of the attachment tests: accounts attached in one round (often the team's
    other main accounts) widen the set of group-authored posts the next round tests
    against. Then an account that only the test on all the group's posts attached, by
    reposting what the public reposts of the group as it was when the account joined
    (``reposting_the_public``: a popular member's audience, that member possibly
    attached a round before), is taken back out; one that reposts what the group
    pushes stays. Returns the new edges, the hypotheses tested, and the accounts
    attached and taken back out."""
    new_edges: list[Edge] = []
    hypotheses = 0
    tested_on: dict[str, tuple[int, int]] = {}  # account: its group, members when it joined
    by_pushes: set[str] = set()
    for _ in range(params.attach_rounds):
        round_edges, joined, tests, pushing = attach_to_groups(con, groups, params.fdr)
        hypotheses += tests
        by_pushes |= pushing
        if not joined:
            break
        for index, accounts in joined.items():
            tested_on.update((account, (index, len(groups[index].members)))
                             for account in accounts)
            groups[index].members.extend(accounts)
        new_edges = merge_edges(new_edges, round_edges)
    # each account to check, with the authors whose posts it was attached for: the
    # members of its round, those attached in earlier rounds included (a popular
    # account attached in one round brings its audience in the next)
    reposted = {account: groups[index].members[:size]
                for account, (index, size) in tested_on.items() if account not in by_pushes}
    # one query for every group: an account is attached to one group at most
    audience = set(reposting_the_public(con, sorted({m for g in groups for m in g.members}),
                                        reposted))
    for index in sorted({index for index, _ in tested_on.values()}):
        groups[index].members[:] = [m for m in groups[index].members if m not in audience]
    attached = len(tested_on) - len(audience)
    new_edges = [e for e in new_edges
                 if e.account_a not in audience and e.account_b not in audience]
    return new_edges, hypotheses, attached, len(audience)


def merge_edges(first: list[Edge], second: list[Edge]) -> list[Edge]:
    """Both lists as one, sorted by (account_a, account_b, behaviour), one edge per key:
    where both hold an edge for a key, the more significant one is kept."""
    merged: dict[tuple[str, str, str], Edge] = {}
    for edge in [*first, *second]:
        kept = merged.get(edge.key)
        if kept is None or (edge.q_value, edge.p_value) < (kept.q_value, kept.p_value):
            merged[edge.key] = edge
    return [merged[key] for key in sorted(merged)]


def _evidence(con: duckdb.DuckDBPyConnection, edges: list[Edge]) -> pa.Table:
    """The co-actions behind the final edges (co-action evidence and the reposts behind
    amplification ties), with both posts' texts."""
    amplification_evidence(con, edges, "candidate_evidence")
    with _edge_keys(con, edges) as kept:
        return evidence_table(con, f"""
            SELECT e.* FROM candidate_evidence e
            SEMI JOIN {kept} k USING (behaviour, account_a, account_b)""")


def _edge_keys(con: duckdb.DuckDBPyConnection, edges: list[Edge]):
    """A view of the edges' keys (behaviour, account_a, account_b), for joins."""
    return arrow_view(con, pa.table({
        "behaviour": pa.array([e.behaviour for e in edges], pa.string()),
        "account_a": pa.array([e.account_a for e in edges], pa.string()),
        "account_b": pa.array([e.account_b for e in edges], pa.string())}))
