"""The Spark engine gives what DuckDB gives: same edges, p-values to 1e-9 relative, same
groups, byte-identical accounts.csv and groups.csv, on simulated worlds of two seeds
and both collection styles. Spark runs in local mode.

Skipped only when PySpark or Java is missing, unless SOCKSCOPE_REQUIRE_SPARK is set
(CI sets it: there the tests must run)."""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil

import pytest

from sockscope.api import detect
from sockscope.lab.simulate import simulate

SPARK_READY = (importlib.util.find_spec("pyspark") is not None
               and importlib.util.find_spec("sqlglot") is not None
               and shutil.which("java") is not None)
needs_spark = pytest.mark.skipif(
    not SPARK_READY and not os.environ.get("SOCKSCOPE_REQUIRE_SPARK"),
    reason="PySpark, SQLGlot or Java not installed (pip install 'sockscope[spark]')")

# seeds and collection styles no parameter was tuned on
WORLDS = [(7, "full"), (23, "targeted")]


@pytest.fixture(scope="module", params=WORLDS, ids=[f"seed{s}-{c}" for s, c in WORLDS])
def runs(request, tmp_path_factory):
    seed, collection = request.param
    folder = tmp_path_factory.mktemp(f"world{seed}")
    simulate(folder / "world", accounts=2_000, days=3, seed=seed, collection=collection)
    inputs = [folder / "world" / "tweets.csv", folder / "world" / "users.csv"]
    # the same-operator analysis runs in DuckDB after either engine: not compared here
    duck = detect(inputs, folder / "duckdb", operators=False)
    spark = detect(inputs, folder / "spark", engine="spark", operators=False)
    return folder, duck, spark


@needs_spark
def test_same_edges_and_p_values(runs):
    _, duck, spark = runs
    assert len(duck.edges) > 100  # a world with something to find
    assert [e.key for e in spark.edges] == [e.key for e in duck.edges]
    for a, b in zip(duck.edges, spark.edges, strict=True):
        assert b.p_value == pytest.approx(a.p_value, rel=1e-9, abs=0)
        assert b.q_value == pytest.approx(a.q_value, rel=1e-9, abs=0)
        assert (b.shared_keys, b.weight, b.min_dt_s, b.median_dt_s, b.example_keys,
                b.window_s) == (a.shared_keys, a.weight, a.min_dt_s, a.median_dt_s,
                                a.example_keys, a.window_s)
    assert spark.tests == duck.tests  # the same number of hypotheses


@needs_spark
def test_same_groups(runs):
    _, duck, spark = runs
    assert duck.groups
    assert ([(g.group_id, sorted(g.members)) for g in spark.groups]
            == [(g.group_id, sorted(g.members)) for g in duck.groups])
    assert spark.evidence.equals(duck.evidence)


@needs_spark
def test_byte_identical_accounts_and_groups(runs):
    folder, _, _ = runs
    for name in ("accounts.csv", "groups.csv", "edges.csv"):
        assert (folder / "spark" / name).read_bytes() == (folder / "duckdb" / name).read_bytes()
    with open(folder / "spark" / "accounts.csv", newline="") as handle:
        assert sum(1 for row in csv.DictReader(handle) if row["group_id"]) > 10


def test_sql_rendered_for_spark():
    pytest.importorskip("sqlglot")
    from sockscope.detect.engines.spark_sql import tables_read, to_spark

    spark = to_spark("""SELECT account_id, epoch(created_at) AS t,
                               first(post_id ORDER BY t, post_id) AS first_post,
                               arg_min(post_id, (created_at, post_id)) AS earliest,
                               list(h ORDER BY created_at, h) AS seq,
                               array_length(hashtags) AS n
                        FROM posts GROUP BY ALL""")
    # the fraction of a second kept, as DuckDB's epoch keeps it
    assert "UNIX_MICROS(CAST(created_at AS TIMESTAMP)) / CAST(1000000 AS DOUBLE)" in spark
    assert "MIN_BY(post_id, NAMED_STRUCT('f0', t, 'f1', post_id))" in spark
    assert "MIN_BY(post_id, NAMED_STRUCT('f0', created_at, 'f1', post_id))" in spark
    assert ("TRANSFORM(ARRAY_SORT(COLLECT_LIST(NAMED_STRUCT('f0', created_at, 'f1', h, "
            "'f2', h))), s -> s.f2)") in spark
    assert "SIZE(hashtags)" in spark
    # lower-cased as DuckDB does: no final sigma, no combining dot
    assert to_spark("SELECT lower(h) FROM t") == \
        "SELECT LOWER(REPLACE(REPLACE(h, 'Σ', 'σ'), 'İ', 'i')) FROM t"
    assert sorted(tables_read("WITH x AS (SELECT * FROM posts) SELECT * FROM x "
                              "JOIN url_map USING (url)")) == ["posts", "url_map"]


