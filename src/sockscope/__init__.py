"""sockscope: uncover coordinated sockpuppet networks and fake personas.

The Python API mirrors the command line; see :mod:`sockscope.api`.
"""

from sockscope.api import detect, info, ingest

__version__ = "0.1.0"
__all__ = ["__version__", "detect", "info", "ingest"]
