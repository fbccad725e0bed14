"""Same-operator pairs: candidates, evidence of each kind, one fused p-value per pair,
Benjamini-Hochberg over every pair of accounts, and operator groups.

**Candidates** come from shared rare targets (two or more, one that at most ``SCARCE``
accounts touched, one handed over: all of one account's posts after the other's, or one
the null model already finds telling, at p <= ``SCREEN_P``), shared rare name words or
stems, shared profile images or bios, and style neighbours (accounts sharing signature
words, ``writing.py``), never from all pairs, so the cost follows the data. Pairs whose
only link is shared targets go on to the other kinds when those targets are already
telling (p <= ``SCREEN_P``): the others' evidence could not carry a pair that shares
nothing rare by name, mark, word or target. Writing, the costliest kind, is
compared for style neighbours and for pairs the other kinds fuse to p <=
``WRITING_SCREEN_P``: by words for all of them, by characters too for the
``WRITING_PAIRS`` strongest. It counts only beside another kind at p <=
``CORROBORATION``: topic leaks into word profiles (two fans of one club use the same
words), so a vocabulary alone never makes two accounts one person.

**Fusion.** Each kind gives a p-value valid under its own null model (``targets``,
``turns``, ``names``, ``writing``, ``traces``, ``rhythm``); a kind with no data for a
pair abstains. Two combinations are computed: the truncated product of the kinds at
p <= ``TAU`` (Zaykin et al. 2002: several signs agree, and kinds showing nothing do not
dilute them as in Fisher's method) and the smallest p-value times the number of kinds
(Bonferroni: one overwhelming sign); the pair's p-value is the smaller, doubled.
``score`` is its -log10.

**FDR.** The hypotheses are all pairs of accounts that posted (the candidates found are
a small part of them; every other pair counts with p = 1), so the q-values pay for
looking everywhere. Pairs at q <= fdr join operator groups (connected components):
groups start at two accounts, the common case for a replaced account.
"""

from __future__ import annotations

from math import comb, factorial

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.fdr import benjamini_hochberg
from sockscope.model.operators import KINDS, PAIR_SCHEMA, OperatorResult
from sockscope.operators.marks import mark_candidates, mark_evidence
from sockscope.operators.names import TOKEN_CAP, Names
from sockscope.operators.nulls import upper_tail
from sockscope.operators.targets import (
    references,
    shared_pairs,
    stage_targets,
    target_evidence,
)
from sockscope.operators.turns import account_times, turn_evidence
from sockscope.operators.writing import Writing
from sockscope.persona.accounts import Persona

SCREEN_P = 1e-3
TAU = 0.05  # kinds at p <= TAU enter the truncated product
WRITING_SCREEN_P = 0.01  # writing is compared for pairs the other kinds give this much
WRITING_PAIRS = 2_000  # the strongest of them also compared by characters
CORROBORATION = 0.05  # writing counts when another kind is at least this telling
MIN_SHARED = 2  # rare targets shared, for a pair to be a candidate
SCARCE = 3  # or one target this few accounts touched


def truncated_product(p_values: np.ndarray, tau: float = TAU) -> float:
    """Zaykin et al.'s truncated product method (Genet. Epidemiol. 2002): the p-value of
    ``W``, the product of the p-values at most ``tau``, for L independent tests. Kinds
    that show nothing (p > tau) do not dilute the ones that do, as they do in Fisher's
    combination."""
    kept = p_values[p_values <= tau]
    if len(kept) == 0:
        return 1.0
    log_w = float(np.sum(np.log(np.maximum(kept, 1e-300))))
    total = 0.0
    count = len(p_values)
    for k in range(1, count + 1):
        weight = comb(count, k) * (1 - tau) ** (count - k)
        if log_w <= k * np.log(tau):
            x = k * np.log(tau) - log_w
            series = sum(x ** s / factorial(s) for s in range(k))
            total += weight * np.exp(log_w) * series
        else:
            total += weight * tau ** k
    return float(min(1.0, total))


def fuse(p_values: np.ndarray) -> np.ndarray:
    """One p-value per row of ``p_values`` (pairs x kinds, NaN: the kind abstains)."""
    fused = np.ones(len(p_values))
    for k, row in enumerate(p_values):
        given = row[~np.isnan(row)]
        if len(given):
            fused[k] = min(1.0, 2 * min(truncated_product(given), len(given) * given.min()))
    return fused


