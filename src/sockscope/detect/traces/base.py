"""What a trace is: a named behaviour that turns posts into actions.

An action is ``(account_id, t, key, post_id)``: the account did something with
``key`` at ``t`` (epoch seconds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

ActionsSql = Callable[[duckdb.DuckDBPyConnection], str]


@dataclass(frozen=True)
class Trace:
    name: str
    window_s: int  # default co-action window
    description: str  # plain words, for summaries: "reposted the same posts"
    actions: ActionsSql  # returns a SELECT yielding the action columns
    unit: str = "items"  # what the keys are, for summaries ("posts", "links")
