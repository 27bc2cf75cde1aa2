"""`python3 dev.py serve`: Ctrl+C and stop signals reach the server, which stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from photoshare import datadir
from tests.servers import free_port, photoshare_env, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent

# dev.py's fallback where exec is unavailable, run here by hand.
_ATTACHED = """
import sys
sys.path.insert(0, sys.argv[1])
import dev
sys.exit(dev.run_attached(sys.argv[2:]))
"""


@contextmanager
def started(argv: list[str], data_dir: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` in a session of its own, as a terminal starts a command."""
    port = free_port()
    env = photoshare_env(data_dir, PHOTOSHARE_PORT=str(port))
    # dev.py runs in the virtualenv the tests run in (made by `dev.py test`).
    env["PHOTOSHARE_VENV"] = sys.prefix
    with log.open("ab") as output:
        process = subprocess.Popen(
            argv, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_serving(process, f"http://127.0.0.1:{port}", log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _clean_stop(log: Path) -> None:
    output = log.read_text()
    assert "stopped cleanly" in output and "Traceback" not in output, output


def test_ctrl_c_stops_dev_serve_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with started([sys.executable, str(ROOT / "dev.py"), "serve"], tmp_path, log) as process:
        # dev.py became the server: the process that holds the data dir is dev.py's.
        assert f"process {process.pid} " in str(datadir.holder(tmp_path))
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C in a terminal does
        assert process.wait(timeout=60) == 0
    _clean_stop(log)


def test_sigterm_stops_dev_serve_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with started([sys.executable, str(ROOT / "dev.py"), "serve"], tmp_path, log) as process:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    _clean_stop(log)


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_without_exec_the_server_is_waited_for(tmp_path: Path, stop: str) -> None:
    """The fallback passes stop signals on and waits until the server has stopped."""
    log = tmp_path / "serve.log"
    serve = [sys.executable, "-m", "photoshare.cli", "serve"]
    argv = [sys.executable, "-c", _ATTACHED, str(ROOT), *serve]
    with started(argv, tmp_path, log) as process:
        if stop == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)  # to dev.py only: it passes it on
        assert process.wait(timeout=60) == 0
        # dev.py returned only after the server had stopped and let go of the data dir.
        assert datadir.holder(tmp_path) is None
    _clean_stop(log)
