"""Progress lines for long commands: shown on a terminal, silent when output goes to a file or a pipe."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """`with Progress("export") as p: p.step("reading the plan")` — one line, rewritten in place.

    On a terminal each step replaces the last (with the seconds so far) and the line is cleared at
    the end; anywhere else (cron, CI, a pipe) nothing is written, so logs stay clean.
    """

    def __init__(self, label: str, stream: TextIO | None = None, total: int | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._started = time.monotonic()
        self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.clear()

    def step(self, what: str, advance: int = 0) -> None:
        """Say what is happening now (and count `advance` units towards `total`)."""
        self.done += advance
        if not self.enabled:
            return
        bar = ""
        if self.total:
            filled = int(20 * min(self.done, self.total) / self.total)
            bar = f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} "
        line = f"{self.label}: {bar}{what} ({time.monotonic() - self._started:.1f} s)"
        pad = max(0, self._width - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._width = len(line)

    def clear(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
