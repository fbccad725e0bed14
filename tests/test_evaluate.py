"""evaluate's metrics on hand-made result files with known answers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sockscope.cli import app
from sockscope.errors import SockscopeError
from sockscope.lab.evaluate import evaluate
from sockscope.output.safe_csv import safe_cell, write_csv


@pytest.fixture
def case(tmp_path):
    truth = [("a1", "campaign", "C1", "repost_ring"), ("a2", "campaign", "C1", "repost_ring"),
             ("a3", "campaign", "C1", "repost_ring"), ("a4", "campaign", "C1", "repost_ring"),
             ("b1", "campaign", "C2", "slow_drip+camouflage"),
             ("b2", "campaign", "C2", "slow_drip+camouflage"),
             ("f1", "fan", "", ""), ("f2", "fan", "", ""),
             *[(f"o{i}", "organic", "", "") for i in range(10)]]
    write_csv(tmp_path / "truth.csv", ["account_id", "label", "campaign", "strategy"], truth)
    result = tmp_path / "result"
    result.mkdir()
    flagged = {"a1": "G1", "a2": "G1", "a3": "G1", "b1": "G2", "o1": "G2", "f1": "G3",
               "f2": "G3"}
    rows = [(acc, acc, acc in flagged, flagged.get(acc, ""), 1.0, "", "")
            for acc, *_ in truth]
    write_csv(result / "accounts.csv", ["account_id", "handle", "flagged", "group_id", "score",
                                        "behaviours", "signals"], rows)
    return tmp_path / "truth.csv", result


def test_metrics_on_known_answer(case):
    metrics = evaluate(*case)
    # flagged: a1 a2 a3 b1 (true) + o1 f1 f2 (false) -> precision 4/7, recall 4/6
    assert metrics["precision"] == round(4 / 7, 4)
    assert metrics["recall"] == round(4 / 6, 4)
    assert metrics["f1"] == round(2 * (4 / 7) * (4 / 6) / (4 / 7 + 4 / 6), 4)
    assert metrics["fpr_organic"] == round(1 / 10, 6)
    assert metrics["fpr_fans"] == 1.0
    # C1 vs G1: 3/4 -> recovered; C2 vs G2: {b1}/{b1,b2,o1} = 1/3 -> not
    assert metrics["campaigns_recovered"] == 1
    assert metrics["per_campaign"]["C1"]["best_jaccard"] == 0.75
    assert metrics["per_campaign"]["C2"]["best_jaccard"] == round(1 / 3, 4)
    assert metrics["recall_per_strategy"] == {"camouflage": 0.5, "repost_ring": 0.75,
                                              "slow_drip": 0.5}
    # ARI over the 9 accounts in a campaign or a group (a1-a4, b1, b2, o1, f1, f2), the
    # rest singletons: 36 pairs, 7 together in truth, 5 together in the result, 3 in both:
    # (3 - 7 * 5 / 36) / ((7 + 5) / 2 - 7 * 5 / 36) = 0.4033
    assert metrics["ari"] == 0.4033


def test_perfect_result_scores_one(case, tmp_path):
    truth, _ = case
    perfect = tmp_path / "perfect"
    perfect.mkdir()
    rows = [("a1", "C1"), ("a2", "C1"), ("a3", "C1"), ("a4", "C1"), ("b1", "C2"), ("b2", "C2")]
    write_csv(perfect / "accounts.csv", ["account_id", "flagged", "group_id"],
              [(a, True, g) for a, g in rows] + [(f"o{i}", False, "") for i in range(10)])
    metrics = evaluate(truth, perfect)
    assert (metrics["precision"], metrics["recall"], metrics["f1"], metrics["ari"]) == (
        1.0, 1.0, 1.0, 1.0)
    assert metrics["campaigns_recovered"] == 2 and metrics["fpr_organic"] == 0.0


def test_missing_columns_are_named(case, tmp_path):
    truth, _ = case
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "accounts.csv").write_text("account_id\nx\n")
    with pytest.raises(SockscopeError, match="missing columns flagged, group_id"):
        evaluate(truth, bad)


def test_cli_json(case):
    truth, result = case
    output = CliRunner().invoke(app, ["evaluate", "--truth", str(truth), "--result",
                                      str(result), "--json"])
    assert output.exit_code == 0, output.output
    assert json.loads(output.output)["campaigns_recovered"] == 1


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("plain", "plain"), (True, "true"), (None, ""),
    (3, "3")])
def test_spreadsheet_formulas_are_neutralised(value, expected):
    assert safe_cell(value) == expected
