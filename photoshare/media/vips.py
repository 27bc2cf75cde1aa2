"""libvips, configured once: every module that uses it imports ``pyvips`` from here."""

from __future__ import annotations

import pyvips

# Decoded pixels are never reused between requests or renders; libvips' operation cache
# would only hold on to memory.
pyvips.cache_set_max(0)

__all__ = ["pyvips"]
