#!/usr/bin/env python3
"""Bootstrap and run PhotoShare with nothing but Python 3.11+.

    python3 dev.py serve [photoshare serve options]   # http://127.0.0.1:8000, embedded mode
    python3 dev.py test  [pytest options]             # the whole test suite

Each command creates ./.venv on first use and reinstalls the project into it
whenever pyproject.toml changes; then it runs inside that virtualenv.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PHOTOSHARE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"PhotoShare needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".photoshare-installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"dev.py: installing PhotoShare{f'[{extras}]' if extras else ''} into {VENV}", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "serve":
        ensure_environment("")
        argv = [str(BIN / "photoshare"), "serve", *rest]
    else:
        ensure_environment("dev")
        argv = [str(BIN / "python"), "-m", "pytest", *rest]
    os.chdir(ROOT)
    return subprocess.call(argv)


if __name__ == "__main__":
    sys.exit(main())
