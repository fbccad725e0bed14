"""The detection pipeline end to end: null worlds, output contract, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import xml.etree.ElementTree as ET

import igraph as ig
import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sockscope import api
from sockscope.cli import app
from sockscope.errors import SockscopeError
from sockscope.fdr import benjamini_hochberg
from sockscope.lab.evaluate import evaluate
from sockscope.lab.simulate import World
from sockscope.store.database import connect

from .posts_factory import insert, post

CONTRACT = ["accounts.csv", "groups.csv", "edges.parquet", "edges.csv", "evidence.parquet",
            "network.gexf", "network.graphml", "persona.parquet", "manifest.json", "members.csv",
            "group_content.csv", "evidence_by_key.csv", "evidence.csv", "operator_pairs.csv"]


@pytest.fixture(scope="module")
def small_world(small_simulated_run):
    return small_simulated_run[0]


@pytest.fixture(scope="module")
def small_run(small_simulated_run):
    """One detection of the small world, kept in a run database: (result folder, db)."""
    return small_simulated_run[1], small_simulated_run[2]


@pytest.fixture(scope="module")
def small_result(small_run):
    return small_run[0]


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
    assert list(accounts[0]) == ["account_id", "handle", "flagged", "group_id",
                                 "operator_group", "score", "behaviours", "signals",
                                 "operation_id"]
    assert {a["flagged"] for a in accounts} == {"true", "false"}
    assert all((a["flagged"] == "true") == bool(a["group_id"] or a["operator_group"])
               for a in accounts)
    with open(small_result / "groups.csv", newline="") as handle:
        groups = list(csv.DictReader(handle))
    assert list(groups[0]) == ["group_id", "size", "score", "q_value", "behaviours",
                               "first_seen", "last_seen", "signals", "summary"]
    flagged = [a for a in accounts if a["flagged"] == "true"]
    by_id = {a["account_id"]: a for a in accounts}
    assert sum(int(g["size"]) for g in groups) == len(flagged)
    assert all(float(g["q_value"]) <= 0.01 for g in groups)
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
    with open(small_result / "edges.csv", newline="") as handle:
        assert next(csv.reader(handle)) == edges.column_names  # one column order everywhere
    # the networks hold every account with a significant edge; flagged ones are marked
    tied = set(edges.column("account_a").to_pylist()) | set(edges.column("account_b").to_pylist())
    graph = ig.Graph.Read_GraphML(str(small_result / "network.graphml"))
    assert set(graph.vs["name"]) == tied
    assert {v["name"] for v in graph.vs if v["flagged"]} == {a["account_id"] for a in flagged}
    assert all(v["group"] == by_id[v["name"]]["group_id"] for v in graph.vs)
    root = ET.parse(small_result / "network.gexf").getroot()
    assert {n.get("id") for n in root.iter("{http://gexf.net/1.3}node")} == tied
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
    # accounts.csv lists every account whatever the traces: one trace is enough here
    api.detect([small_world / "tweets.csv", tmp_path / "users.csv"], tmp_path / "r",
               traces=["co-repost"], operators=False)
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
    # (the same-operator analysis is other tests'; here it took 40 % of the stages' time)
    result = CliRunner().invoke(app, ["detect", str(small_world / "tweets.csv"), "--out",
                                      str(tmp_path), "--traces", "co-repost,co-url",
                                      "--no-operators"])
    assert result.exit_code == 0, result.output
    assert "groups" in result.output and "G0001" in result.output
    assert json.loads((tmp_path / "manifest.json").read_text())["parameters"]["traces"] == [
        "co-repost", "co-url"]


def test_cli_rejects_unknown_trace(small_world, tmp_path):
    result = CliRunner().invoke(app, ["detect", str(small_world / "tweets.csv"), "--out",
                                      str(tmp_path), "--traces", "co-vibes"])
    assert result.exit_code == 2
    assert "unknown trace" in result.output


def test_report_is_rebuilt_from_the_run_database(small_run, tmp_path):
    out, db = small_run
    rebuilt = tmp_path / "again.html"
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--out", str(rebuilt)])
    assert result.exit_code == 0, result.output
    assert rebuilt.read_bytes() == (out / "report.html").read_bytes()
    html = rebuilt.read_text()
    assert "<script src=" not in html and "https://" not in html.split("sockscope-data")[0]


def test_report_needs_detection_results(tmp_path):
    db = tmp_path / "empty.duckdb"
    api.ingest([], db)
    result = CliRunner().invoke(app, ["report", "--db", str(db)])
    assert result.exit_code == 2
    assert "no detection results" in " ".join(result.output.split())


def _random_background() -> list[str]:
    """400 reposts of 50 posts by 80 accounts at random (a modular pattern such as
    account j % 80 reposting post j % 50 would tie fixed pairs on every post they share,
    hours apart: a regularity the window-free scale rightly finds)."""
    rng = np.random.default_rng(0)
    return [f"b{j},bg{rng.integers(80)},B{rng.integers(50)},{1_700_000_000 + j * 131}"
            for j in range(400)]


def test_detect_with_a_column_mapping_and_on_an_existing_database(tmp_path):
    rows = ["share,who,what,when"]
    for k in range(12):  # four accounts share twelve posts within seconds, apart from others
        for i in range(4):
            rows.append(f"s{k}-{i},team{i},P{k},{1_700_000_000 + k * 3_600 + i * 2}")
    rows += _random_background()
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


def _edge_keys_of_graph(graph_pairs) -> set[tuple[str, str, str]]:
    return {(min(a, b), max(a, b), behaviour) for a, b, behaviours in graph_pairs
            for behaviour in behaviours.split(";")}


def test_every_output_holds_the_same_edge_set(small_run):
    out, db = small_run
    with open(out / "edges.csv", newline="") as handle:
        from_csv = {(r["account_a"], r["account_b"], r["behaviour"])
                    for r in csv.DictReader(handle)}
    parquet = pq.read_table(out / "edges.parquet")
    from_parquet = set(zip(*(parquet.column(c).to_pylist()
                             for c in ("account_a", "account_b", "behaviour")), strict=True))
    graph = ig.Graph.Read_GraphML(str(out / "network.graphml"))
    from_graphml = _edge_keys_of_graph(
        (graph.vs[e.source]["name"], graph.vs[e.target]["name"], e["behaviours"])
        for e in graph.es)
    ns = "{http://gexf.net/1.3}"
    from_gexf = _edge_keys_of_graph(
        (e.get("source"), e.get("target"), e.find(f"{ns}attvalues/{ns}attvalue").get("value"))
        for e in ET.parse(out / "network.gexf").getroot().iter(f"{ns}edge"))
    con = connect(db, read_only=True)
    from_db = set(con.execute("SELECT account_a, account_b, behaviour FROM result_edges"
                              ).fetchall())
    assert from_csv == from_parquet == from_graphml == from_gexf == from_db
    assert any(behaviour == "amplification" for _, _, behaviour in from_csv)
    manifest = json.loads((out / "manifest.json").read_text())
    evidence = pq.read_table(out / "evidence.parquet")
    with open(out / "groups.csv", newline="") as handle:
        groups = list(csv.DictReader(handle))
    assert manifest["counts"]["edges"] == len(from_csv) == parquet.num_rows
    assert manifest["counts"]["groups"] == len(groups)
    assert manifest["counts"]["evidence"] == evidence.num_rows
    # every edge, amplification included, has its evidence
    evidenced = set(zip(*(evidence.column(c).to_pylist()
                          for c in ("account_a", "account_b", "behaviour")), strict=True))
    assert evidenced == from_csv


def _team_posts(prefix: str, team: list[str], start: float) -> list[dict]:
    """A team posting the same texts within seconds, twelve times, and strangers around."""
    rows = []
    for k in range(12):
        text = f"{prefix} talking point number {k} about the harbour bridge tender today"
        for i, account in enumerate(team):
            rows.append(post(f"{prefix}{k}-{i}", account, start + k * 3_600 + i * 3, text=text))
    for j in range(300):
        rows.append(post(f"{prefix}bg{j}", f"{prefix}bg{j % 60}", start + j * 97,
                         text=f"{prefix} ordinary remark {j} on many different things"))
    return rows


def test_two_detects_on_one_connection_equal_fresh_runs(tmp_path):
    first = _team_posts("a", ["t1", "t2", "t3", "t4"], 0)
    second = _team_posts("b", ["s1", "s2", "s3", "s4"], 50_000)
    shared = connect()
    insert(shared, first)
    before = api.detect(connection=shared, traces=["co-text", "co-text-near"])
    insert(shared, second)  # posts added between the runs get their text keys too
    after = api.detect(connection=shared, traces=["co-text", "co-text-near"])
    for rows, reused in ((first, before), (first + second, after)):
        fresh = connect()
        insert(fresh, rows)
        expected = api.detect(connection=fresh, traces=["co-text", "co-text-near"])
        assert reused.edges == expected.edges
        assert reused.evidence.equals(expected.evidence)
        assert reused.accounts.equals(expected.accounts)
        assert [g.members for g in reused.groups] == [g.members for g in expected.groups]
    assert {"s1", "s2", "s3", "s4", "t1", "t2", "t3", "t4"} <= set(after.membership)
    # nothing of the runs is left behind but the result tables
    temp = shared.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()
    assert temp == (0,)


@pytest.mark.parametrize("name", ["o'brien", 'quote " and space', "résumé 報告",
                                  "x'); DROP TABLE posts; --"])
def test_out_path_with_quotes_spaces_and_non_ascii(tmp_path, name):
    con = connect()
    insert(con, _team_posts("a", ["t1", "t2", "t3"], 0))
    out = tmp_path / name
    api.detect(out=out, connection=con, traces=["co-text"])
    assert sorted(p.name for p in out.iterdir()) == sorted([*CONTRACT, "report.html"])
    assert pq.read_table(out / "edges.parquet").num_rows > 0
    assert con.execute("SELECT count(*) FROM posts").fetchone()[0] > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial folder


@pytest.mark.parametrize("options, message", [
    (["--traces", "co-vibes"], "unknown trace 'co-vibes'; choose from co-repost, co-reply"),
    (["--window", "co-repots=10"], "a window is given for 'co-repots', which is not among the"),
    (["--traces", "co-url", "--window", "co-repost=10"], "a window is given for 'co-repost'"),
    (["--window", "co-url=-5"], "window for 'co-url' must be a whole number of seconds"),
    (["--fdr", "1.5"], "fdr must be between 0 and 1"),
    (["--min-shared", "0"], "min_shared must be a whole number ≥ 1"),
    (["--min-group-size", "1"], "min_group_size must be a whole number ≥ 2"),
])
def test_bad_parameters_fail_before_any_data_is_read(tmp_path, options, message):
    # the input does not exist: the parameters must be refused before it is looked at
    result = CliRunner().invoke(app, ["detect", str(tmp_path / "missing.csv"), "--out",
                                      str(tmp_path / "r"), *options])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert message in output
    assert "missing.csv" not in output
    assert not (tmp_path / "r").exists()


def test_api_checks_parameters_before_reading(tmp_path):
    with pytest.raises(SockscopeError, match="unknown parameter.*window_s"):
        api.detect([tmp_path / "missing.csv"], window_s=10)
    with pytest.raises(SockscopeError, match="fdr must be between 0 and 1"):
        api.detect([tmp_path / "missing.csv"], fdr=0)


def test_a_run_is_repeated_from_its_manifest(tmp_path):
    rows = ["share,who,what,when"]
    for k in range(12):
        for i in range(4):
            rows.append(f"s{k}-{i},team{i},P{k},{1_700_000_000 + k * 3_600 + i * 5}")
    rows += _random_background()
    (tmp_path / "shares.csv").write_text("\n".join(rows) + "\n")
    mapping = ["--map", "post_id=share", "--map", "account_id=who",
               "--map", "repost_of_post=what", "--map", "created_at=when"]
    runner = CliRunner()
    first = runner.invoke(app, ["detect", str(tmp_path / "shares.csv"), *mapping, "--out",
                                str(tmp_path / "a"), "--traces", "co-repost",
                                "--window", "co-repost=30", "--fdr", "0.05", "--seed", "7",
                                "--min-group-size", "4", "--no-amplification"])
    assert first.exit_code == 0, first.output
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["parameters"] == {
        "traces": ["co-repost"], "windows": {"co-repost": 30}, "auto_window": False,
        "fdr": 0.05, "min_shared": 2, "neighbour_cap": 50, "window_free": True, "seed": 7,
        "amplification": False, "attach_rounds": 5, "min_group_size": 4, "persona": True,
        "operators": True}
    again = runner.invoke(app, ["detect", str(tmp_path / "shares.csv"), *mapping, "--out",
                                str(tmp_path / "b"), "--parameters",
                                str(tmp_path / "a" / "manifest.json")])
    assert again.exit_code == 0, again.output
    for name in ("accounts.csv", "groups.csv", "edges.csv", "evidence.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with open(tmp_path / "b" / "accounts.csv", newline="") as handle:
        flagged = {r["account_id"] for r in csv.DictReader(handle) if r["flagged"] == "true"}
    assert flagged == {"team0", "team1", "team2", "team3"}


def test_auto_window_is_recorded_after_estimation(con):
    # a burst mode (a team reposting 2 s apart) and a sparse human mode (minutes apart):
    # the estimated window lies in the valley between them, and is what the run used
    rows = []
    for k in range(60):
        for i in range(8):
            rows.append(post(f"b{k}-{i}", f"team{i}", k * 7_200 + i * 2, kind="repost",
                             repost_of_post=f"K{k}"))
        for i, gap in enumerate((600, 1_500, 2_700)):
            rows.append(post(f"h{k}-{i}", f"user{(k * 3 + i) % 90}", k * 7_200 + gap,
                             kind="repost", repost_of_post=f"K{k}"))
    insert(con, rows)
    detection = api.detect(connection=con, traces=["co-repost"], auto_window=True)
    note = next(n for n in detection.notes if "window estimated" in n)
    estimated = int(note.split(": ")[-1].split(" ")[0])
    assert detection.windows["co-repost"] == estimated
    assert 2 < estimated < 600


def test_articles_without_posts_are_compared_and_the_missing_posts_named(tmp_path):
    from .conftest import FIXTURES

    detection = api.detect([FIXTURES / "articles.csv"], tmp_path / "r")
    assert any("articles but no posts were read" in n for n in detection.notes)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert any("sockscope bylines" in n for n in manifest["notes"])
    assert (tmp_path / "r" / "bylines.csv").exists()
    assert manifest["operations"]["operations"] == 0


def _background(rng, accounts: int, posts: int, days: int = 7) -> list[dict]:
    """Organic reposts: each of ``posts`` reposts goes to a post drawn by popularity."""
    popular = rng.zipf(1.6, size=posts) % 3_000
    return [post(f"o{i}", f"user{rng.integers(accounts):04d}",
                 float(rng.integers(0, days * 86_400)), kind="repost",
                 repost_of_post=f"P{popular[i]}", repost_of_account=f"author{popular[i] % 97}")
            for i in range(posts)]


def test_team_reposting_the_same_rare_posts_hours_apart_is_tied_window_free(con):
    # Left/Right-Troll style: 8 accounts repost 30 obscure posts, each hours apart; no
    # two within the 10 s window. Only the window-free scale sees them.
    rng = np.random.default_rng(3)
    rows = _background(rng, 400, 6_000)
    for k in range(30):
        for i in range(8):
            if rng.random() < 0.7:
                rows.append(post(f"t{k}-{i}", f"troll{i}", k * 20_000 + i * 1_800 + 7,
                                 kind="repost", repost_of_post=f"R{k}",
                                 repost_of_account=f"community{k % 40}"))
    insert(con, rows)
    found = api.detect(connection=con, traces=["co-repost"])
    trolls = {f"troll{i}" for i in range(8)}
    assert [sorted(g.members) for g in found.groups] == [sorted(trolls)]
    tied = [e for e in found.edges if e.behaviour == "co-repost"]
    assert tied and all(e.window_s is None for e in tied)  # tied at "any time"
    without = api.detect(connection=con, traces=["co-repost"], window_free=False)
    assert not without.groups


def test_feed_accounts_on_one_clock_are_tied_by_their_template(con):
    # 30 feed accounts, each its own city and links, post "#tag Title link" in the same
    # half-hour slots; they make those minutes busy themselves, which must not explain
    # them away. A real outlet posts its own layout at its own minute.
    rng = np.random.default_rng(5)
    rows = []
    for slot in range(300):
        for f in range(30):
            if rng.random() < 0.35:
                url = f"https://city{f}.example/{slot}"
                rows.append(post(f"f{slot}-{f}", f"feed{f:02d}", slot * 1_800 + f % 40,
                                 text=f"#City{f}News Headline number {slot} {url}",
                                 urls=[url], hashtags=[f"City{f}News"]))
        url = f"https://herald.example/{slot}"
        rows.append(post(f"h{slot}", "herald", slot * 1_800 + 1_200,
                         text=f"Headline {slot} - The Herald {url}", urls=[url]))
    for i in range(3_000):  # people sharing links, at any minute
        url = f"https://news.example/{i}"
        rows.append(post(f"o{i}", f"user{rng.integers(300):03d}",
                         float(rng.integers(0, 300 * 1_800)), text=f"look at this #wow {url}",
                         urls=[url], hashtags=["wow"]))
    insert(con, rows)
    found = api.detect(connection=con, traces=["co-template"])
    assert [sorted(g.members) for g in found.groups] == [[f"feed{f:02d}" for f in range(30)]]


def test_community_members_a_team_amplifies_are_targets_not_members(con):
    # a team reposts its operator's posts (everyone) and, in passing, now and then a
    # community member's: the operator stays in the group, the community member does not
    rows = []
    team = [f"troll{i}" for i in range(10)]
    for k in range(40):
        rows.append(post(f"op{k}", "operator", k * 5_000, text=f"our message {k}"))
        for i, member in enumerate(team):
            rows.append(post(f"r{k}-{i}", member, k * 5_000 + 5 + i, kind="repost",
                             repost_of_post=f"op{k}", repost_of_account="operator"))
    for k in range(8):
        rows.append(post(f"cm{k}", "community", k * 30_000 + 100, text=f"my view {k}"))
        rows.append(post(f"rc{k}", team[0], k * 30_000 + 9_000, kind="repost",
                         repost_of_post=f"cm{k}", repost_of_account="community"))
    rng = np.random.default_rng(9)
    rows += _background(rng, 300, 4_000, days=3)
    insert(con, rows)
    found = api.detect(connection=con, traces=["co-repost"])
    members = {m for g in found.groups for m in g.members}
    assert set(team) <= members and "operator" in members
    # the team's reposts of the community member are significant, yet it is no member
    assert any(e.behaviour == "amplification" and "community" in (e.account_a, e.account_b)
               for e in found.edges)
    assert "community" not in members
    assert any("left out as targets, not members" in n for n in found.notes)


def test_quiet_accounts_are_counted(con):
    insert(con, [post(f"{a}{i}", a, i * 60.0) for a, n in (("busy", 12), ("quiet", 3))
                 for i in range(n)])
    found = api.detect(connection=con, traces=["co-repost"])
    assert "1 of 2 accounts (50%) posted fewer than 10 times" in " ".join(found.notes)


def test_hashtag_gamers_joining_game_after_game_within_the_hour_are_tied(con):
    # public hashtag games draw a crowd over the day; a team joins most of them, each
    # time within the same hour (beyond the 5 min window, within the 2 h scale); every
    # one, gamers too, also uses ordinary hashtags, most of the trace
    rng = np.random.default_rng(11)
    gamers = [f"gamer{i}" for i in range(8)]
    tags = rng.zipf(1.4, size=(1_508, 20)) % 3_000
    rows = [post(f"o{a}-{j}", name, float(rng.integers(0, 12 * 86_400)),
                 hashtags=[f"tag{tags[a, j]}"])
            for a, name in enumerate([f"user{u:04d}" for u in range(1_500)] + gamers)
            for j in range(20)]
    for game in range(12):
        start = game * 86_400
        for j, who in enumerate(rng.choice(1_500, size=300, replace=False)):
            rows.append(post(f"g{game}-p{j}", f"user{who:04d}",
                             start + float(rng.gamma(2.0, 7_200)), text=f"joke {game} {j}",
                             hashtags=[f"Game{game}"]))
        session = start + float(rng.integers(3_600, 6 * 3_600))
        for i, gamer in enumerate(gamers):
            if rng.random() < 0.8:
                rows.append(post(f"g{game}-{gamer}", gamer,
                                 session + float(rng.integers(0, 3_600)),
                                 text=f"my own joke {game} {i}", hashtags=[f"Game{game}"]))
    insert(con, rows)
    found = api.detect(connection=con, traces=["co-hashtag"])
    assert [sorted(g.members) for g in found.groups] == [gamers]
    assert {e.window_s for e in found.edges} == {7_200}


def test_duckdb_memory_follows_the_machine_and_spills_to_a_temp_folder(monkeypatch):
    import sockscope.store.database as database

    monkeypatch.setattr(database, "machine_memory", lambda: 8 << 30)
    assert database.default_memory_limit() == "4096MB"
    con = database.connect()
    limit, temp = con.execute("SELECT current_setting('memory_limit'), "
                              "current_setting('temp_directory')").fetchall()[0]
    assert limit == "3.8 GiB"  # 4096 MB as DuckDB prints it: half, not DuckDB's 80 %
    assert temp.endswith(f"sockscope-{os.getpid()}")
    assert database.machine_memory() > 0


def test_gexf_bytes_are_those_elementtree_writes(tmp_path):
    from sockscope.output.networks import GEXF_NS, _write_gexf

    graph = ig.Graph(n=3, edges=[(0, 1), (1, 2)])
    graph.vs["name"] = ['a&b<"c">', "tab\there\nnew\rline", "Ωμέγα 🙂"]
    graph.vs["label"] = ["@x & y", "'single'", ""]
    graph.vs["group"] = ["G01", "", "G02"]
    graph.vs["flagged"] = [True, False, True]
    graph.vs["score"] = [0.5, 0.0, 12.3456]
    graph.es["weight"] = [1.25, 3.0]
    graph.es["behaviours"] = ["co-repost;co-text", "co-url&more"]
    _write_gexf(graph, tmp_path / "fast.gexf")
    # the same tree through ElementTree
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "version": "1.3"})
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "sockscope"
    body = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    attributes = ET.SubElement(body, "attributes", {"class": "node"})
    for number, (name, kind) in enumerate([("group", "string"), ("score", "double"),
                                           ("flagged", "boolean")]):
        ET.SubElement(attributes, "attribute", {"id": str(number), "title": name, "type": kind})
    ET.SubElement(ET.SubElement(body, "attributes", {"class": "edge"}), "attribute",
                  {"id": "0", "title": "behaviours", "type": "string"})
    nodes = ET.SubElement(body, "nodes")
    for v in graph.vs:
        values = ET.SubElement(ET.SubElement(nodes, "node", {"id": v["name"],
                                                              "label": v["label"]}), "attvalues")
        for key, value in (("0", v["group"]), ("1", str(v["score"])),
                           ("2", "true" if v["flagged"] else "false")):
            ET.SubElement(values, "attvalue", {"for": key, "value": value})
    edges = ET.SubElement(body, "edges")
    for number, e in enumerate(graph.es):
        element = ET.SubElement(edges, "edge", {
            "id": str(number), "source": graph.vs[e.source]["name"],
            "target": graph.vs[e.target]["name"], "weight": str(e["weight"])})
        ET.SubElement(ET.SubElement(element, "attvalues"), "attvalue",
                      {"for": "0", "value": e["behaviours"]})
    ET.ElementTree(root).write(tmp_path / "tree.gexf", encoding="utf-8", xml_declaration=True)
    assert (tmp_path / "fast.gexf").read_bytes() == (tmp_path / "tree.gexf").read_bytes()
