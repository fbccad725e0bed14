"""Write the same-operator analysis beside the coordination result: operator_pairs.csv,
one row per pair of accounts probably run by one person, with the fused p and q, one
p-value column per kind of evidence and that evidence in plain figures and words."""

from __future__ import annotations

from pathlib import Path

from sockscope.model.detection import Detection
from sockscope.output.safe_csv import write_table_csv


def write_operator_tables(detection: Detection, out: Path, context: object) -> None:
    """A registered writer (sockscope.plugins.WRITERS); nothing when the analysis was
    switched off."""
    if detection.operators is not None:
        write_table_csv(detection.operators.pairs, out / "operator_pairs.csv")
