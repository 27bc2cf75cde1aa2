"""Start-up, configuration safety and the embedded store surviving a restart."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from photoshare.app import create_app
from photoshare.config import ConfigurationError, Settings
from tests.factories import UserFactory
from tests.servers import lifespan


@pytest.mark.embedded_only
async def test_data_survives_a_clean_restart(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    first = create_app(settings)
    async with (
        lifespan(first),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://t") as http,
    ):
        account = await UserFactory(http).create("survivor")
        assert (await http.post("/api/v1/auth/logout", headers=account.headers)).status_code == 204
    assert (settings.data_dir / "mongo.sqlite3").exists()
    assert (settings.data_dir / "redis.sqlite3").exists()
    assert (settings.data_dir / "secret_key").exists()

    second = create_app(make_settings())
    async with (
        lifespan(second),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://t") as http,
    ):
        # The logged-out token stays logged out across the restart.
        assert (await http.get("/api/v1/users/me", headers=account.headers)).status_code == 401
        await UserFactory(http).login(account)
        me = await http.get("/api/v1/users/me", headers=account.headers)
        assert me.status_code == 200
        assert me.json()["role"] == "admin"
        # The unique indexes came back too.
        taken = await http.post(
            "/api/v1/auth/signup",
            json={"username": "SURVIVOR", "email": "x@example.com", "password": "long enough"},
        )
        assert taken.status_code == 409


@pytest.mark.parametrize("secret", [None, "changeme", "short"])
def test_real_database_refuses_missing_or_weak_secret(
    make_settings: Callable[..., Settings], secret: str | None
) -> None:
    settings = make_settings(mongodb_url="mongodb://127.0.0.1:1", secret_key=secret)
    with pytest.raises(ConfigurationError, match="PHOTOSHARE_SECRET_KEY"):
        create_app(settings)


@pytest.mark.embedded_only
def test_embedded_secret_is_generated_once(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    key = settings.resolve_secret_key()
    assert len(key) >= 32
    assert make_settings().resolve_secret_key() == key
    assert (settings.data_dir / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.embedded_only
async def test_startup_log_names_the_mode(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="photoshare")
    app = create_app(make_settings())
    async with lifespan(app):
        pass
    assert any("embedded mode" in record.getMessage() for record in caplog.records)
