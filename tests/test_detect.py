"""The detection pipeline end to end: null worlds, output contract, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET

import igraph as ig
import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.detect.significance import benjamini_hochberg
from sockscope.lab.evaluate import evaluate
from sockscope.lab.simulate import World, simulate

from .posts_factory import insert, post

CONTRACT = ["accounts.csv", "groups.csv", "edges.parquet", "edges.csv", "evidence.parquet",
            "network.gexf", "network.graphml", "manifest.json"]


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    simulate(folder, accounts=3_000, days=4, seed=11)
    return folder


@pytest.fixture(scope="module")
def small_result(small_world, tmp_path_factory):
    out = tmp_path_factory.mktemp("result")
    api.detect([small_world / "tweets.csv", small_world / "users.csv"], out)
    return out


def test_world_without_coordination_flags_nobody(tmp_path):
    # organic background only: viral cascades, breaking news with URL variants,
    # trending hashtags, stock phrases, replies to popular posts
    world = World(accounts=3_000, days=4, seed=5)
    world.organic_ids = np.arange(world.n)
    world.organic()
    world.write(tmp_path / "w")
    detection = api.detect([tmp_path / "w" / "tweets.csv"], tmp_path / "r")
    assert detection.membership == {}
    assert detection.groups == []


def test_output_contract_columns_and_types(small_result):
    for name in CONTRACT:
        assert (small_result / name).exists(), name
    with open(small_result / "accounts.csv", newline="") as handle:
        accounts = list(csv.DictReader(handle))
    assert list(accounts[0]) == ["account_id", "handle", "flagged", "group_id", "score",
                                 "behaviours", "signals"]
    assert {a["flagged"] for a in accounts} == {"true", "false"}
    assert all((a["flagged"] == "true") == bool(a["group_id"]) for a in accounts)
    with open(small_result / "groups.csv", newline="") as handle:
        groups = list(csv.DictReader(handle))
    assert list(groups[0]) == ["group_id", "size", "score", "p_value", "behaviours",
                               "first_seen", "last_seen", "signals", "summary"]
    flagged = [a for a in accounts if a["flagged"] == "true"]
    assert sum(int(g["size"]) for g in groups) == len(flagged)
    assert all(float(g["p_value"]) <= 0.01 for g in groups)
    assert all(g["summary"].startswith(f"{int(g['size']):,} accounts ") for g in groups)
    edges = pq.read_table(small_result / "edges.parquet")
    assert edges.column_names[:9] == ["account_a", "account_b", "behaviour", "shared_keys",
                                      "weight", "p_value", "q_value", "min_dt_s",
                                      "median_dt_s"]
    assert str(edges.schema.field("shared_keys").type) == "int64"
    assert str(edges.schema.field("p_value").type) == "double"
    assert str(edges.schema.field("example_keys").type) == "list<element: string>"
    assert all(a < b for a, b in zip(edges.column("account_a").to_pylist(),
                                      edges.column("account_b").to_pylist(), strict=True))
    assert max(edges.column("q_value").to_pylist()) <= 0.01
    evidence = pq.read_table(small_result / "evidence.parquet")
    assert {"behaviour", "account_a", "account_b", "key", "post_a", "post_b", "time_a",
            "time_b", "dt_s", "text_a", "text_b"} <= set(evidence.column_names)
    root = ET.parse(small_result / "network.gexf").getroot()
    nodes = root.findall(".//{http://gexf.net/1.3}node")
    assert len(nodes) == len(flagged)
    graph = ig.Graph.Read_GraphML(str(small_result / "network.graphml"))
    assert graph.vcount() == len(flagged)
    manifest = json.loads((small_result / "manifest.json").read_text())
    assert manifest["counts"]["flagged"] == len(flagged)
    assert manifest["inputs"][0]["sha256"]
    assert "co-repost: co-actions" in manifest["timings_s"]


def test_small_world_quality(small_world, small_result):
    # at FDR 0.01 about 1% of the ~600 discoveries may be false: a handful of accounts
    metrics = evaluate(small_world / "truth.csv", small_result)
    assert metrics["f1"] >= 0.85
    assert metrics["precision"] >= 0.97
    assert metrics["fpr_organic"] <= 0.005
    assert metrics["fpr_fans"] <= 0.05


def test_same_input_same_bytes(small_world, small_result, tmp_path):
    api.detect([small_world / "tweets.csv", small_world / "users.csv"], tmp_path)
    names = sorted(p.name for p in small_result.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert "report.html" in names
    for name in names:
        if name == "manifest.json":  # stage timings differ; everything else must not
            first, second = (json.loads((folder / name).read_text())
                             for folder in (small_result, tmp_path))
            assert first.pop("timings_s") and second.pop("timings_s")
            assert first == second
            continue
        first = hashlib.sha256((small_result / name).read_bytes()).hexdigest()
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == first, name


def test_spreadsheet_formulas_in_data_are_neutralised(small_world, tmp_path):
    users = (small_world / "users.csv").read_text().splitlines()
    header, first = users[0], users[1].split(",")
    first[2] = '"=HYPERLINK(""http://evil.example"")"'
    (tmp_path / "users.csv").write_text("\n".join([header, ",".join(first), *users[2:]]) + "\n")
    api.detect([small_world / "tweets.csv", tmp_path / "users.csv"], tmp_path / "r")
    with open(tmp_path / "r" / "accounts.csv", newline="") as handle:
        handles = {row["handle"] for row in csv.DictReader(handle)}
    assert "'=HYPERLINK(\"http://evil.example\")" in handles
    assert not any(h.startswith("=") for h in handles)


def test_minute_resolution_widens_short_windows(con, tmp_path):
    insert(con, [post(str(i), f"u{i % 7}", i * 60, kind="repost", repost_of_post=f"P{i // 7}",
                      time_precision_s=60) for i in range(70)])
    detection = api.detect(connection=con, traces=["co-repost"])
    assert detection.windows["co-repost"] == 60
    assert any("finer than the data's 60 s" in note for note in detection.notes)


def test_benjamini_hochberg_counts_unlisted_hypotheses():
    p = np.array([0.001, 0.02, 0.04])
    assert np.allclose(benjamini_hochberg(p), [0.003, 0.03, 0.04])
    assert np.allclose(benjamini_hochberg(p, hypotheses=100), [0.1, 1.0, 1.0])


def test_cli_detect_prints_groups(small_world, tmp_path):
    result = CliRunner().invoke(app, ["detect", str(small_world / "tweets.csv"), "--out",
                                      str(tmp_path), "--traces", "co-repost,co-url"])
    assert result.exit_code == 0, result.output
    assert "groups" in result.output and "G0001" in result.output
    assert json.loads((tmp_path / "manifest.json").read_text())["parameters"]["traces"] == [
        "co-repost", "co-url"]


def test_cli_rejects_unknown_trace(small_world, tmp_path):
    result = CliRunner().invoke(app, ["detect", str(small_world / "tweets.csv"), "--out",
                                      str(tmp_path), "--traces", "co-vibes"])
    assert result.exit_code == 2
    assert "unknown trace" in result.output


def test_report_is_rebuilt_from_the_run_database(small_world, tmp_path):
    db = tmp_path / "run.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["detect", str(small_world / "tweets.csv"), "--out",
                                 str(tmp_path / "r"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    rebuilt = tmp_path / "again.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(rebuilt)])
    assert result.exit_code == 0, result.output
    assert rebuilt.read_bytes() == (tmp_path / "r" / "report.html").read_bytes()
    html = rebuilt.read_text()
    assert "<script src=" not in html and "https://" not in html.split("sockscope-data")[0]


def test_report_needs_detection_results(tmp_path):
    db = tmp_path / "empty.duckdb"
    api.ingest([], db)
    result = CliRunner().invoke(app, ["report", "--db", str(db)])
    assert result.exit_code == 2
    assert "no detection results" in " ".join(result.output.split())


def test_detect_with_a_column_mapping_and_on_an_existing_database(tmp_path):
    rows = ["share,who,what,when"]
    for k in range(12):  # four accounts share twelve posts within seconds, apart from others
        for i in range(4):
            rows.append(f"s{k}-{i},team{i},P{k},{1_700_000_000 + k * 3_600 + i * 2}")
    for j in range(400):
        rows.append(f"b{j},bg{j % 80},B{j % 50},{1_700_000_000 + j * 131}")
    (tmp_path / "shares.csv").write_text("\n".join(rows) + "\n")
    runner = CliRunner()
    db = tmp_path / "run.duckdb"
    result = runner.invoke(app, ["ingest", str(tmp_path / "shares.csv"), "--db", str(db),
                                 "--map", "post_id=share", "--map", "account_id=who",
                                 "--map", "repost_of_post=what", "--map", "created_at=when"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["detect", "--db", str(db), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "r" / "accounts.csv", newline="") as handle:
        flagged = {r["account_id"] for r in csv.DictReader(handle) if r["flagged"] == "true"}
    assert flagged == {"team0", "team1", "team2", "team3"}
    result = runner.invoke(app, ["detect", str(tmp_path / "shares.csv"), "--out",
                                 str(tmp_path / "r2"), "--map", "post_id=share",
                                 "--map", "account_id=who", "--map", "repost_of_post=what",
                                 "--map", "created_at=when"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r2" / "accounts.csv").read_bytes() == \
        (tmp_path / "r" / "accounts.csv").read_bytes()


def test_detect_needs_inputs_or_a_database(tmp_path):
    result = CliRunner().invoke(app, ["detect", "--out", str(tmp_path)])
    assert result.exit_code == 2
