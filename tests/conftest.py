"""Shared fixtures: paths to the bundled fixtures and to the shared real data, and the
simulated runs that several test files read (each built once per session: a world and
its detection take about a minute, and the tests only read what they wrote)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from sockscope.cli import app
from sockscope.store.database import connect

# no property test depends on time: on a loaded machine an example may take seconds
settings.register_profile("untimed", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("untimed")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
THAILAND = SHARED_DATA / "io-archive-thailand-092020"
COORTWEET = SHARED_DATA / "coortweet"


@pytest.fixture
def con():
    connection = connect()
    yield connection
    connection.close()


def needs(path: Path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not available")


def _cli(*arguments: str) -> str:
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def operation_run(tmp_path_factory):
    """A simulated influence operation (4,000 accounts, seed 2, with articles) detected
    through the command line into a result folder and a run database:
    (world, result folder, run database, what detect printed)."""
    folder = tmp_path_factory.mktemp("operation")
    world, out, db = folder / "world", folder / "r", folder / "run.duckdb"
    _cli("simulate", "--out", str(world), "--seed", "2", "--accounts", "4000", "--operation")
    output = _cli("detect", str(world / "tweets.csv"), str(world / "users.csv"),
                  "--articles", str(world / "articles.csv"), "--db", str(db),
                  "--out", str(out), "--quiet")
    return world, out, db, output


@pytest.fixture(scope="session")
def sockpuppet_run(tmp_path_factory):
    """A simulated world with sockmasters (2,000 accounts, 28 days, seed 11) detected
    through the command line: (world, result folder)."""
    folder = tmp_path_factory.mktemp("sockpuppets")
    world, out = folder / "world", folder / "result"
    _cli("simulate", "--out", str(world), "--accounts", "2000", "--days", "28", "--seed", "11",
         "--sockpuppets")
    _cli("detect", str(world / "tweets.csv"), str(world / "users.csv"), "--out", str(out))
    return world, out


@pytest.fixture(scope="session")
def small_simulated_run(tmp_path_factory):
    """A small simulated world (3,000 accounts, 4 days, seed 11) detected through the
    API into a result folder and a run database: (world, result folder, run database,
    Detection). The detection tests read its outputs, the browser tests its report."""
    from sockscope import api
    from sockscope.lab.simulate import simulate

    folder = tmp_path_factory.mktemp("small")
    world, out, db = folder / "world", folder / "out", folder / "run.duckdb"
    simulate(world, accounts=3_000, days=4, seed=11)
    connection = connect(db)
    try:
        detection = api.detect([world / "tweets.csv", world / "users.csv"], out,
                               connection=connection)
    finally:
        connection.close()
    return world, out, db, detection


# Fixtures built once per session and read by several test files. `make test` runs the
# suite on two processes (pytest-xdist, `--dist loadgroup`); each process builds the
# session fixtures its tests use, so the tests sharing one go to the same process.
SHARED_RUNS = ("operation_run", "sockpuppet_run", "small_simulated_run")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the markers
def pytest_collection_modifyitems(config, items):
    """Group each test with the others of its file, or, when it reads a shared simulated
    run, with every test that reads that run: one process builds each module- or
    session-scoped world once."""
    for item in items:
        shared = [name for name in SHARED_RUNS if name in item.fixturenames]
        group = shared[0] if shared else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
