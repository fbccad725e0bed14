"""sockscope: uncover coordinated sockpuppet networks and fake personas.

The Python API mirrors the command line; see :mod:`sockscope.api`. Importing the
package is cheap: the API module (DuckDB, PyArrow, SciPy, ...) loads on the first call,
so ``sockscope --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

# The stage packages ``sockscope.ingest`` and ``sockscope.detect`` share their names with
# the API functions below. Their ``__init__`` modules are empty, so loading them first
# is free, and the functions bound after them keep the names: a later import of one of
# their submodules does not rebind them.
for _package in ("sockscope.ingest", "sockscope.detect"):
    importlib.import_module(_package)

__version__ = "0.1.0"
__all__ = ["__version__", "account", "detect", "export", "info", "ingest", "posts"]


def _api() -> Any:
    return importlib.import_module("sockscope.api")


def ingest(*args: Any, **kwargs: Any) -> Any:
    """See :func:`sockscope.api.ingest`."""
    return _api().ingest(*args, **kwargs)


def detect(*args: Any, **kwargs: Any) -> Any:
    """See :func:`sockscope.api.detect`."""
    return _api().detect(*args, **kwargs)


def info(*args: Any, **kwargs: Any) -> Any:
    """See :func:`sockscope.api.info`."""
    return _api().info(*args, **kwargs)


def account(*args: Any, **kwargs: Any) -> Any:
    """See :func:`sockscope.api.account`."""
    return _api().account(*args, **kwargs)


def posts(*args: Any, **kwargs: Any) -> Any:
    """See :func:`sockscope.api.posts`."""
    return _api().posts(*args, **kwargs)


def export(*args: Any, **kwargs: Any) -> Any:
    """See :func:`sockscope.api.export`."""
    return _api().export(*args, **kwargs)
