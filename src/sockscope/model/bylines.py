"""The result of a byline analysis (``sockscope.authorship.bylines``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class BylineResult:
    bylines: pa.Table
    pairs: pa.Table
    articles: pa.Table
    passages: pa.Table
    notes: list[str]
    # per judged pair (a, b): the words pulling the two styles together and apart
    explanations: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    # which pairs calibrated the verifiers: self, self + background: DIR, background: DIR
    calibration: str = "self"
