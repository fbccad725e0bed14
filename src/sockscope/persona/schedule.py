"""Working-hours inference: which UTC offset and which kind of schedule explain when an
account (or a group) is active.

Activity is counted in the 168 hours of the UTC week. A schedule is a set of local
hours: **office hours** (Monday to Friday, 09:00-17:00), a **daily shift** (09:00-17:00
every day, weekends too) or a **personal rhythm** (awake 08:00-24:00 every day). Each is
tried at every whole-hour UTC offset from -12 to +14; the best is the one whose hours
hold the most activity per hour of the week they cover: activity is modelled as even
inside the schedule's hours and even outside them (the share outside fitted by maximum
likelihood), scored by the log-likelihood ratio against activity spread evenly over the
week (bits per post). The fit reported
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
FLOOR = 0.01  # the least share of activity a schedule leaves outside its hours

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


@dataclass(frozen=True)
class Schedule:
    kind: str  # office hours | daily shift | personal rhythm
    utc_offset: int
    fit: float  # share of activity inside the schedule's hours
    bits: float  # log-likelihood ratio per post against an even spread, in bits
    posts: int

    @property
    def zone(self) -> str:
        """``UTC+08:00``."""
        sign = "+" if self.utc_offset >= 0 else "-"
        return f"UTC{sign}{abs(self.utc_offset):02d}:00"

    def describe(self) -> str:
        return (f"{self.kind} ({DESCRIBE[self.kind]} at {self.zone},"
                f" {self.fit:.0%} of {self.posts:,} posts)")


def fit_schedules(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows of hour-of-week counts (n x 168): the best template index, its fit
    (share inside) and its score (bits per post) per row."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    totals = counts.sum(axis=1)
    inside = counts @ MASKS.T  # n x templates
    # each template's share of activity outside its hours is fitted (maximum likelihood):
    # activity is even within the schedule's hours and even outside them
    # (at most half: a schedule is where the activity is, not where it is not)
    outside = np.clip(1 - inside / np.maximum(totals[:, None], 1), FLOOR, 0.5)
    log_likelihood = (inside * np.log((1 - outside) / _INSIDE)
                      + (totals[:, None] - inside) * np.log(outside / (HOURS_OF_WEEK - _INSIDE)))
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


def exposure(first_s: float, last_s: float) -> np.ndarray:
    """How many times each UTC hour of the week occurs between two epoch times."""
    hours = np.arange(int(first_s // 3600), int(last_s // 3600) + 1, dtype=np.int64)
    # the epoch began on a Thursday: hour of week (Monday 00:00 = 0) is offset by 3 days
    return np.bincount((hours + 3 * 24) % HOURS_OF_WEEK, minlength=HOURS_OF_WEEK).astype(
        np.float64)


_OFFICE = [i for i, (kind, _) in enumerate(TEMPLATES) if kind == "office hours"]
_WEEKEND_DAYTIME = np.array([
    [((5 * 24 + h - offset) % HOURS_OF_WEEK) for h in range(9, 17)]
    + [((6 * 24 + h - offset) % HOURS_OF_WEEK) for h in range(9, 17)]
    for offset in OFFSETS])


def office_fit(counts: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Per row: the weekday contrast of working hours, at the UTC offset whose weekday
    office hours hold the most activity: (weekday rate - weekend rate) / (sum), rates
    being activity per hour in 09-17 local time on weekdays and at weekends, per hour
    of the week the data covers (``seen``, from ``exposure``). About 0 for people and
    for crowds that react to the same events every day; near 1 for a desk that is quiet
    at weekends. NaN when the data covers no weekend. The group statistic
    ``schedule_fit``."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    office = MASKS[_OFFICE]  # offsets x 168
    weekday_seen = office @ seen  # per offset
    weekend_seen = seen[_WEEKEND_DAYTIME].sum(axis=1)
    if (weekend_seen == 0).any() or (weekday_seen == 0).any():
        return np.full(len(counts), np.nan)
    weekday = counts @ office.T / weekday_seen  # rows x offsets
    weekend = counts[:, _WEEKEND_DAYTIME].sum(axis=2) / weekend_seen
    best = np.argmax(counts @ office.T, axis=1)
    rows = np.arange(len(counts))
    total = weekday[rows, best] + weekend[rows, best]
    return np.where(total > 0, (weekday[rows, best] - weekend[rows, best])
                    / np.maximum(total, 1e-12), 0.0)
