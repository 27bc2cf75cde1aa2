"""The index check spans a run split over several pytest processes, as `dev.py test` splits it.

Each case runs pytest in child processes with tests/conftest.py as a plugin, on small
test files that issue one query through mongomock, as the services' queries reach it:
earlier passes (xdist workers among them) only save what they recorded; the last pass
merges every record and fails on a query no declared index serves, whichever process
issued it.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import QUERIES_MERGED_FROM, QUERIES_SAVED_TO

ROOT = Path(__file__).resolve().parent.parent

# A users lookup by username_key (a declared unique index) and one by a field no index has.
INDEXED = "mongomock.MongoClient().photoshare.users.find_one({'username_key': 'ada'})"
UNINDEXED = "mongomock.MongoClient().photoshare.users.find_one({'bio': 'hello'})"


def _test_file(directory: Path, name: str, query: str) -> Path:
    path = directory / f"test_{name}.py"
    path.write_text(f"import mongomock\n\n\ndef test_{name}():\n    {query}\n")
    return path


def _pytest(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider"]
    # Only the plugins these runs use: schemathesis, hypothesis and playwright load slowly.
    command += ["-p", "xdist.plugin", "-p", "pytest_asyncio.plugin"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSHARE_")}
    environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [*command, "-c", str(ROOT / "pyproject.toml"), *map(str, args)],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_worker_s_unindexed_query_fails_the_last_pass(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    indexed = _test_file(tmp_path, "indexed", INDEXED)
    unindexed = _test_file(tmp_path, "unindexed", UNINDEXED)
    workers = _pytest(
        "-n", "2", "--dist", "loadfile", indexed, unindexed, **{QUERIES_SAVED_TO: str(records)}
    )
    assert workers.returncode == 0, workers.stdout + workers.stderr
    assert "not served by any declared index" not in workers.stdout
    assert list(records.glob("queries-*.pickle"))  # the workers' records

    last = _pytest(_test_file(tmp_path, "last", INDEXED), **{QUERIES_MERGED_FROM: str(records)})
    assert last.returncode == 1, last.stdout + last.stderr
    assert "Queries not served by any declared index" in last.stdout
    listed = last.stdout.split("declared index:\n")[1].splitlines()
    uncovered = list(itertools.takewhile(lambda line: line.startswith("  "), listed))
    # Only the unindexed query: the indexed ones, from a worker and from the last pass, pass.
    assert uncovered == ["  find on users: equality ['bio'], ranges [], sort []"]


def test_a_last_pass_without_records_is_refused(tmp_path: Path) -> None:
    """A wrong directory would check only the last pass: refused, not passed."""
    last = _pytest(_test_file(tmp_path, "last", INDEXED), **{QUERIES_MERGED_FROM: str(tmp_path)})
    assert last.returncode == 4, last.stdout + last.stderr
    assert "no recorded queries" in last.stdout + last.stderr
