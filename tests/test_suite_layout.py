"""The suite's own layout on two processes: tests that share a simulated world are
sent to one process (conftest's groups), so each world is built once per run."""

from __future__ import annotations

import os

import pytest


@pytest.mark.skipif("PYTEST_XDIST_WORKER" not in os.environ,
                    reason="runs only when the suite is spread over processes")
def test_each_test_carries_its_group(request):
    # pytest-xdist sends a test to its group's process only when the group is in the
    # test's id; pytest 9.2 drops it silently (pytest-xdist#1386, hence the pin)
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not distributed by group")
    assert request.node.nodeid.endswith("@tests/test_suite_layout.py")
