"""libvips, configured once: every module that uses it imports ``pyvips`` from here."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pyvips

# Decoded pixels are never reused between requests or renders; libvips' operation cache
# would only hold on to memory.
pyvips.cache_set_max(0)

# glibc gives each thread that allocates its own malloc arena (up to 8 per core), and
# image buffers freed in one stay mapped there: with uploads decoded in worker threads and
# libvips' own threads, 4 concurrent 12-MP uploads peaked at 382 MB instead of 269 MB
# (scripts/bench_upload.py). Two arenas, as MALLOC_ARENA_MAX=2 would set.
_M_ARENA_MAX = -8
if sys.platform == "linux":
    _libc_name = ctypes.util.find_library("c")
    if _libc_name:
        _libc = ctypes.CDLL(_libc_name)
        if hasattr(_libc, "mallopt"):  # glibc; musl has none and needs none
            _libc.mallopt(_M_ARENA_MAX, 2)

__all__ = ["pyvips"]