def test_engine_choices_checked_before_any_work(tmp_path):
    from typer.testing import CliRunner

    from sockscope.cli import app

    missing = tmp_path / "nothing-read.csv"  # never opened: the options fail first
    runner = CliRunner()
    wrong = runner.invoke(app, ["detect", str(missing), "--out", str(tmp_path / "r"),
                                "--engine", "hadoop"])
    assert wrong.exit_code != 0 and "unknown engine 'hadoop'" in wrong.output
    auto = runner.invoke(app, ["detect", str(missing), "--out", str(tmp_path / "r"),
                               "--engine", "spark", "--window", "auto"])
    assert auto.exit_code != 0 and "not available on the Spark engine" in auto.output
    assert not (tmp_path / "r").exists()


def _edge_case_posts() -> list[dict]:
    """A team of six reposting, hashtagging and posting one template within seconds,
    with sub-second times, mixed-case tags, a vertical tab and non-Latin text; no
    replies or quotes at all (those traces have no actions: empty tables)."""
    from .posts_factory import post

    rows = []
    team = [f"team{i}" for i in range(6)]
    crowd = [f"user{i:02d}" for i in range(40)]
    for k in range(12):  # twelve originals, each reposted by the team within seconds
        rows.append(post(f"o{k}", crowd[k], k * 3_600.25))
        for i, account in enumerate(team):
            rows.append(post(f"r{k}-{i}", account, k * 3_600.25 + 1.5 + i * 0.731,
                             kind="repost", repost_of_post=f"o{k}"))
            rows.append(post(f"t{k}-{i}", account, k * 3_600.25 + 30 + i * 0.5,
                             text=f"#Wahl{k % 3} Ψήφος\vσήμερα {k} https://ex.am/p/{k}?utm_source={i}",
                             hashtags=[f"Wahl{k % 3}", "ΨΗΦΟΣ" if i % 2 else "ψηφος"],
                             urls=[f"https://ex.am/p/{k}?utm_source={i}"]))
    for j, account in enumerate(crowd):  # background noise
        for k in range(5):
            rows.append(post(f"c{j}-{k}", account, j * 977.3 + k * 5_003.9,
                             text=f"ordinary post {j} {k}", hashtags=[f"tag{(j + k) % 7}"]))
    return rows


@needs_spark
def test_edge_cases_through_the_cli(tmp_path):
    from typer.testing import CliRunner

    from sockscope.cli import app
    from sockscope.store.database import connect

    from .posts_factory import insert

    work = tmp_path / "shared work"
    for engine in ("duckdb", "spark"):
        con = connect(tmp_path / f"{engine}.duckdb")
        insert(con, _edge_case_posts())
        con.close()
        extra = ["--spark-workdir", str(work)] if engine == "spark" else []
        done = CliRunner().invoke(app, [
            "detect", "--db", str(tmp_path / f"{engine}.duckdb"), "--out",
            str(tmp_path / engine), "--engine", engine, "--min-group-size", "3", *extra])
        assert done.exit_code == 0, done.output
    # the run cleaned up after itself: no working folder left, no Spark view left
    from pyspark.sql import SparkSession

    assert list(work.iterdir()) == []
    session = SparkSession.getActiveSession()
    assert [t.name for t in session.catalog.listTables() if t.isTemporary] == []
    for name in ("accounts.csv", "groups.csv", "edges.csv"):
        assert (tmp_path / "spark" / name).read_bytes() == \
            (tmp_path / "duckdb" / name).read_bytes()
    with open(tmp_path / "spark" / "accounts.csv", newline="") as handle:
        flagged = {row["account_id"] for row in csv.DictReader(handle) if row["group_id"]}
    assert flagged == {f"team{i}" for i in range(6)}
