"""Accounts named in a text without an @: the handle as a word.

Platforms that write mentions as ``@handle`` are caught by the mention pattern. Others
name accounts in plain words: a wiki's software writes "Undid revision N by X (talk)"
and "Reverted edits by X (talk) to last version by Y", forums quote "X wrote:". Such a
name is a mention: it says whom the text is about, not who wrote it. One Aho-Corasick
pass over each text finds every handle at once, and a match counts only as a whole word
(no letter, digit or underscore on either side).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa

MIN_HANDLE = 4  # a handle shorter than this is not looked for in texts


class NamedAccounts:
    """Finds the handles in ``names`` (lower case name -> account ids) in texts."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        import ahocorasick

        self.owners: dict[str, set[str]] = {}
        for name, account in names:
            if name and len(name) >= MIN_HANDLE:
                self.owners.setdefault(name.lower(), set()).add(account)
        self._automaton = ahocorasick.Automaton()
        for name in self.owners:
            self._automaton.add_word(name, name)
        if self.owners:
            self._automaton.make_automaton()

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, name) of each handle named as a whole word in lower-case
        ``text``, left to right."""
        if not self.owners:
            return
        for last, name in self._automaton.iter(text):
            start, end = last - len(name) + 1, last + 1
            if (start == 0 or not _word_char(text[start - 1])) and \
                    (end == len(text) or not _word_char(text[end])):
                yield start, end, name

    def accounts_named(self, text: str) -> set[str]:
        """The accounts whose handle lower-case ``text`` names."""
        return {account for _, _, name in self.spans(text) for account in self.owners[name]}

    def strip(self, texts: pa.Array) -> pa.Array:
        """``texts`` (lower case, nulls stay null) with every named handle replaced by a
        space, as mentions are; texts that name nobody are returned unchanged."""
        if not self.owners:
            return texts
        out = texts.to_pylist()
        changed = False
        for k, text in enumerate(out):
            if text is None:
                continue
            found = list(self.spans(text))
            if found:
                pieces, at = [], 0
                for start, end, _ in found:
                    if start >= at:  # overlapping names: the first one wins
                        pieces += [text[at:start], " "]
                        at = end
                out[k] = " ".join("".join(pieces + [text[at:]]).split())
                changed = True
        return pa.array(out, pa.string()) if changed else texts


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
