"""sockscope: uncover coordinated sockpuppet networks and fake personas.

The Python API mirrors the command line; see :mod:`sockscope.api`. Importing the
package is cheap: the API module (DuckDB, PyArrow, SciPy, ...) loads on the first call,
so ``sockscope --help`` starts fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# The stage packages ``sockscope.ingest`` and ``sockscope.detect`` share their names with
# the API functions below. Their ``__init__`` modules are empty, so loading them first
# is free, and the functions bound after them keep the names: a later import of one of
# their submodules does not rebind them.
for _package in ("sockscope.ingest", "sockscope.detect"):
    importlib.import_module(_package)

__version__ = "0.1.0"
__all__ = ["__version__", "account", "bylines", "detect", "export", "info", "ingest", "posts",
           "verify"]


def _lazy(name: str) -> Callable[..., Any]:
    """``sockscope.NAME``: calls :mod:`sockscope.api`'s NAME, importing it on first use."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module("sockscope.api"), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"See :func:`sockscope.api.{name}`."
    return call


ingest = _lazy("ingest")
detect = _lazy("detect")
info = _lazy("info")
account = _lazy("account")
posts = _lazy("posts")
export = _lazy("export")
bylines = _lazy("bylines")
verify = _lazy("verify")
