"""Time-zone abbreviations (``EST``, ``BRT``, ``CEST``) as UTC offsets, for exports that
write them after a time (CrowdTangle's ``2021-03-01 10:15:02 EST``).

The meanings come from the tz database: every abbreviation any zone has used since 1970
and the offsets it stood for. An abbreviation that stood for one offset is read; one
that stood for several (``IST`` is India, Ireland and Israel) is ambiguous and refused by
name, unless the exporting tool fixes its meaning (``FIXED``). The tz database replaced
many invented abbreviations by numeric ones in 2017 (``BRT`` became ``-03``); the ones
still written by tools are listed in ``RETIRED``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

# abbreviations some exports still write that the tz database no longer carries
# (tzdata 2017a and later write these zones' offsets as numbers)
RETIRED = {"BRT": "-03:00", "BRST": "-02:00", "ART": "-03:00", "CLT": "-04:00",
           "CLST": "-03:00", "COT": "-05:00", "PET": "-05:00", "VET": "-04:00",
           "BOT": "-04:00", "PYT": "-04:00", "UYT": "-03:00", "ICT": "+07:00",
           "PHT": "+08:00", "SGT": "+08:00", "MYT": "+08:00", "TRT": "+03:00",
           "IRST": "+03:30", "AFT": "+04:30", "NPT": "+05:45"}


def _offset_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@cache
def tz_database_abbreviations() -> dict[str, frozenset[str]]:
    """Every alphabetic abbreviation used by a zone of the tz database since 1970, with
    the offsets (``-05:00``) it stood for: sampled in January and July of each year."""
    from zoneinfo import ZoneInfo, available_timezones

    meanings: dict[str, set[str]] = {}
    instants = [datetime(year, month, 15, 12, tzinfo=UTC)
                for year in range(1970, 2036) for month in (1, 7)]
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/")) or "/" not in name:
            continue  # fixed offsets and legacy aliases say nothing of usage
        try:
            zone = ZoneInfo(name)
        except (OSError, ValueError):
            continue
        for instant in instants:
            local = instant.astimezone(zone)
            abbreviation = local.tzname() or ""
            if abbreviation.isalpha() and abbreviation.isupper():
                meanings.setdefault(abbreviation, set()).add(_offset_text(local.utcoffset()))
    return {abbreviation: frozenset(offsets) for abbreviation, offsets in meanings.items()}


def resolve(abbreviations: set[str], fixed: dict[str, str]) -> tuple[dict[str, str],
                                                                     dict[str, list[str]]]:
    """The offset of each abbreviation (``fixed`` first: a tool's own meanings, then the
    retired ones, then the tz database's unambiguous ones) and the ambiguous ones with
    their possible offsets. Unknown abbreviations are in neither."""
    known: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    database = None
    for abbreviation in sorted(abbreviations):
        if abbreviation in fixed:
            known[abbreviation] = fixed[abbreviation]
        elif abbreviation in RETIRED:
            known[abbreviation] = RETIRED[abbreviation]
        else:
            database = database or tz_database_abbreviations()
            offsets = sorted(database.get(abbreviation, ()))
            if len(offsets) == 1:
                known[abbreviation] = offsets[0]
            elif offsets:
                ambiguous[abbreviation] = offsets
    return known, ambiguous