def find_operators(con: duckdb.DuckDBPyConnection, persona: Persona, url_table: str,
                   texts_table: str, fdr: float, seed: int,
                   coordinated: dict[str, str] | None = None) -> OperatorResult:
    """The same-operator analysis of every account in ``con``'s posts. ``url_table`` maps
    links to canonical URLs and ``texts_table`` posts to normalised texts, as detect's
    co-url and co-text traces make them. Pairs inside one coordinated group
    (``coordinated``: account -> group id) are not candidates: their tie is reported,
    with its evidence, as coordination."""
    coordinated = coordinated or {}
    total = stage_targets(con, url_table)
    posting = [a for (a,) in con.execute(
        "SELECT DISTINCT account_id FROM posts ORDER BY 1").fetchall()]
    tests = len(posting) * (len(posting) - 1) // 2
    shown = {a: (h, d) for a, h, d in con.execute(
        "SELECT account_id, max(handle), max(display_name) FROM accounts GROUP BY 1"
    ).fetchall()}
    profile = {a: h for a, (h, _) in shown.items()}
    named = [shown.get(a, (None, None)) for a in posting]
    names = Names(posting, [h for h, _ in named], [d for _, d in named])
    posting_set = set(posting)
    writing = Writing(con, texts_table, seed, set(coordinated))
    style = writing.neighbours()
    others = {p for p in names.candidates() | mark_candidates(persona, TOKEN_CAP) | style
              if p[0] in posting_set and p[1] in posting_set}
    by_targets = shared_pairs(con, total, MIN_SHARED, SCARCE, SCREEN_P)
    pairs = _union(by_targets, others, coordinated)
    if pairs.num_rows == 0:
        return OperatorResult(PAIR_SCHEMA.empty_table(), {}, tests, 0, [])
    refs = references(con, pairs)
    targets = target_evidence(con, pairs, refs, total)
    ids = list(zip(pairs["account_a"].to_pylist(), pairs["account_b"].to_pylist(),
                   strict=True))
    keep = np.array([p <= SCREEN_P or pair in others
                     for p, pair in zip(targets["p"], ids, strict=True)])
    pairs = pairs.filter(pa.array(keep))
    ids = [pair for pair, kept in zip(ids, keep, strict=True) if kept]
    targets = {k: (v[keep] if isinstance(v, np.ndarray) else
                   [x for x, kept in zip(v, keep, strict=True) if kept])
               for k, v in targets.items()}
    refs_per_pair = _reference_counts(refs, ids)
    times = account_times(con, sorted({a for pair in ids for a in pair}))
    turns = turn_evidence(con, pairs, times, {
        account: persona.created_day[row] * 86_400 for account, row in persona.index.items()})
    rows = [(names.index[a], names.index[b]) for a, b in ids]
    likeness = np.array([names.likeness(i, j) for i, j in rows])
    # equal name stems: the exact share of all pairs sharing a stem as rare
    equal = np.array([names.equal_share(i, j) if like >= 1.0 else 1.0
                      for (i, j), like in zip(rows, likeness, strict=True)])
    names_p = np.minimum(upper_tail(names.null(seed), likeness), equal) if rows else likeness
    marks = mark_evidence(persona, pairs, seed)
    matrix = np.column_stack([targets["p"], turns["p"], names_p, np.full(len(ids), np.nan),
                              marks["traces_p"], marks["rhythm_p"]])
    # writing, the costliest kind, is compared for the pairs the others point to and for
    # style neighbours; it counts only beside another kind's evidence
    partial = fuse(matrix)
    wanted = (partial <= WRITING_SCREEN_P) | np.array([pair in style for pair in ids], dtype=bool)
    order = np.lexsort((np.arange(len(ids)), partial))
    strongest = np.zeros(len(ids), dtype=bool)
    strongest[order[wanted[order]][:WRITING_PAIRS]] = True
    compared = writing.evidence(pairs.filter(pa.array(wanted)), strongest[wanted])
    similarity = np.full(len(ids), np.nan)
    similarity[wanted] = compared["similarity"]
    seconded = np.where(np.isnan(matrix), 1.0, matrix).min(axis=1) <= CORROBORATION
    matrix[wanted, KINDS.index("writing")] = np.where(seconded[wanted], compared["p"], np.nan)
    p = fuse(matrix)
    q = benjamini_hochberg(p, tests)
    found = np.flatnonzero(q <= fdr)
    found = sorted(found, key=lambda i: (p[i], ids[i]))
    groups = _components([ids[i] for i in found])
    table = _pair_table(ids, found, p, q, matrix, targets, turns, times, likeness, similarity,
                        marks, refs_per_pair, groups, profile)
    notes = [f"same operator: {len(found):,} pairs of accounts probably run by one person "
             f"({len(set(groups.values())):,} operator groups, {len(groups):,} accounts), "
             f"from {len(ids):,} candidate pairs among {tests:,} tested"]
    return OperatorResult(table, groups, tests, len(ids), notes)


