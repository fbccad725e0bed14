"""Templated handles: the name-plus-digits handles of accounts made in bulk.

A handle's template is its shape with letters folded: ``SaraTehrani83920174`` and
``AliRezaei51029384`` are both ``a+d8`` (letters, then eight digits). Only handles ending
in a long digit run (``MIN_DIGITS`` or more) have a template: shorter numbers
(``jane_doe84``) are how people pick free names. A handle whose letters share little with
the display name (``SaraTehrani…`` shown as "Mehdi K.") is a mismatch.
"""

from __future__ import annotations

import re

from sockscope.keys.fold_name import name_letters

MIN_DIGITS = 5
_TRAILING_DIGITS = re.compile(r"(\d+)$")


def handle_template(handle: str | None) -> str | None:
    """The template of a handle ending in a long digit run, else None."""
    if not handle:
        return None
    match = _TRAILING_DIGITS.search(handle)
    if match is None or len(match.group(1)) < MIN_DIGITS:
        return None
    head = handle[: match.start()]
    shape = re.sub(r"[^\W\d_]+", "a", head)
    shape = re.sub(r"\d+", "9", shape)
    return f"{shape}+d{len(match.group(1))}"


def name_mismatch(handle: str | None, display_name: str | None) -> bool | None:
    """Whether handle and display name share less than half of their letter pairs
    (None when either is missing or too short to tell)."""
    if not handle or not display_name:
        return None
    a, b = name_letters(handle), name_letters(display_name)
    if len(a) < 4 or len(b) < 4:
        return None
    pairs_a = {a[i:i + 2] for i in range(len(a) - 1)}
    pairs_b = {b[i:i + 2] for i in range(len(b) - 1)}
    return len(pairs_a & pairs_b) / min(len(pairs_a), len(pairs_b)) < 0.5
