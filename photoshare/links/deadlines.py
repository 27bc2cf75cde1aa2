"""A time limit a libvips render enforces on itself.

A render runs in a worker thread, and a thread cannot be stopped from outside. libvips
emits ``eval`` once per tile of work on an image with progress reporting turned on, and
on it for the work on every image computed from it; past the deadline the handler sets
the kill flag and the computation fails with an error, which the render turns into
RenderTimedOut after removing its partial file.
"""

from __future__ import annotations

import time
from typing import Any

from photoshare.media.vips import pyvips


class RenderTimedOut(Exception):
    """The render passed its time limit and stopped itself."""


class RenderDeadline:
    """A moment, `seconds` from now, after which the watched images stop computing."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds
        self.passed = False
        # pyvips keeps a signal's handler alive only as long as the Python image object it
        # was connected through; the pipeline may outlive that object, so the deadline
        # holds on to it until the render is over.
        self._watched: list[pyvips.Image] = []

    def watch(self, image: pyvips.Image) -> pyvips.Image:
        """Stop the computation of `image`, and of every image made from it, at the deadline."""
        image.set_progress(True)
        image.signal_connect("eval", self._on_eval)
        self._watched.append(image)
        return image

    def check(self) -> None:
        """Raise RenderTimedOut once the deadline has passed (between libvips calls)."""
        if self.passed or time.monotonic() > self._at:
            self.passed = True
            raise RenderTimedOut(f"the render took longer than {self.seconds:g} s")

    def _on_eval(self, image: pyvips.Image, _progress: Any) -> None:
        # Called from libvips' own worker threads, once per tile.
        if time.monotonic() > self._at:
            self.passed = True
            image.set_kill(True)