def _union(by_targets: pa.Table, others: set[tuple[str, str]],
           coordinated: dict[str, str]) -> pa.Table:
    found = set(zip(by_targets["account_a"].to_pylist(), by_targets["account_b"].to_pylist(),
                    strict=True)) | others
    ordered = sorted((a, b) for a, b in found
                     if coordinated.get(a) is None or coordinated.get(a) != coordinated.get(b))
    return pa.table({"account_a": pa.array([a for a, _ in ordered], pa.string()),
                     "account_b": pa.array([b for _, b in ordered], pa.string())})


def _reference_counts(refs: pa.Table, ids: list[tuple[str, str]]) -> np.ndarray:
    """Posts by which one account of each pair acts on the other."""
    counts: dict[tuple[str, str], int] = {}
    for a, b in zip(refs["account_id"].to_pylist(), refs["other"].to_pylist(), strict=True):
        key = (a, b) if a < b else (b, a)
        counts[key] = counts.get(key, 0) + 1
    return np.array([counts.get(pair, 0) for pair in ids], dtype=np.int64)


def _components(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Connected components as account -> group id, numbered by size then first
    account (O0001 the largest)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = {}
    for account in sorted(parent):
        members.setdefault(root(account), []).append(account)
    ranked = sorted(members.values(), key=lambda m: (-len(m), m[0]))
    return {a: f"O{k:04d}" for k, group in enumerate(ranked, 1) for a in group}


def _stamp(seconds: float | None):
    return None if seconds is None else np.datetime64(int(seconds * 1e6), "us")


def _pair_table(ids, found, p, q, matrix, targets, turns, times, likeness, similarity, marks,
                refs, groups, profile) -> pa.Table:
    rows = []
    for i in found:
        a, b = ids[i]
        ta, tb = times.get(a), times.get(b)
        row = {"account_a": a, "account_b": b, "operator_group": groups.get(a),
               "score": round(float(-np.log10(max(p[i], 1e-300))), 2),
               "p_value": float(p[i]), "q_value": float(q[i]),
               **{f"{kind}_p": None if np.isnan(matrix[i, k]) else float(matrix[i, k])
                  for k, kind in enumerate(KINDS)},
               "shared_targets": int(targets["shared"][i]),
               "reactive_targets": int(targets["reactive"][i]),
               "expected_shared": round(float(targets["expected"][i]), 6),
               "example_targets": " | ".join(targets["examples"][i]),
               "first_a": _stamp(ta[0] if ta is not None else None),
               "last_a": _stamp(ta[-1] if ta is not None else None),
               "first_b": _stamp(tb[0] if tb is not None else None),
               "last_b": _stamp(tb[-1] if tb is not None else None),
               "handover_s": None if np.isnan(turns["handover"][i])
               else float(turns["handover"][i]),
               "sessions_together": int(turns["together"][i]),
               "references": int(refs[i]),
               "handle_a": profile.get(a), "handle_b": profile.get(b),
               "name_similarity": round(float(likeness[i]), 3),
               "writing_similarity": None if np.isnan(similarity[i])
               else round(float(similarity[i]), 3),
               "same_marks": marks["marks"][i]}
        row["evidence"] = describe(row)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=PAIR_SCHEMA)


def describe(row: dict) -> str:
    """The pair's evidence in plain words, strongest kinds first."""
    parts = []
    ranked = sorted((row[f"{k}_p"], k) for k in KINDS if row[f"{k}_p"] is not None)
    for value, kind in ranked:
        if value > 0.05:
            continue
        if kind == "targets":
            parts.append(f"{row['shared_targets']} rare targets shared at different times "
                         f"(chance {row['expected_shared']:.2g})")
        elif kind == "turns":
            parts.append("one took over when the other stopped" if row["handover_s"]
                         is not None else "never active at once")
        elif kind == "names":
            parts.append(f"names alike ({row['handle_a']} / {row['handle_b']})")
        elif kind == "writing":
            parts.append("same writing")
        elif kind == "traces":
            parts.append(f"same marks ({row['same_marks'] or 'creation'})")
        elif kind == "rhythm":
            parts.append("same hours of the day")
    return "; ".join(parts)
