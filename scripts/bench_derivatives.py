"""Compare two ways of making a photo's display sizes in the upload's worker job.

What it measures, for a 12-megapixel camera JPEG (4032x3024, EXIF orientation 6 by
default), the whole job ``normalize`` runs: decode, re-encode the stored copy, make
``preview`` (1600) and ``thumb`` (480) as WebP and the BlurHash placeholder:

- ``stored``: what PhotoShare does (photoshare/media/derivatives.py): write the stored
  copy, then ``pyvips.Image.thumbnail`` on that file (shrink-on-load: a JPEG is decoded
  at 1/2 scale for the preview), ``thumb`` and the placeholder from the preview;
- ``memory``: keep the decoded, upright image in memory (``copy_memory``), write the
  stored copy from it and resize it with ``thumbnail_image`` for each size.

Each way runs in a fresh process (so peak memory, ``ru_maxrss``, is its own), ``--runs``
times; the median job time and the process's peak RSS are printed, and the job without
display sizes for reference.

Run it from the repository root::

    .venv/bin/python scripts/bench_derivatives.py [--runs 7] [--size 4032x3024] [--orientation 6]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import REPO_ROOT, build_jpeg

sys.path.insert(0, str(REPO_ROOT))

MAX_PIXELS = 50_000_000


def _memory_job(source: Path, workdir: Path) -> None:
    """Sizes from the decoded image held in memory (the alternative to what PhotoShare does)."""
    from photoshare.media import derivatives, images
    from photoshare.media.formats import JPEG
    from photoshare.media.sizes import DISPLAY_SIZES
    from photoshare.media.vips import pyvips

    _, image = images.open_upload(source, MAX_PIXELS)
    image = images._prepared(image, JPEG, None).copy_memory()
    image.write_to_file(str(workdir / "stored.jpg"), keep=pyvips.enums.ForeignKeep.ICC, Q=88)
    for size in DISPLAY_SIZES:
        image = image.thumbnail_image(size.box, height=size.box, size="down")
        image.webpsave(str(workdir / f"{size.name}.webp"), Q=80, effort=0)
    derivatives._placeholder(str(workdir / "thumb.webp"))


def _run(way: str, source: Path, runs: int, results: multiprocessing.Queue[object]) -> None:
    from photoshare.media import images

    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            start = time.perf_counter()
            if way == "memory":
                _memory_job(source, workdir)
            else:
                made = images.normalize(
                    source, workdir, max_pixels=MAX_PIXELS, display_sizes=way == "stored"
                )
                made.remove_files()
            times.append((time.perf_counter() - start) * 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put((way, statistics.median(times), peak_mb))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="4032x3024")
    parser.add_argument("--orientation", type=int, default=6, choices=range(1, 9))
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.lower().split("x"))
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "camera.jpg"
        source.write_bytes(build_jpeg(width, height, args.orientation))
        print(
            f"bench_derivatives: {width}x{height} JPEG, EXIF orientation {args.orientation}, "
            f"{source.stat().st_size / 1e6:.1f} MB, {args.runs} runs per way"
        )
        results: multiprocessing.Queue[object] = context.Queue()
        for way in ("none", "stored", "memory"):
            process = context.Process(target=_run, args=(way, source, args.runs, results))
            process.start()
            name, median_ms, peak_mb = results.get()  # type: ignore[misc]
            process.join()
            label = {"none": "stored copy only", "stored": "sizes from stored copy (used)"}
            print(
                f"{label.get(str(name), 'sizes from memory'):32} median {median_ms:6.0f} ms  "
                f"peak RSS {peak_mb:5.0f} MB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
