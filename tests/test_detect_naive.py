"""The naive baseline end to end through the CLI on a small simulated world."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from sockscope.cli import app

from .conftest import FIXTURES

runner = CliRunner()


def test_simulate_detect_evaluate(tmp_path):
    world, result = tmp_path / "w", tmp_path / "r"
    assert runner.invoke(app, ["simulate", "--accounts", "2000", "--days", "3", "--seed", "3",
                               "--out", str(world)]).exit_code == 0
    run = runner.invoke(app, ["detect", str(world / "tweets.csv"), "--method", "naive",
                              "--out", str(result)])
    assert run.exit_code == 0, run.output
    with open(result / "accounts.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["account_id", "handle", "flagged", "group_id", "operator_group",
                             "score", "behaviours", "signals", "operation_id"]
    assert {r["flagged"] for r in rows} <= {"true", "false"}
    assert all((r["flagged"] == "true") == bool(r["group_id"]) for r in rows)
    manifest = json.loads((result / "manifest.json").read_text())
    assert manifest["method"] == "naive"
    with open(result / "edges.csv", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert len(edges) == manifest["edges"] > 0
    # the contract's columns, each in its place (no p- or q-values without a null model)
    assert all(None not in e and e["p_value"] == e["q_value"] == "" for e in edges)
    assert all(float(e["median_dt_s"]) <= 60 and int(e["shared_keys"]) >= 3 for e in edges)
    scored = runner.invoke(app, ["evaluate", "--truth", str(world / "truth.csv"), "--result",
                                 str(result), "--json"])
    metrics = json.loads(scored.output)
    # the naive detector is fooled by fans: it is a floor, not a goal
    assert metrics["fpr_fans"] > 0.5


def test_unknown_method(tmp_path):
    # a readable input, so the only thing wrong is the method
    run = runner.invoke(app, ["detect", str(FIXTURES / "v1.jsonl"), "--method", "magic",
                              "--out", str(tmp_path)])
    assert run.exit_code == 2
    assert "unknown method 'magic'; choose coordination or naive" in " ".join(run.output.split())
    assert not any(tmp_path.iterdir())
