"""Time gaps in words, for summaries and tables."""

from __future__ import annotations


def human_duration(seconds: float | None) -> str:
    """A time gap in human units: ``12 s``, ``3 min``, ``27 h``, ``4 days``."""
    if seconds is None or seconds != seconds:  # None or NaN
        return ""
    seconds = abs(float(seconds))
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} days".replace(".0 days", " days")
