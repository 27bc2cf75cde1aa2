"""Deployment files: compose services, volumes, healthchecks, and no secrets in them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_services_volumes_and_healthchecks() -> None:
    services = compose()["services"]
    assert set(services) == {"mongo", "redis", "app"}
    assert services["mongo"]["image"] == "mongo:7"
    assert services["redis"]["image"] == "redis:7"
    assert "--appendonly" in services["redis"]["command"]
    assert (
        services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1]
        == "yes"
    )
    for name, service in services.items():
        assert service["healthcheck"]["test"], name
    assert any(v.endswith(":/data/db") for v in services["mongo"]["volumes"])
    assert any(v.endswith(":/data") for v in services["redis"]["volumes"])
    app = services["app"]
    assert app["env_file"] == ".env"
    assert app["depends_on"] == {
        "mongo": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert app["environment"]["PHOTOSHARE_MONGODB_URL"].startswith("mongodb://mongo:")
    assert app["environment"]["PHOTOSHARE_REDIS_URL"].startswith("redis://redis:")
    named = {v.split(":")[0] for s in services.values() for v in s.get("volumes", [])}
    assert named <= set(compose()["volumes"])


def test_mongodb_runs_as_a_replica_set_that_the_compose_file_initiates() -> None:
    """Like production: a replica set (retryable writes, change streams), set up by compose."""
    services = compose()["services"]
    command = services["mongo"]["command"]
    assert command[command.index("--replSet") + 1] == "rs0"
    # The init step is the healthcheck: initiate unless rs.status() answers, healthy once
    # primary, and the app waits for that.
    check = services["mongo"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "mongosh", "--quiet"]
    script = check[check.index("--eval") + 1]
    assert re.search(r"try \{ rs\.status\(\) \} catch \(e\) \{\s*rs\.initiate\(", script)
    assert re.search(r"_id: 'rs0', members: \[\{_id: 0, host: 'mongo:27017'\}\]", script)
    assert "isWritablePrimary" in script
    assert services["app"]["depends_on"]["mongo"] == {"condition": "service_healthy"}
    url = urlsplit(services["app"]["environment"]["PHOTOSHARE_MONGODB_URL"])
    assert (url.scheme, url.hostname, url.port) == ("mongodb", "mongo", 27017)
    assert parse_qs(url.query) == {"replicaSet": ["rs0"]}


def test_no_secret_is_written_in_compose() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for service in compose()["services"].values():
        for key, value in (service.get("environment") or {}).items():
            assert not re.search(r"SECRET|PASSWORD|TOKEN|KEY", key), key
            assert "@" not in str(value), key  # no credentials in URLs
    assert "cloudinary://" not in text
    assert not re.search(r"PHOTOSHARE_SECRET_KEY\s*[:=]", text)


def test_image_runs_as_non_root_with_a_healthcheck_and_keeps_secrets_out() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    assert re.search(r"^USER photoshare$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and "data/" in ignored
