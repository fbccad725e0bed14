"""Group persona signals, each a statistic with a p-value against random groups.

For a group of m accounts, each statistic is compared with its value on ``RANDOM_GROUPS``
random groups of m accounts drawn from the accounts in the data, matched on activity
(each member is replaced by a random account from the same activity decile, so a group
of heavy posters is compared with heavy posters). The p-value is the share of random
groups at least as extreme, (1 + k) / (1 + R). Statistics (``SIGNALS``):

- ``creation_burst``: share of the members (with a known creation date) created within
  the densest ``BURST_DAYS``-day window;
- ``handle_template``: share of members whose handle has the group's most common
  name-plus-long-digits template (``persona.handles``);
- ``client_share``: share of members whose main client app is the group's most common;
- ``bio_reuse``: share of members whose bio is equal or near-identical to another
  member's;
- ``image_reuse``: share of members whose profile image another member uses too;
- ``schedule_fit``: the weekday contrast of the group's pooled activity in working hours
  (09-17 local at the best UTC offset): weekday rate minus weekend rate over their sum,
  per hour the data covers (``persona.schedule.office_fit``); about 0 for people, near 1
  for a desk quiet at weekends; absent when the data covers no weekend. Pooled activity
  in office hours alone would mislead: accounts that react to the same author within
  minutes share that author's hours every day.

A signal *shows* when p < ``SIGNIFICANT`` and the statistic reaches its ``MATERIAL``
floor. A signal the data cannot support (no creation dates, no images, fewer than
``MIN_KNOWN`` members with the field) is absent, not zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sockscope.model.detection import Group
from sockscope.persona.accounts import Persona
from sockscope.persona.schedule import infer_schedule, office_fit

RANDOM_GROUPS = 999
BURST_DAYS = 30
MIN_KNOWN = 3
ACTIVITY_STRATA = 10
SIGNIFICANT = 0.01  # a signal shows below this p-value ...
# ... and when its statistic reaches this floor. The random groups' members are
# independent of one another; the members of a group found by behaviour are not (fans
# react to the same author within minutes), so in a large group a small shared quirk
# comes out "significant". The floors ask for an effect an investigator would call one.
MATERIAL = {"creation_burst": 0.5, "handle_template": 0.5, "client_share": 0.8,
            "bio_reuse": 0.2, "image_reuse": 0.2, "schedule_fit": 0.5}
SIGNAL_BOOST = 0.25  # a group's score grows by this share for each signal that shows
MIN_SIGNALS_FOR_INDEPENDENCE = 2  # computable signals needed to call members independent
SIGNALS = ("creation_burst", "handle_template", "client_share", "bio_reuse", "image_reuse",
           "schedule_fit")


@dataclass(frozen=True)
class GroupSignal:
    name: str
    statistic: float
    p_value: float
    detail: str  # plain words for the strongest signals

    def entry(self) -> str:
        return f"{self.name}={self.statistic:.3f}(p={self.p_value:.3g})"

    @property
    def shows(self) -> bool:
        """Significant and material (see ``MATERIAL``)."""
        return self.p_value < SIGNIFICANT and self.statistic >= MATERIAL[self.name]


def group_signals(persona: Persona, members: list[str], seed: int) -> list[GroupSignal]:
    """The signals the data supports for one group, in ``SIGNALS`` order."""
    rows = np.array([persona.index[m] for m in members if m in persona.index], dtype=np.int64)
    if len(rows) < MIN_KNOWN:
        return []
    random_rows = _matched_random_groups(persona, rows, seed)
    found = []
    for name in SIGNALS:
        if not persona.available.get(name):
            continue
        statistic = _STATISTICS[name](persona)
        observed = statistic(rows[None, :])[0]
        if np.isnan(observed):
            continue
        null = statistic(random_rows)
        null = null[~np.isnan(null)]
        p_value = (1 + np.count_nonzero(null >= observed - 1e-12)) / (1 + len(null))
        found.append(GroupSignal(name, round(float(observed), 4), float(p_value),
                                 _detail(name, persona, rows, float(observed))))
    return found


def _matched_random_groups(persona: Persona, rows: np.ndarray, seed: int) -> np.ndarray:
    """RANDOM_GROUPS x m account rows, each member replaced by a random account from its
    activity decile."""
    activity = np.log1p(persona.posts.astype(np.float64))
    edges = np.unique(np.quantile(activity, np.linspace(0, 1, ACTIVITY_STRATA + 1)[1:-1]))
    strata = np.searchsorted(edges, activity, side="right")
    rng = np.random.default_rng(seed)
    out = np.empty((RANDOM_GROUPS, len(rows)), dtype=np.int64)
    for column, member in enumerate(rows):
        pool = np.flatnonzero(strata == strata[member])
        out[:, column] = pool[rng.integers(0, len(pool), size=RANDOM_GROUPS)]
    return out


def _densest_window(days: np.ndarray) -> tuple[np.ndarray, int, int]:
    """The known creation days sorted, and the densest BURST_DAYS window: its first
    day's index and how many accounts it holds."""
    known = np.sort(days[np.isfinite(days)])
    if len(known) == 0:
        return known, 0, 0
    inside = np.searchsorted(known, known + BURST_DAYS, side="right") - np.arange(len(known))
    start = int(np.argmax(inside))
    return known, start, int(inside[start])


