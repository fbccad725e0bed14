"""Persona marks in plain words: the codes of accounts.csv's ``signals`` column
(``schedule=personal_rhythm@UTC-03(0.76)``) as a reader would say them."""

from __future__ import annotations

import re

from sockscope.persona.schedule import DESCRIBE

_SCHEDULE = re.compile(r"([a-z_]+)@UTC([+-])(\d{2})\(([0-9.]+)\)")
_HEAD_WORDS = {"a": "letters", "9": "digits"}


def mark_in_words(mark: str) -> str:
    """One mark (``name`` or ``name=value``) in plain words; an unknown mark as it is."""
    name, _, value = mark.partition("=")
    if name == "created":
        return f"account created {value}"
    if name == "handle_template":
        return f"handle made on a template ({_template(value)})"
    if name == "name_mismatch":
        return "display name unrelated to the handle"
    if name == "bio_shared_with":
        return f"same bio as {value} other account{'s' if value != '1' else ''}"
    if name == "image_shared_with":
        return f"same profile image as {value} other account{'s' if value != '1' else ''}"
    if name == "one_client":
        return f"posts almost only from one app ({value})"
    if name == "lang_mismatch":
        profile, _, posts = value.partition("/")
        return f"profile language {profile}, posts in {posts}"
    if name == "schedule":
        return schedule_in_words(value) or mark
    return mark


def marks_in_words(signals: str | None) -> str:
    """accounts.csv's ``signals`` cell in plain words, ``; ``-separated."""
    return "; ".join(mark_in_words(m) for m in (signals or "").split(";") if m)


def schedule_in_words(value: str) -> str | None:
    """``office_hours@UTC+08(0.81)`` as "posts fit office hours (Mon-Fri 09-17) at
    UTC+08:00: 81% of posts inside"."""
    match = _SCHEDULE.fullmatch(value)
    if not match:
        return None
    kind = match.group(1).replace("_", " ")
    hours = DESCRIBE.get(kind, "")
    share = float(match.group(4))
    return (f"own posting hours fit {kind}{f' ({hours})' if hours else ''} at "
            f"UTC{match.group(2)}{match.group(3)}:00, {share:.0%} of posts inside")


def _template(code: str) -> str:
    """``a+d8`` as "letters, then 8 digits" (``persona.handles``: letter runs are ``a``,
    digit runs ``9``, other characters themselves, then ``+dN`` for the final N digits)."""
    head, plus, digits = code.rpartition("+d")
    if not plus or not digits.isdigit():
        return code
    words = [_HEAD_WORDS.get(c, repr(c)) for c in head]
    return ", ".join([*words, f"then {digits} digits"]) if words else f"{digits} digits"
