"""Benchmark f_auto's variants and the demo's photos, in this process (no server).

What it measures, on one of ``photoshare demo``'s 12-megapixel photos (a drawn scene
with grain, as hard to compress as a camera's photo):

1. the demo photo itself: the time to draw and encode each of the demo's twelve photos
   (``photoshare.demo.photos.demo_jpeg``) and their sizes;
2. f_auto's variants: the real renderer (``photoshare.links.renderer.render``) writing
   the photo fitted into 800 px, into Full HD (about ``AVIF_MAX_PIXELS``, the largest
   image f_auto answers in AVIF) and at full size, as AVIF, WebP and JPEG: the time of
   each render and its bytes. The full-size AVIF is why f_auto answers WebP above
   ``AVIF_MAX_PIXELS``: libaom cannot be stopped at a render's time limit.

Run it from the repository root::

    .venv/bin/python scripts/bench_f_auto.py [--photos 12]

The figures depend on how busy the machine is; the exit code is 0 (a benchmark, not a
test).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from photoshare.demo.photos import DEMO_PHOTOS, demo_jpeg
from photoshare.links.negotiation import AVIF_MAX_PIXELS
from photoshare.links.renderer import render
from photoshare.links.transformations import parse

SIZES = {"800 px": "c_fit,w_800,h_800/", "Full HD": "c_fit,w_1920,h_1080/", "full size": ""}


def bench_demo_photos(count: int) -> bytes:
    """Draw the demo's photos; print each one's time and bytes; return the first."""
    times, sizes, first = [], [], b""
    for index, photo in enumerate(DEMO_PHOTOS[:count]):
        start = time.perf_counter()
        jpeg = demo_jpeg(photo, index)
        times.append(time.perf_counter() - start)
        sizes.append(len(jpeg))
        first = first or jpeg
    print(
        f"demo photos: {count} drawn in {sum(times):.2f} s (median {statistics.median(times):.2f} s"
        f", max {max(times):.2f} s), {statistics.mean(sizes) / 1e6:.2f} MB on average"
    )
    return first


def bench_variants(jpeg: bytes, folder: Path) -> None:
    source = folder / "photo.jpg"
    source.write_bytes(jpeg)
    print(f"f_auto variants (AVIF up to {AVIF_MAX_PIXELS:,} pixels, WebP above):")
    for label, resize in SIZES.items():
        for extension in ("avif", "webp", "jpg"):
            target = folder / f"out.{extension}"
            start = time.perf_counter()
            render(source, parse(f"{resize}f_{extension}"), target, source_format="jpeg")
            took = time.perf_counter() - start
            print(
                f"  {label:>9} {extension:>4}: {took:6.2f} s {target.stat().st_size / 1e3:9.1f} kB"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--photos", type=int, default=len(DEMO_PHOTOS))
    args = parser.parse_args()
    jpeg = bench_demo_photos(max(1, min(args.photos, len(DEMO_PHOTOS))))
    with tempfile.TemporaryDirectory(prefix="photoshare-bench-") as tmp:
        bench_variants(jpeg, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
