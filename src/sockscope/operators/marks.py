"""Traces and rhythm: what the platform shows about how an account was made and used.

- **Traces** (Wikipedia's CheckUser compares exactly these technical marks; platforms'
  takedown reports cite shared clients, images, bios and creation dates): the same
  posting client, the same profile image, the same bio, creation dates close together.
  Each shared mark's p-value is its frequency among accounts (a client half the accounts
  use is weak; an image no one else has is strong); creation dates, the share of random
  pairs created at least as close. The kind's p-value is Fisher's combination of the
  marks the data has.
- **Rhythm** (the "time card" of sockpuppet investigations): the hour-of-day profiles of
  accounts with ``RHYTHM_POSTS`` posts or more, compared by cosine; the p-value is the
  share of random pairs as active and at least as alike. One operator keeps one day.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from scipy.stats import chi2

from sockscope.operators.nulls import random_pairs, stratified_tail, stratum
from sockscope.persona.accounts import Persona

RHYTHM_POSTS = 15
NULL_PAIRS = 20_000


def mark_candidates(persona: Persona, cap: int) -> set[tuple[str, str]]:
    """Pairs sharing a profile image or a bio that at most ``cap`` accounts share."""
    pairs: set[tuple[str, str]] = set()
    for column in (persona.image, persona.bio):
        values, counts = np.unique(column[column >= 0], return_counts=True)
        for value in values[(counts > 1) & (counts <= cap)]:
            members = sorted(persona.account_ids[i] for i in np.flatnonzero(column == value))
            pairs.update((a, b) for x, a in enumerate(members) for b in members[x + 1:])
    return pairs


def mark_evidence(persona: Persona, pairs: pa.Table, seed: int) -> dict[str, object]:
    """Per pair: traces p-value, the marks shared (plain words), rhythm similarity and
    p-value (NaN when either account posted too little)."""
    rng = np.random.default_rng(seed)
    a = np.array([persona.index[x] for x in pairs["account_a"].to_pylist()], dtype=np.int64)
    b = np.array([persona.index[x] for x in pairs["account_b"].to_pylist()], dtype=np.int64)
    n = len(a)
    columns: list[np.ndarray] = []
    words: list[list[str]] = [[] for _ in range(n)]
    names = persona.table["top_client"].to_pylist()
    for label, column in (("client", persona.client), ("image", persona.image),
                          ("bio", persona.bio)):
        known = column >= 0
        if known.sum() < 2:
            continue
        frequency = np.bincount(column[known]) / known.sum()
        same = (column[a] == column[b]) & (column[a] >= 0)
        columns.append(np.where(same, frequency[np.maximum(column[a], 0)], 1.0))
        for k in np.flatnonzero(same):
            words[k].append(f"client {names[a[k]]}" if label == "client" else label)
    created = persona.created_day
    known_rows = np.flatnonzero(np.isfinite(created))
    if len(known_rows) >= 3:
        x, y = random_pairs(known_rows, NULL_PAIRS, rng)
        null = np.sort(np.abs(created[x] - created[y]))
        gap = np.abs(created[a] - created[b])
        finite = np.isfinite(gap)
        near = np.ones(n)
        near[finite] = (np.searchsorted(null, gap[finite], side="right") + 1) / (len(null) + 1)
        columns.append(near)
        for k in np.flatnonzero(finite & (near < 0.01)):
            words[k].append(f"created {gap[k]:.1f} d apart")
    traces = np.full(n, np.nan)
    if columns:  # Fisher's combination, all pairs at once
        stacked = np.vstack(columns)
        statistic = -2 * np.log(np.maximum(stacked, 1e-300)).sum(axis=0)
        traces = np.where((stacked < 1).any(axis=0),
                          chi2.sf(statistic, 2 * len(columns)), 1.0)
    hours = persona.hours.reshape(len(persona.account_ids), 7, 24).sum(axis=1).astype(float)
    norms = np.linalg.norm(hours, axis=1)
    profile = np.divide(hours, norms[:, None], out=np.zeros_like(hours),
                        where=norms[:, None] > 0)
    active = persona.posts >= RHYTHM_POSTS
    rhythm = np.full(n, np.nan)
    rhythm_p = np.full(n, np.nan)
    if active.sum() >= 3:
        x, y = random_pairs(np.flatnonzero(active), NULL_PAIRS, rng)
        null = np.einsum("ij,ij->i", profile[x], profile[y])
        null_strata = stratum(np.minimum(persona.posts[x], persona.posts[y]))
        both = active[a] & active[b]
        rhythm[both] = np.einsum("ij,ij->i", profile[a[both]], profile[b[both]])
        rhythm_p[both] = stratified_tail(
            null, null_strata, rhythm[both],
            stratum(np.minimum(persona.posts[a[both]], persona.posts[b[both]])))
    return {"traces_p": traces, "marks": [";".join(w) for w in words],
            "rhythm": rhythm, "rhythm_p": rhythm_p}
