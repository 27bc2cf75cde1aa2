"""The benchmarks' server environment: the stores they measure, and saying which."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def benchlib() -> ModuleType:
    """scripts/benchlib.py, imported as the benchmarks import it (from its folder)."""
    spec = importlib.util.spec_from_file_location("benchlib", ROOT / "scripts" / "benchlib.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("benchlib", module)
    spec.loader.exec_module(module)
    return module


def test_an_embedded_run_keeps_no_setting_of_the_caller(
    benchlib: ModuleType, tmp_path: Path
) -> None:
    caller = {
        "PATH": "/usr/bin",
        "PHOTOSHARE_MAX_PIXELS": "10",
        "PHOTOSHARE_SECRET_KEY": "",
        "CLOUDINARY_URL": "cloudinary://k:s@demo",
    }
    env = benchlib.server_env(tmp_path, caller)
    assert env == {
        "PATH": "/usr/bin",
        "PHOTOSHARE_DATA_DIR": str(tmp_path),
        "PHOTOSHARE_RATE_LIMIT_SIGNUPS_PER_HOUR": str(benchlib.SEEDING_SIGNUPS_PER_HOUR),
    }
    assert benchlib.store_measured(env) == "database embedded, redis embedded"


def test_a_real_mongodb_and_redis_are_measured_on_a_throwaway_database(
    benchlib: ModuleType, tmp_path: Path
) -> None:
    caller = {
        "PHOTOSHARE_MONGODB_URL": "mongodb://bench:pw@db1:27017,db2:27017/?replicaSet=rs0",
        "PHOTOSHARE_REDIS_URL": "redis://:pw@cache:6379/2",
        "PHOTOSHARE_LOG_LEVEL": "debug",
    }
    env = benchlib.server_env(tmp_path / "a", caller)
    assert env["PHOTOSHARE_MONGODB_URL"] == caller["PHOTOSHARE_MONGODB_URL"]
    assert env["PHOTOSHARE_REDIS_URL"] == caller["PHOTOSHARE_REDIS_URL"]
    assert "PHOTOSHARE_LOG_LEVEL" not in env
    database = env["PHOTOSHARE_MONGODB_DATABASE"]
    assert database.startswith(benchlib.BENCH_DATABASE_PREFIX)
    # A server and a command on the same data dir share it; another dir starts empty.
    assert benchlib.server_env(tmp_path / "a", caller)["PHOTOSHARE_MONGODB_DATABASE"] == database
    assert benchlib.server_env(tmp_path / "b", caller)["PHOTOSHARE_MONGODB_DATABASE"] != database
    assert len(env["PHOTOSHARE_SECRET_KEY"]) >= 32
    assert benchlib.store_measured(env) == (
        f"database mongodb://db1:27017,db2:27017 (database {database}), redis redis://cache:6379"
    )


def test_a_database_the_caller_names_is_used_and_never_dropped(
    benchlib: ModuleType, tmp_path: Path
) -> None:
    caller = {
        "PHOTOSHARE_MONGODB_URL": "mongodb://127.0.0.1:1",
        "PHOTOSHARE_MONGODB_DATABASE": "photoshare",
        "PHOTOSHARE_SECRET_KEY": "k" * 40,
        "PHOTOSHARE_PUBLIC_BASE_URL": "https://photos.example.org",
    }
    env = benchlib.server_env(tmp_path, caller)
    assert {name: env[name] for name in caller} == caller
    # Nothing listens on port 1: dropping would fail, so returning shows it is not tried.
    benchlib.drop_bench_database(env)
