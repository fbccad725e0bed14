"""Shared fixtures: paths to the bundled fixtures and to the shared real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sockscope.store.database import connect

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
