"""The result of the operations stage (``sockscope.operations``): articles matched to
the posts that shared them, byline <-> group links, persona accounts and the operations
they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class OperationResult:
    shares: pa.Table  # one row per (article, post): operations.shares.SHARE_SCHEMA
    links: pa.Table  # byline <-> group tests, significant ones: byline_links.csv
    personas: pa.Table  # accounts presenting as a byline: persona_accounts.csv
    operations: pa.Table  # ranked operations: operations.csv
    bylines: pa.Table  # network signals per byline: pushed_by, persona_accounts, ...
    notes: list[str] = field(default_factory=list)
    tests: int = 0  # (byline, group) pairs tested

    def counts(self) -> dict[str, int]:
        return {"article_shares": self.shares.num_rows, "byline_links": self.links.num_rows,
                "byline_group_tests": self.tests, "persona_accounts": self.personas.num_rows,
                "operations": self.operations.num_rows}
