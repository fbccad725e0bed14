"""The result of the same-operator analysis (``sockscope.operators``): pairs of accounts
that one person probably runs, with the evidence of each kind, and the groups they
form."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# the kinds of evidence, in the order of operator_pairs.csv's p-value columns
KINDS = ("targets", "turns", "names", "writing", "traces", "rhythm")

PAIR_SCHEMA = pa.schema([
    ("account_a", pa.string()), ("account_b", pa.string()),
    ("operator_group", pa.string()),
    ("score", pa.float64()), ("p_value", pa.float64()), ("q_value", pa.float64()),
    *((f"{kind}_p", pa.float64()) for kind in KINDS),
    ("shared_targets", pa.int64()), ("reactive_targets", pa.int64()),
    ("expected_shared", pa.float64()), ("example_targets", pa.string()),
    ("first_a", pa.timestamp("us")), ("last_a", pa.timestamp("us")),
    ("first_b", pa.timestamp("us")), ("last_b", pa.timestamp("us")),
    ("handover_s", pa.float64()), ("sessions_together", pa.int64()),
    ("references", pa.int64()),
    ("handle_a", pa.string()), ("handle_b", pa.string()),
    ("name_similarity", pa.float64()), ("writing_similarity", pa.float64()),
    ("same_marks", pa.string()), ("evidence", pa.string())])


@dataclass
class OperatorResult:
    pairs: pa.Table  # the pairs significant at the run's FDR (PAIR_SCHEMA), strongest first
    groups: dict[str, str]  # account id -> operator group id (O0001, ...)
    tests: int = 0  # the pairs of accounts the FDR is controlled over
    candidates: int = 0  # the pairs whose evidence was computed
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"operator_pairs": self.pairs.num_rows, "operator_pair_tests": self.tests,
                "operator_candidates": self.candidates,
                "operator_groups": len(set(self.groups.values())),
                "operator_accounts": len(self.groups)}

    def members(self) -> dict[str, list[str]]:
        """operator group id -> its accounts, sorted."""
        found: dict[str, list[str]] = {}
        for account, group in sorted(self.groups.items()):
            found.setdefault(group, []).append(account)
        return found
