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
