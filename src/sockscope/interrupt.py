"""Ctrl-C as one outcome: a SIGINT raises ``Interrupted`` wherever the run is, and
``stop`` says so in one line and gives exit 130. Only the standard library is used, so
the handler can be installed before anything else is imported (``sockscope.entry``)."""

from __future__ import annotations

import sys

INTERRUPTED = "interrupted; nothing was written"
SIGNALS_SEEN: list[int] = []  # SIGINTs received during this run


class Interrupted(BaseException):
    """Ctrl-C, raised past the command-line framework (which would print "Aborted!")."""


def on_sigint(signum: int, frame: object) -> None:
    """The SIGINT handler: note the signal and stop the run where it is."""
    SIGNALS_SEEN.append(signum)
    raise Interrupted


def stop(code: int = 130) -> SystemExit:
    """Say the run was interrupted, on standard error, and the exit to raise."""
    sys.stderr.write(f"{INTERRUPTED}\n")
    sys.stderr.flush()
    return SystemExit(code)
