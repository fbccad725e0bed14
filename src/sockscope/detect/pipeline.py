"""``sockscope detect``: the coordination pipeline from canonical posts to groups.

traces -> windowed co-actions (SQL) -> null model and p-values -> Benjamini-Hochberg
-> fused account graph -> Leiden groups. Each stage reads and writes tables in the
run's DuckDB database; timings are recorded for the manifest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import duckdb
import numpy as np

from sockscope.detect.amplification import amplification_edges, attach_to_groups
from sockscope.detect.audience import (
    ACCOUNT_TARGETED,
    Audience,
    describe_audiences,
    split_audiences,
)
from sockscope.detect.coaction import NEIGHBOUR_CAP, build_coactions
from sockscope.detect.groups import Edge, Group, find_groups
from sockscope.detect.significance import benjamini_hochberg, pair_tests
from sockscope.detect.traces import DEFAULT_TRACES, REGISTRY
from sockscope.detect.window import estimate_window
from sockscope.errors import SockscopeError

EXAMPLE_KEYS = 3
ATTACH_ROUNDS = 5


@dataclass
class DetectParameters:
    traces: list[str] = field(default_factory=lambda: list(DEFAULT_TRACES))
    windows: dict[str, int] = field(default_factory=dict)  # per-trace overrides
    auto_window: bool = False  # estimate each trace's window from the data
    fdr: float = 0.01
    min_shared: int = 2
    neighbour_cap: int = NEIGHBOUR_CAP
    seed: int = 1
    amplification: bool = True  # account -> author ties (see amplification.py)
    min_group_size: int = 3  # smaller communities are not reported as groups

    def window(self, trace: str) -> int:
        return int(self.windows.get(trace, REGISTRY[trace].window_s))


@dataclass
class Detection:
    parameters: DetectParameters
    edges: list[Edge]
    groups: list[Group]
    membership: dict[str, str]
    windows: dict[str, int]
    notes: list[str]
    timings: dict[str, float]
    tests: int  # hypotheses: pairs of active accounts, summed over traces
    audiences: list[Audience] = field(default_factory=list)


def run_detection(con: duckdb.DuckDBPyConnection, params: DetectParameters) -> Detection:
    unknown = [t for t in params.traces if t not in REGISTRY]
    if unknown:
        raise SockscopeError(f"unknown trace(s) {', '.join(unknown)}; "
                             f"choose from {', '.join(REGISTRY)}")
    if not 0 < params.fdr < 1:
        raise SockscopeError("--fdr must be between 0 and 1")
    timings: dict[str, float] = {}
    notes: list[str] = []
    precision = con.execute("SELECT coalesce(max(time_precision_s), 1) FROM posts").fetchone()[0]
    con.execute("CREATE OR REPLACE TEMP TABLE pair_tests (behaviour VARCHAR, account_a VARCHAR, "
                "account_b VARCHAR, p_value DOUBLE)")
    con.execute("CREATE OR REPLACE TEMP TABLE candidate_edges (behaviour VARCHAR, "
                "account_a VARCHAR, account_b VARCHAR, shared_keys BIGINT, weight DOUBLE, "
                "p_value DOUBLE, min_dt_s DOUBLE, median_dt_s DOUBLE, first_t DOUBLE, "
                "last_t DOUBLE, example_keys VARCHAR[])")
    con.execute("CREATE OR REPLACE TEMP TABLE candidate_evidence (behaviour VARCHAR, "
                "account_a VARCHAR, account_b VARCHAR, key VARCHAR, post_a VARCHAR, "
                "post_b VARCHAR, time_a DOUBLE, time_b DOUBLE, dt_s DOUBLE)")
    windows: dict[str, int] = {}
    hypotheses = 0
    for name in params.traces:
        trace = REGISTRY[name]
        window = params.window(name)
        if window < precision:
            notes.append(f"{name}: a {window} s window is finer than the data's {precision} s "
                         f"time resolution; widened to {precision} s")
            window = int(precision)
        windows[name] = window
        started = time.perf_counter()
        if params.auto_window:
            window = auto_window(con, trace, int(precision), window)
            notes.append(f"{name}: window estimated from the data: {window} s")
        counts = build_coactions(con, trace, window, params.neighbour_cap)
        hypotheses += counts["accounts"] * (counts["accounts"] - 1) // 2
        timings[f"{name}: co-actions"] = time.perf_counter() - started
        started = time.perf_counter()
        pair_tests(con, name, params.min_shared, params.fdr)
        _keep_candidates(con, name, params.fdr)
        timings[f"{name}: significance"] = time.perf_counter() - started
    started = time.perf_counter()
    edges = _significant_edges(con, params.fdr, hypotheses)
    timings["fdr"] = time.perf_counter() - started
    if params.amplification:
        started = time.perf_counter()
        amplification, amplification_tests = amplification_edges(con, params.fdr)
        edges = sorted(edges + amplification,
                       key=lambda e: (e.account_a, e.account_b, e.behaviour))
        hypotheses += amplification_tests
        timings["amplification"] = time.perf_counter() - started
    started = time.perf_counter()
    groups, membership = find_groups(edges, params.seed)
    groups, audiences = split_audiences(con, groups, _targeted_share(edges, membership))
    groups = [g for g in groups if len(g.members) >= params.min_group_size]
    if params.amplification:
        # rounds: accounts attached in one round (often the team's other main accounts)
        # widen the set of group-authored posts the next round tests against
        attached_total = 0
        for _ in range(ATTACH_ROUNDS):
            attached_edges, attached, attach_tests = attach_to_groups(con, groups, params.fdr)
            hypotheses += attach_tests
            if not attached:
                break
            attached_total += len(attached)
            by_id = {g.group_id: g for g in groups}
            for account, group_id in sorted(attached.items()):
                by_id[group_id].members.append(account)
            edges = sorted(edges + attached_edges,
                           key=lambda e: (e.account_a, e.account_b, e.behaviour))
        for group in groups:
            group.members.sort()
        if attached_total:
            notes.append(f"{attached_total:,} accounts attached to groups whose own posts "
                         "they amplify far beyond chance")
    membership = _renumber(groups)
    notes.extend(describe_audiences(audiences))
    timings["groups"] = time.perf_counter() - started
    return Detection(params, edges, groups, membership, windows, notes, timings, hypotheses,
                     audiences)


def _renumber(groups: list[Group]) -> dict[str, str]:
    membership: dict[str, str] = {}
    for number, group in enumerate(groups, start=1):
        group.group_id = f"G{number:04d}"
        for member in group.members:
            membership[member] = group.group_id
    return membership


def _keep_candidates(con: duckdb.DuckDBPyConnection, name: str, fdr: float) -> None:
    """Keep statistics and evidence of pairs that could pass the FDR threshold (a BH
    q-value is never below its p-value, so p > fdr can never be significant)."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE hopeful AS
        SELECT account_a, account_b, p_value FROM pair_tests
        WHERE behaviour = '{name}' AND p_value <= {fdr}
        """
    )
    con.execute(
        f"""
        INSERT INTO candidate_edges
        WITH n_accounts AS (SELECT count(DISTINCT account_id) AS n FROM acts),
        key_weight AS (
            SELECT key, greatest(ln(n_accounts.n / k.n) / ln(greatest(n_accounts.n / 2.0, 2)),
                                 0.01) AS w
            FROM keys k, n_accounts
        ), per_key AS (
            SELECT c.account_a, c.account_b, c.key, min(abs(c.dt)) AS dt,
                   min(least(c.time_a, c.time_b)) AS first_t,
                   max(greatest(c.time_a, c.time_b)) AS last_t
            FROM coacts c SEMI JOIN hopeful h USING (account_a, account_b)
            GROUP BY ALL
        )
        SELECT '{name}', p.account_a, p.account_b, count(*) AS shared_keys,
               round(list_sum(list(kw.w ORDER BY p.key)), 6) AS weight, h.p_value,
               min(p.dt), median(p.dt),
               min(p.first_t), max(p.last_t),
               list(p.key ORDER BY kw.w DESC, p.key)[1:{EXAMPLE_KEYS}]
        FROM per_key p JOIN key_weight kw USING (key) JOIN hopeful h USING (account_a, account_b)
        GROUP BY p.account_a, p.account_b, h.p_value
        """
    )
    con.execute(
        f"""
        INSERT INTO candidate_evidence
        SELECT '{name}', account_a, account_b, key, post_a, post_b, time_a, time_b, abs(dt)
        FROM coacts SEMI JOIN hopeful USING (account_a, account_b)
        """
    )


def _significant_edges(con: duckdb.DuckDBPyConnection, fdr: float,
                       hypotheses: int) -> list[Edge]:
    tests = con.execute(
        "SELECT behaviour, account_a, account_b, p_value FROM pair_tests "
        "ORDER BY behaviour, account_a, account_b").fetchnumpy()
    q = benjamini_hochberg(tests["p_value"].astype(np.float64), hypotheses)
    keep = q <= fdr
    con.register("q_arrow", {"behaviour": tests["behaviour"][keep],
                             "account_a": tests["account_a"][keep],
                             "account_b": tests["account_b"][keep], "q_value": q[keep]})
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE edges AS
        SELECT c.*, q.q_value FROM candidate_edges c
        JOIN q_arrow q USING (behaviour, account_a, account_b)
        WHERE c.shared_keys >= 1
        ORDER BY c.account_a, c.account_b, c.behaviour
        """
    )
    con.unregister("q_arrow")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE evidence AS
        SELECT e.* FROM candidate_evidence e SEMI JOIN edges USING (behaviour, account_a, account_b)
        ORDER BY account_a, account_b, behaviour, time_a, key
        """
    )
    return [Edge(a, b, beh, int(sk), float(w), float(p), float(qv), float(mn), float(md),
                 float(ft), float(lt))
            for beh, a, b, sk, w, p, mn, md, ft, lt, _keys, qv in con.execute(
                "SELECT behaviour, account_a, account_b, shared_keys, weight, p_value, "
                "min_dt_s, median_dt_s, first_t, last_t, example_keys, q_value FROM edges "
                "ORDER BY account_a, account_b, behaviour").fetchall()]


def auto_window(con: duckdb.DuckDBPyConnection, trace, precision: int, default: int) -> int:
    """Stage the trace's actions and estimate its window (see ``window.py``)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE acts_raw AS
                    SELECT account_id, key, min(t) AS t FROM ({trace.actions(con)})
                    WHERE key IS NOT NULL GROUP BY account_id, key""")
    return estimate_window(con, precision, default)


def _targeted_share(edges: list[Edge], membership: dict[str, str]) -> dict[str, float]:
    """Per group, the share of internal edge weight from account-targeted behaviours."""
    total: dict[str, float] = {}
    targeted: dict[str, float] = {}
    for e in edges:
        group = membership.get(e.account_a)
        if group is None or group != membership.get(e.account_b):
            continue
        total[group] = total.get(group, 0.0) + e.weight
        if e.behaviour in ACCOUNT_TARGETED:
            targeted[group] = targeted.get(group, 0.0) + e.weight
    return {g: targeted.get(g, 0.0) / w for g, w in total.items() if w > 0}
