"""The result of a detection run: one ``Detection`` that every writer reads.

The pipeline builds it; the output files, the networks, the ``result_*`` tables of the
run database and the report are all written from it (and ``sockscope report --db``
loads it back from those tables), so they cannot disagree about which edges, groups or
accounts there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from sockscope.model.bylines import BylineResult
from sockscope.model.operations import OperationResult
from sockscope.model.operators import OperatorResult
from sockscope.model.params import DetectParams

AMPLIFICATION = "amplification"  # the behaviour name of account -> author ties
SCHEDULE = "co-schedule"  # the behaviour name of a feed desk's ties (detect.feeds)


@dataclass
class Edge:
    """A significant tie between two accounts (``account_a < account_b``) in one behaviour."""

    account_a: str
    account_b: str
    behaviour: str
    shared_keys: int
    weight: float
    p_value: float
    q_value: float
    min_dt_s: float
    median_dt_s: float
    first_t: float
    last_t: float
    example_keys: tuple[str, ...] = ()
    # the time scale the tie was found at: pairs within this many seconds (None: at any
    # time in the data, as for window-free co-actions and amplification)
    window_s: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.account_a, self.account_b, self.behaviour)


@dataclass(frozen=True)
class TieTests:
    """Tests over pairs drawn from ``accounts`` accounts: one trace's pair tests, or the
    amplification tests between reposters and authors (``accounts``: both counted)."""

    tests: int
    accounts: int


@dataclass
class Group:
    group_id: str
    members: list[str]
    # the weight of the ties inside the group per member (see docs/output.md)
    score: float
    # the largest q-value on a minimum spanning tree of the group's edges: the weakest
    # of the links that hold it together
    q_value: float
    behaviours: list[tuple[str, int, float]]  # (behaviour, shared keys, median dt)
    first_seen: datetime
    last_seen: datetime
    signals: list[str] = field(default_factory=list)  # persona signals: name=stat(p=...)
    summary: str = ""
    persona: list[str] = field(default_factory=list)  # plain words for the signals shown
    quiet_members: int = 0  # members with fewer than QUIET_POSTS posts (see pipeline)


@dataclass
class Audience:
    """A group that only amplifies one popular author it is a small part of."""

    group: Group
    author: str
    focus: float  # share of the group's targeted co-actions on this author
    amplifiers: int  # distinct accounts that amplified the author
    members_among_them: int
    # members' share of the amplifiers of the co-acted posts (other teams' with them)
    post_share: float
    # why it is an audience: "exclusivity" (a small part of the author's amplifiers) or
    # "independent personas" (the author's only amplifiers here, but no persona marks)
    reason: str = "exclusivity"
    # amplifiers in other groups, or that the attachment tests would add to a group: a
    # team's, counted with the group rather than with the public
    others_among_them: int = 0

    @property
    def share(self) -> float:
        if not self.amplifiers:
            return 1.0
        return (self.members_among_them + self.others_among_them) / self.amplifiers


@dataclass
class Detection:
    """Everything a run found, and how."""

    params: DetectParams
    edges: list[Edge]  # every significant edge, amplification included, sorted by key
    groups: list[Group]  # ranked; group ids G0001, G0002, ...
    evidence: pa.Table  # the co-actions behind the edges (output.contract.EVIDENCE_SCHEMA)
    accounts: pa.Table  # every account seen (output.contract.ACCOUNT_SCHEMA)
    windows: dict[str, int]  # the window each trace ran with, after widening or estimation
    tests: int  # hypotheses: pairs of active accounts per trace, plus amplification tests
    notes: list[str] = field(default_factory=list)
    audiences: list[Audience] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)  # the run database's ingest log
    persona: pa.Table | None = None  # one row per account (persona.parquet), when computed
    persona_signals: list[str] = field(default_factory=list)  # group signals computable here
    stored_audiences: list[dict[str, Any]] = field(default_factory=list)  # when loaded back
    # with articles among the inputs: the byline analysis (None when it could not run)
    # and the operations stage's result
    bylines: BylineResult | None = None
    operations: OperationResult | None = None
    # the same-operator analysis (None when switched off)
    operators: OperatorResult | None = None

    def audience_rows(self) -> list[dict[str, Any]]:
        """The audiences set apart, as plain rows (author, accounts, reason)."""
        if not self.audiences:
            return self.stored_audiences
        return [{"author": a.author, "accounts": len(a.group.members), "reason": a.reason}
                for a in self.audiences]

    @property
    def membership(self) -> dict[str, str]:
        """account id -> group id, for accounts in coordinated groups."""
        return {m: g.group_id for g in self.groups for m in g.members}

    def counts(self) -> dict[str, int]:
        flagged = self.accounts["flagged"].to_pylist() if self.accounts.num_rows else []
        return {"accounts": self.accounts.num_rows, "tests": self.tests,
                "edges": len(self.edges), "groups": len(self.groups),
                "flagged": sum(bool(f) for f in flagged),
                "evidence": self.evidence.num_rows,
                **(self.operators.counts() if self.operators else {})}

    def manifest(self, version: str) -> dict[str, Any]:
        """The run's manifest: enough to repeat it (inputs and parameters) and to read it."""
        return {
            "version": version, "method": "coordination", "inputs": self.inputs,
            "parameters": self.params.to_dict(), "windows_s": dict(sorted(self.windows.items())),
            "notes": self.notes, "counts": self.counts(),
            "persona_signals": self.persona_signals,
            "audiences": self.audience_rows(),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            **({"operations": self.operations.counts()} if self.operations else {}),
        }
