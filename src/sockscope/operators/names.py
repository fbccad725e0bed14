"""Names: handle and display-name likeness beyond what chance gives two accounts.

People who make a replacement account reuse what they liked about the last name: the
same stem with new digits or separators (``Kalomi_Rin`` -> ``kalomirin2``), the same
rare word, the same display name (Kumar et al. 2017 found sockpuppet pairs' usernames
far closer in edit distance than random pairs; Wikipedia's investigations cite "similar
usernames" as behavioural evidence). A name's *stem* is its letters, folded to lower
case without accents, digits or separators; two accounts' likeness is the best
normalised Indel similarity (``rapidfuzz``) between their stems, handle or display
name. The p-value is the share of random account pairs at least as alike, so common
first names and the platform's naming habits are priced in; for equal stems it is the
exact share of all pairs that share a stem at least as rare. Candidates come from
shared rare name words (``TOKEN_CAP`` accounts at most) and equal stems, never from all
pairs.
"""

from __future__ import annotations

import numpy as np

from sockscope.keys.fold_name import name_letters, name_words
from sockscope.operators.nulls import random_pairs

TOKEN_CAP = 10  # a name word used by more accounts brings no candidates
MIN_TOKEN = 4
MIN_STEM = 3
NULL_PAIRS = 20_000


def stem(name: str | None) -> str:
    """A name's letters, lower case, without accents, digits or separators."""
    return name_letters(name)


def words(name: str | None) -> set[str]:
    """A name's words (split at separators, digits and camel case), lower case."""
    return name_words(name, MIN_TOKEN)


class Names:
    """Every account's name stems and words, for likeness and candidates."""

    def __init__(self, accounts: list[str], handles: list[str | None],
                 displays: list[str | None]) -> None:
        self.accounts = accounts
        self.index = {a: i for i, a in enumerate(accounts)}
        self.stems = [(stem(h), stem(d)) for h, d in zip(handles, displays, strict=True)]
        self.words = [words(h) | words(d) for h, d in zip(handles, displays, strict=True)]
        # accounts per stem, and pairs sharing a stem at most that common (equal_share)
        self.holders: dict[str, int] = {}
        for stems in self.stems:
            for key in {s for s in stems if len(s) >= MIN_STEM}:
                self.holders[key] = self.holders.get(key, 0) + 1
        self._sizes = np.array(sorted(self.holders.values()), dtype=np.float64)
        self._cumulative = np.cumsum(self._sizes * (self._sizes - 1) / 2)

    def likeness(self, i: int, j: int) -> float:
        from rapidfuzz.fuzz import ratio

        best = 0.0
        for x in self.stems[i]:
            for y in self.stems[j]:
                if len(x) >= MIN_STEM and len(y) >= MIN_STEM:
                    best = max(best, ratio(x, y) / 100)
        return best

    def candidates(self) -> set[tuple[str, str]]:
        """Pairs sharing a rare name word or an equal stem."""
        holders: dict[str, list[int]] = {}
        for i, (found, stems) in enumerate(zip(self.words, self.stems, strict=True)):
            for key in found | {f"={s}" for s in stems if len(s) >= MIN_TOKEN}:
                holders.setdefault(key, []).append(i)
        pairs: set[tuple[str, str]] = set()
        for members in holders.values():
            if 1 < len(members) <= TOKEN_CAP:
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        a, b = self.accounts[members[x]], self.accounts[members[y]]
                        pairs.add((a, b) if a < b else (b, a))
        return pairs

    def equal_share(self, i: int, j: int) -> float:
        """For accounts whose names have an equal stem (handle or display name): the
        share of all pairs of accounts that share a stem at least as rare, the exact
        p-value where a sample of random pairs is too coarse (a stem a bulk-made batch
        of 120 accounts carries is no sign; one only these two carry is). 1 when they
        share none."""
        shared = {s for s in self.stems[i] if len(s) >= MIN_STEM} & set(self.stems[j])
        if not shared:
            return 1.0
        rarest = min(self.holders[s] for s in shared)
        n = len(self.accounts)
        upto = np.searchsorted(self._sizes, rarest, side="right")
        return float(max(self._cumulative[upto - 1], 1.0) / max(n * (n - 1) / 2, 1.0))

    def null(self, seed: int) -> np.ndarray:
        """Likeness of random pairs, sorted (the reference distribution)."""
        n = len(self.accounts)
        if n < 2:
            return np.zeros(1)
        i, j = random_pairs(np.arange(n), NULL_PAIRS, np.random.default_rng(seed))
        return np.sort([self.likeness(int(x), int(y)) for x, y in zip(i, j, strict=True)])
