"""What the command line prints while it works: stage-by-stage progress, and text from
the data made safe for a terminal.

On a terminal, progress is a rich spinner naming the current stage, with each finished
stage left above it as one line with its time; when standard error is not a terminal
(logs, CI, notebooks), each stage is one plain line, with the time since the start, as
it starts, so a run that is killed still shows how far it got. ``quiet`` prints
nothing.
"""

from __future__ import annotations

import re
import time
from typing import Any

# C0 and C1 control characters (escape sequences start with one), except tab and newline
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: object) -> str:
    """``text`` with control characters (terminal escape sequences) shown as ``?``."""
    return _CONTROL.sub("?", str(text))


class StageProgress:
    """Reports the stages of a long command, as ``on_stage(name)`` callbacks."""

    def __init__(self, console: Any, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.live = console.is_terminal and not quiet
        self.started = time.perf_counter()
        self.current: str | None = None
        self.current_started = self.started
        self._status: Any = None

    def __enter__(self) -> StageProgress:
        if self.live:
            self._status = self.console.status("starting…")
            self._status.__enter__()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self._finish()
        if self._status is not None:
            self._status.__exit__(kind, error, trace)

    def __call__(self, name: str) -> None:
        """A new stage starts (the previous one, if any, has ended)."""
        self._finish()
        self.current = name
        self.current_started = time.perf_counter()
        if self.quiet:
            return
        if self.live:
            self._status.update(f"{clean(name)}…")
        else:
            self._line(f"{clean(name)}…")

    def note(self, text: str) -> None:
        """A line that stays (a file read, with its rows and rate)."""
        if self.quiet:
            return
        if self.live:
            self.console.print(f"[green]✓[/] {_escape(clean(text))}", highlight=False)
        else:
            self._line(text)
        self.current = None

    def _finish(self) -> None:
        if self.current is None or self.quiet:
            self.current = None
            return
        seconds = time.perf_counter() - self.current_started
        if self.live:  # off a terminal, the next stage's line says when this one ended
            self.console.print(f"[green]✓[/] {_escape(clean(self.current))} "
                               f"[dim]{seconds:.1f} s[/]", highlight=False)
        self.current = None

    def _line(self, text: str) -> None:
        elapsed = time.perf_counter() - self.started
        self.console.print(f"[{elapsed:7.1f} s] {_escape(text)}", highlight=False,
                           soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def progress_line(count: int, seconds: float, unit: str = "rows") -> str:
    """``12,345 rows, 41,000 rows/s``."""
    rate = count / seconds if seconds > 0 else 0.0
    return f"{count:,} {unit}, {rate:,.0f} {unit}/s"

