"""The ``sockscope`` script's first code: Ctrl-C is handled before anything is imported.

The command line itself (:mod:`sockscope.cli`) and the libraries behind it take a
moment to import on a loaded machine; a SIGINT in that moment must end the run the same
way as one during the work: one line, exit 130, nothing written. Only the standard
library (and :mod:`sockscope.interrupt`, which uses nothing else) is loaded before the
handler is in place.
"""

from __future__ import annotations

import signal

from sockscope.interrupt import Interrupted, on_sigint, stop


def main() -> None:
    """Install the SIGINT handler, then import and run the command line."""
    signal.signal(signal.SIGINT, on_sigint)
    try:
        from sockscope.cli import run
    except (Interrupted, KeyboardInterrupt):
        raise stop() from None
    run()
