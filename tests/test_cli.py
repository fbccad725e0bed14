"""End to end through the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from sockscope.cli import app

from .conftest import FIXTURES, THAILAND, needs

runner = CliRunner()


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "info", "simulate", "detect", "evaluate"):
        assert command in result.output


def test_ingest_then_info(tmp_path):
    db = tmp_path / "run.duckdb"
    result = runner.invoke(app, ["ingest", str(FIXTURES / "bad_archive.csv"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "rows read 8, kept 3, skipped 5" in " ".join(result.output.split())
    result = runner.invoke(app, ["info", "--db", str(db)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "3 from 3 accounts" in flat
    assert "1 invalid UTF-8 [tweet_text]" in flat


def test_strict_exits_with_the_line(tmp_path):
    result = runner.invoke(app, ["ingest", str(FIXTURES / "bad_archive.csv"), "--strict"])
    assert result.exit_code == 2
    assert "line 5" in result.output


def test_bad_map_option(tmp_path):
    result = runner.invoke(app, ["ingest", str(FIXTURES / "articles.csv"), "--map", "oops"])
    assert result.exit_code == 2
    assert "use CANONICAL=COLUMN" in " ".join(result.output.split())


@needs(THAILAND)
def test_thailand_counts_through_cli(tmp_path):
    db = tmp_path / "t.duckdb"
    files = [str(p) for p in sorted(THAILAND.glob("*.zip"))]
    result = runner.invoke(app, ["ingest", *files, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "21,385 posts from 455 accounts, 926 user profiles" in " ".join(result.output.split())
