"""The preload's progress for the person who started it (``python -m jobs preload``).

On a terminal: one tqdm bar, redrawn in place, with the count of failing sources; anything
logged meanwhile is printed above the bar instead of through it. Anywhere else (a pipe, a
file, CI): a plain line every ``every_seconds`` and one at the end, never carriage returns.
The web's live preload page is components/preload.py; this is only the terminal's.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Callable

from tqdm import tqdm


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _AboveBar(io.TextIOBase):
    """A stream for log handlers while the bar is drawn: each line goes above the bar."""

    def __init__(self, bar: tqdm, stream) -> None:
        self.bar = bar
        self.stream = stream

    def write(self, text: str) -> int:
        if text.strip():
            self.bar.write(text.rstrip("\n"), file=self.stream)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


class RunProgress:
    """``update(done, total, failed_sources, current)`` as the run goes, ``close()`` at its end;
    a context manager that does both the set-up and the close."""

    def __init__(
        self,
        total: int,
        label: str = "preload",
        stream=None,
        enabled: bool = True,
        every_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.every_seconds = every_seconds
        self.clock = clock
        self.terminal = enabled and is_terminal(self.stream)
        self.done = 0
        self.failed = 0
        self._started = clock()
        self._last_line: float | None = None
        self._swapped: list[tuple[logging.StreamHandler, object]] = []
        self._closed = False
        self.bar = (
            tqdm(total=total, desc=label, unit="instr", file=self.stream, dynamic_ncols=True, mininterval=0.2)
            if self.terminal
            else None
        )

    def __enter__(self) -> RunProgress:
        if self.bar is not None:
            # Log lines go above the bar: a line written through it would break it in two.
            for handler in logging.getLogger().handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                    self._swapped.append((handler, handler.setStream(_AboveBar(self.bar, self.stream))))
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, done: int, total: int, failed: int, current: str = "") -> None:
        self.done, self.total, self.failed = done, total, failed
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.total = total
            self.bar.set_postfix_str(self._failing(), refresh=False)
            self.bar.update(done - self.bar.n)
            return
        now = self.clock()
        if self._last_line is None or now - self._last_line >= self.every_seconds:
            self._line()
            self._last_line = now

    def _failing(self) -> str:
        if not self.failed:
            return ""
        return f"{self.failed} source failing" if self.failed == 1 else f"{self.failed} sources failing"

    def _line(self, final: bool = False) -> None:
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        elapsed = f" in {self.clock() - self._started:.1f}s" if final else ""
        failing = f", {self._failing()}" if self.failed else ""
        print(f"{self.label}: {self.done}/{self.total} instruments{share}{elapsed}{failing}", file=self.stream)
        self.stream.flush()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for handler, stream in self._swapped:
            handler.setStream(stream)
        self._swapped.clear()
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            self._line(final=True)
