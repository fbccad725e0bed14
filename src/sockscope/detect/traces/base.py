"""What a trace is: a named behaviour that turns posts into actions.

An action is ``(account_id, t, key, post_id)``: the account did something with
``key`` at ``t`` (epoch seconds). ``actions(scratch)`` returns a SELECT over the
canonical tables yielding those columns; it may first build shared key tables through
``scratch.once`` (see ``sockscope.detect.scratch``). A package adds a trace by
registering a ``Trace`` under the entry-point group ``sockscope.traces``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sockscope.detect.scratch import Scratch

ActionsSql = Callable[["Scratch"], str]


@dataclass(frozen=True)
class Trace:
    name: str
    window_s: int  # default co-action window
    description: str  # plain words, for summaries: "reposted the same posts"
    actions: ActionsSql  # returns a SELECT yielding the action columns
    unit: str = "items"  # what the keys are, for summaries ("posts", "links")
    scales: tuple[int, ...] = ()  # wider windows (seconds) also tested, on every key
    # also tested without a window, on rare keys (coaction.py): for reposts and copied
    # texts, not for what a community shares over weeks anyway (hashtags, websites,
    # accounts mentioned, an outlet's articles, the conversations acquaintances join)
    window_free: bool = True
    # For keys that name a clock bin ("2024-03-04 10:00 # w U"): the bin width in
    # seconds and a SQL expression over ``key`` naming what the key is a bin *of*. The
    # null model then expects each bin of a family to be as popular as the family's
    # average bin, not as popular as it was: a minute only one team made busy is not
    # "popular", it is the anomaly (coaction.py).
    bin_s: int = 0
    key_family: str = "''"
