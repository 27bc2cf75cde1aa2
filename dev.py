#!/usr/bin/env python3
"""Bootstrap and run PhotoShare with nothing but Python 3.11+.

    python3 dev.py serve [photoshare serve options]   # http://127.0.0.1:8000, embedded mode
    python3 dev.py test                               # the whole test suite
    python3 dev.py test  [pytest options]             # pytest itself, as asked

Each command creates ./.venv on first use and reinstalls the project into it
whenever pyproject.toml changes; then dev.py becomes the command, run from that
virtualenv, so Ctrl+C and stop signals reach it directly.

The whole suite runs in two passes: every file but SEQUENTIAL on pytest-xdist workers
(one file to a worker at a time), then SEQUENTIAL in one plain process. Schemathesis'
parametrized tests do not survive xdist (they collapse to one item), and the replay of
every recorded query on a MongoDB server has to come after all of them were issued. Each
process saves the queries it issued, and the last pass checks that the union is indexed
(tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PHOTOSHARE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# Run after the xdist pass, in a process of their own (see the module docstring).
SEQUENTIAL = ("tests/security/test_fuzz.py", "tests/test_real_mongodb.py")


def _installed(extras: str, digest_of: str) -> bool:
    stamp = VENV / f".photoshare-installed-{extras or 'base'}"
    return stamp.exists() and stamp.read_text() == digest_of


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"PhotoShare needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(pyproject + extras.encode()).hexdigest()
    if _installed(extras, digest):
        return
    # The development install has everything the service needs.
    if not extras and _installed("dev", hashlib.sha256(pyproject + b"dev").hexdigest()):
        return
    print(f"dev.py: installing PhotoShare{f'[{extras}]' if extras else ''} into {VENV}", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "-e", target], check=True, cwd=ROOT)
    (VENV / f".photoshare-installed-{extras or 'base'}").write_text(digest)


def run_attached(argv: list[str]) -> int:
    """Run a command as a child, until it ends, and return its exit code.

    For systems without ``exec``. Ctrl+C reaches the child from the terminal by itself;
    other stop signals are passed on. Either way the child decides when it has stopped
    (a server saves its data first), and it is waited for without a deadline.
    """
    children: list[subprocess.Popen[bytes]] = []

    def pass_on(signum: int, frame: object) -> None:
        if signum == signal.SIGINT:
            return  # the terminal sent Ctrl+C to the child too: once is a graceful stop
        for child in children:
            child.send_signal(signum)

    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), pass_on)
    children.append(subprocess.Popen(argv))
    return children[0].wait()


def whole_suite(python: str) -> int:
    """Run every test: an xdist pass, then SEQUENTIAL; the query check spans both."""
    workers = str(min(os.cpu_count() or 1, 4))
    ignored = [f"--ignore={path}" for path in SEQUENTIAL]
    pytest = [python, "-m", "pytest"]
    with tempfile.TemporaryDirectory(prefix="photoshare-queries-") as queries:
        os.environ["PHOTOSHARE_TEST_QUERIES_SAVED_TO"] = queries
        parallel = run_attached([*pytest, "-n", workers, "--dist", "loadfile", *ignored])
        del os.environ["PHOTOSHARE_TEST_QUERIES_SAVED_TO"]
        if parallel not in (0, 1):  # interrupted, or pytest could not run: no second pass
            return parallel
        print(f"dev.py: then {', '.join(SEQUENTIAL)} in one process", flush=True)
        os.environ["PHOTOSHARE_TEST_QUERIES_MERGED_FROM"] = queries
        last = run_attached([*pytest, *SEQUENTIAL])
    return parallel or last


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
    if command == "test" and not rest:
        return whole_suite(str(BIN / "python"))
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        # Become the command: signals (Ctrl+C, SIGTERM, SIGHUP) reach it directly, and
        # whoever started dev.py waits for the command itself.
        os.execv(argv[0], argv)  # noqa: S606 - an argument list, no shell
    return run_attached(argv)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # while preparing .venv, before the command took over
        print("dev.py: interrupted", file=sys.stderr)
        sys.exit(130)