def _burst(persona: Persona) -> Callable[[np.ndarray], np.ndarray]:
    def statistic(groups: np.ndarray) -> np.ndarray:
        out = np.full(len(groups), np.nan)
        for i, row in enumerate(persona.created_day[groups]):
            known, _, count = _densest_window(row)
            if len(known) >= MIN_KNOWN:
                out[i] = count / len(known)
        return out
    return statistic


def _modal_share(values: np.ndarray, groups: np.ndarray, *, shared_only: bool = False
                 ) -> np.ndarray:
    """Per group: the share of members with the most common value (values < 0 count as
    members without one); with ``shared_only`` the share whose value another member has."""
    labels = values[groups]
    out = np.full(len(groups), np.nan)
    members = groups.shape[1]
    for i, row in enumerate(labels):
        known = row[row >= 0]
        if len(known) == 0:
            out[i] = 0.0
            continue
        _, counts = np.unique(known, return_counts=True)
        out[i] = (counts[counts > 1].sum() if shared_only else counts.max()) / members
    return out


def _template(persona: Persona):
    return lambda groups: _modal_share(persona.template, groups)


def _client(persona: Persona):
    def statistic(groups: np.ndarray) -> np.ndarray:
        if (persona.client[groups] < 0).all():
            return np.full(len(groups), np.nan)
        return _modal_share(persona.client, groups)
    return statistic


def _bio(persona: Persona):
    return lambda groups: _modal_share(persona.bio, groups, shared_only=True)


def _image(persona: Persona):
    return lambda groups: _modal_share(persona.image, groups, shared_only=True)


def _schedule(persona: Persona):
    def statistic(groups: np.ndarray) -> np.ndarray:
        out = np.empty(len(groups))
        for begin in range(0, len(groups), 100):  # bounded memory for big groups
            block = groups[begin:begin + 100]
            out[begin:begin + len(block)] = office_fit(
                persona.hours[block].sum(axis=1, dtype=np.float64), persona.seen)
        return out
    return statistic


_STATISTICS = {"creation_burst": _burst, "handle_template": _template,
               "client_share": _client, "bio_reuse": _bio, "image_reuse": _image,
               "schedule_fit": _schedule}


def _detail(name: str, persona: Persona, rows: np.ndarray, observed: float) -> str:
    share = f"{observed:.0%} of the accounts"
    table = persona.table
    if name == "creation_burst":
        days, start, _ = _densest_window(persona.created_day[rows])
        first = np.datetime64(int(days[start]), "D")
        return f"{share} were created within {BURST_DAYS} days from {first}"
    if name == "handle_template":
        templates = [table["handle_template"][int(r)].as_py() for r in rows]
        common = max({t for t in templates if t}, key=templates.count, default="")
        return f"{share} have handles of one template ({common}: name + digits)"
    if name == "client_share":
        clients = [table["top_client"][int(r)].as_py() for r in rows]
        common = max({c for c in clients if c}, key=clients.count, default="")
        return f"{share} post mainly from one app ({common})"
    if name == "bio_reuse":
        return f"{share} share their bio with another member"
    if name == "image_reuse":
        return f"{share} share their profile image with another member"
    schedule = infer_schedule(persona.hours[rows].sum(axis=0))
    return (f"{SCHEDULE_DETAIL} {schedule.describe()}" if schedule
            else f"{share} of activity falls in office hours")


SCHEDULE_DETAIL = "their activity fits"  # how a group's schedule line begins


def add_persona_evidence(group: Group, signals: list[GroupSignal]) -> None:
    """Record a group's persona signals, raise its score for each that shows, and keep
    the plain-language lines of the strongest for its summary."""
    group.signals = [signal.entry() for signal in signals]
    shown = sorted((s for s in signals if s.shows),
                   key=lambda s: (s.p_value, -s.statistic, s.name))
    group.score = round(group.score * (1 + SIGNAL_BOOST * len(shown)), 4)
    group.persona = [s.detail for s in shown]


def looks_independent(signals: list[GroupSignal]) -> bool:
    """Members look like independent people: enough signals could be computed and none
    shows (persona signals never flag by themselves; their absence can clear a group)."""
    return (len(signals) >= MIN_SIGNALS_FOR_INDEPENDENCE
            and not any(s.shows for s in signals))
