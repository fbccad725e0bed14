"""Working-hours inference: which UTC offset and which kind of schedule explain when an
account (or a group) is active.

Activity is counted in the 168 hours of the UTC week. A schedule is a set of local
hours: **office hours** (Monday to Friday, 09:00-17:00), a **daily shift** (09:00-17:00
every day, weekends too) or a **personal rhythm** (awake 08:00-24:00 every day). Each is
tried at every whole-hour UTC offset from -12 to +14; the best is the one whose hours
hold the most activity per hour of the week they cover, scored by the log-likelihood
ratio against activity spread evenly over the week (bits per post). The fit reported
is the share of activity inside the schedule's hours.

What it cannot tell: daylight-saving time (a schedule that moves an hour mid-period
blurs into the neighbouring offsets), half-hour offsets (India, Iran) land on a
neighbour, a team working a night shift looks like a day shift in another time zone,
and accounts with few posts fit anything: below ``MIN_POSTS`` no schedule is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOURS_OF_WEEK = 168
OFFSETS = np.arange(-12, 15)
MIN_POSTS = 30
FLOOR = 0.02  # share of activity assumed outside the schedule (people slip)

# local hours of the week (Monday 00:00 = 0) in each schedule
_LOCAL = {
    "office hours": [d * 24 + h for d in range(5) for h in range(9, 17)],
    "daily shift": [d * 24 + h for d in range(7) for h in range(9, 17)],
    "personal rhythm": [d * 24 + h for d in range(7) for h in range(8, 24)],
}
DESCRIBE = {"office hours": "Mon-Fri 09-17", "daily shift": "every day 09-17",
            "personal rhythm": "awake 08-24 every day"}


def _templates() -> tuple[list[tuple[str, int]], np.ndarray]:
    """Every (schedule, offset) and its mask over the UTC hours of the week."""
    names: list[tuple[str, int]] = []
    masks = []
    for name, local in _LOCAL.items():
        local_hours = np.array(local)
        for offset in OFFSETS:
            mask = np.zeros(HOURS_OF_WEEK, dtype=bool)
            mask[(local_hours - offset) % HOURS_OF_WEEK] = True
            names.append((name, int(offset)))
            masks.append(mask)
    return names, np.array(masks)


TEMPLATES, MASKS = _templates()
_INSIDE = MASKS.sum(axis=1)
# log-probability of one post in / out of the schedule, per hour of the week
_LOG_IN = np.log((1 - FLOOR) / _INSIDE)
_LOG_OUT = np.log(FLOOR / (HOURS_OF_WEEK - _INSIDE))


@dataclass(frozen=True)
class Schedule:
    kind: str  # office hours | daily shift | personal rhythm
    utc_offset: int
    fit: float  # share of activity inside the schedule's hours
    bits: float  # log-likelihood ratio per post against an even spread, in bits
    posts: int

    def describe(self) -> str:
        sign = "+" if self.utc_offset >= 0 else "-"
        return (f"{self.kind} ({DESCRIBE[self.kind]} at UTC{sign}{abs(self.utc_offset):02d}:00,"
                f" {self.fit:.0%} of {self.posts:,} posts)")


def fit_schedules(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows of hour-of-week counts (n x 168): the best template index, its fit
    (share inside) and its score (bits per post) per row."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    totals = counts.sum(axis=1)
    inside = counts @ MASKS.T  # n x templates
    log_likelihood = inside * _LOG_IN + (totals[:, None] - inside) * _LOG_OUT
    uniform = totals[:, None] * np.log(1 / HOURS_OF_WEEK)
    bits = (log_likelihood - uniform) / np.maximum(totals[:, None], 1) / np.log(2)
    best = np.argmax(bits, axis=1)
    rows = np.arange(len(counts))
    fit = inside[rows, best] / np.maximum(totals, 1)
    return best, fit, bits[rows, best]


def infer_schedule(counts: np.ndarray) -> Schedule | None:
    """The best schedule for one hour-of-week profile, or None with too few posts."""
    counts = np.asarray(counts, dtype=np.float64)
    posts = int(counts.sum())
    if posts < MIN_POSTS:
        return None
    best, fit, bits = fit_schedules(counts[None, :])
    kind, offset = TEMPLATES[int(best[0])]
    return Schedule(kind, offset, float(fit[0]), float(bits[0]), posts)


def office_fit(counts: np.ndarray) -> np.ndarray:
    """Per row: how much more activity falls in weekday office hours than a seven-day
    rhythm would put there, at the best UTC offset: the share in Mon-Fri 09-17 minus 5/7
    of the share in 09-17 on all days. About 0 for people and for crowds that react to
    the same events every day (fans of one author); clearly positive for a desk that
    works weekdays. The group statistic ``schedule_fit``."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    office = [i for i, (kind, _) in enumerate(TEMPLATES) if kind == "office hours"]
    daily = [i for i, (kind, _) in enumerate(TEMPLATES) if kind == "daily shift"]
    excess = counts @ MASKS[office].T - 5 / 7 * (counts @ MASKS[daily].T)
    return excess.max(axis=1) / np.maximum(counts.sum(axis=1), 1)
