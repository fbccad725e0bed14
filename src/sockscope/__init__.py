"""sockscope: uncover coordinated sockpuppet networks and fake personas.

The Python API mirrors the command line; see :mod:`sockscope.api`.
"""

import importlib

# The stage packages ``sockscope.ingest`` and ``sockscope.detect`` share their names with
# the API functions below. Loading the packages first means the functions are bound last
# and keep the names; a later import of one of their submodules does not rebind them.
for _package in ("sockscope.ingest", "sockscope.detect"):
    importlib.import_module(_package)

from sockscope.api import detect, info, ingest  # noqa: E402

__version__ = "0.1.0"
__all__ = ["__version__", "detect", "info", "ingest"]
