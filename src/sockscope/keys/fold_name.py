"""Names folded for comparison: accents and other combining marks dropped, case folded.

Compatibility decomposition (NFKD) comes first, then case folding, then NFKD again
and the marks dropped:
- styled letters (``𝐀``, ``Ａ``) only become plain letters under NFKD: folding case
  first would leave ``𝐴`` as ``A``, unequal to ``a`` (styled letters are how accounts
  dodge name filters);
- marks are dropped only after case folding: the Greek iota subscript is a mark that
  folds to a letter (``ᾀ`` and its capital ``ἈΙ`` both give ``αι``);
- case folding can expose new decompositions, hence the second NFKD, so folding a
  folded name changes nothing.
"""

from __future__ import annotations

import re
import unicodedata

_LETTER_RUNS = re.compile(r"[^\W\d_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def without_marks(text: str) -> str:
    """``text`` in compatibility decomposition without combining marks, case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_name(text: str) -> str:
    """``text`` without combining marks and case-folded, for comparing names."""
    return without_marks(unicodedata.normalize("NFKD", text).casefold())


def name_words(text: str | None, min_letters: int) -> set[str]:
    """The folded words of a name or profile field, split at separators, digits and
    camel case (``DallasCityNews`` is three), of ``min_letters`` letters or more."""
    split = _CAMEL.sub(" ", without_marks(text or ""))
    return {f for w in _LETTER_RUNS.findall(split) if len(f := fold_name(w)) >= min_letters}


def name_letters(text: str | None) -> str:
    """A name's letters, folded, without digits, separators or marks (``Kalomi_Rin2``
    and ``kalomirin`` are both ``kalomirin``)."""
    return "".join(_LETTER_RUNS.findall(fold_name(text or "")))
