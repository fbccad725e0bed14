"""The ``sockscope`` script's first code: Ctrl-C is handled before anything is imported.

The command line itself (:mod:`sockscope.cli`) and the libraries behind it take a
moment to import on a loaded machine; a SIGINT in that moment must end the run the same
way as one during the work: one line, exit 130, nothing written. Only the standard
library is loaded here.
"""

from __future__ import annotations

import signal
import sys

INTERRUPTED = "interrupted; nothing was written"
SIGNALS_SEEN: list[int] = []  # SIGINTs received during this run


class Interrupted(BaseException):
    """Ctrl-C, raised past the command-line framework (which would print "Aborted!")."""


def _interrupt(signum: int, frame: object) -> None:
    SIGNALS_SEEN.append(signum)
    raise Interrupted


def stop(code: int = 130) -> SystemExit:
    """Say the run was interrupted, on standard error, and the exit to raise."""
    sys.stderr.write(f"{INTERRUPTED}\n")
    sys.stderr.flush()
    return SystemExit(code)


def main() -> None:
    """Install the SIGINT handler, then import and run the command line."""
    signal.signal(signal.SIGINT, _interrupt)
    try:
        from sockscope.cli import run
    except (Interrupted, KeyboardInterrupt):
        raise stop() from None
    run()
