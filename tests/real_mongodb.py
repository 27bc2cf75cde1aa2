"""The suite on a real MongoDB server: ``PHOTOSHARE_TEST_MONGODB_URL`` names it.

With the variable set, the tests that touch the database run against that server.
The database goes with the data dir, as the embedded store does: an app or a
``photoshare`` process on a data dir uses ``photoshare_test_<run>_<hash of the dir>``,
so a restart on the same dir finds its data and another dir starts empty. The
databases a test opened are dropped after it; the rest (a module's server) at the end
of the session. Tests marked ``embedded_only`` keep the embedded store. Without the
variable the suite runs on the embedded store, as it always has. The URL is read once,
when this module is imported: the tests' own environment is emptied of ``PHOTOSHARE_*``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from pymongo import MongoClient

URL_VARIABLE = "PHOTOSHARE_TEST_MONGODB_URL"
URL: str | None = os.environ.get(URL_VARIABLE) or None
SKIP_REASON = f"{URL_VARIABLE} is not set: no MongoDB server here"

# A key long enough for Settings' check on a real database (the embedded store makes one).
SECRET_KEY = "photoshare-test-secret-key-" + "x" * 32

# What links point at in embedded mode with the default host and port.
EMBEDDED_BASE_URL = "http://127.0.0.1:8000"

DATABASE_PREFIX = "photoshare_test_"
RUN_PREFIX = f"{DATABASE_PREFIX}{secrets.token_hex(4)}_"


class ServerDatabases:
    """The databases this run hands out, and whether the running test stays embedded."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.issued: list[str] = []
        self.embedded_only = False
        self._client: MongoClient[dict[str, Any]] | None = None

    @property
    def active(self) -> bool:
        return self.url is not None and not self.embedded_only

    def name_for(self, data_dir: Path) -> str:
        """The database of an app or process on ``data_dir`` (the same dir, the same one)."""
        digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
        name = f"{RUN_PREFIX}{digest}"
        if name not in self.issued:
            self.issued.append(name)
        return name

    def settings(self, data_dir: Path, base_url: str = EMBEDDED_BASE_URL) -> dict[str, Any]:
        """Settings values that point an app on ``data_dir`` at its database (none if embedded).

        A real database also needs a secret key and a public address (Settings refuses to
        start without them); the address is the one the embedded store's tests expect.
        """
        if not self.active:
            return {}
        return {
            "mongodb_url": self.url,
            "mongodb_database": self.name_for(data_dir),
            "secret_key": SECRET_KEY,
            "public_base_url": base_url,
        }

    def environment(self, data_dir: Path, base_url: str = EMBEDDED_BASE_URL) -> dict[str, str]:
        """The same, as the environment of a ``photoshare`` process."""
        return {
            f"PHOTOSHARE_{name.upper()}": str(value)
            for name, value in self.settings(data_dir, base_url).items()
        }

    def client(self) -> MongoClient[dict[str, Any]]:
        """A synchronous client to the test server, for set-up, explain and clean-up."""
        assert self.url is not None, SKIP_REASON
        if self._client is None:
            self._client = MongoClient(self.url, serverSelectionTimeoutMS=10_000, tz_aware=True)
        return self._client

    def drop_issued_after(self, count: int) -> None:
        """Drop the databases handed out since ``count`` had been."""
        for name in self.issued[count:]:
            self.client().drop_database(name)
        del self.issued[count:]

    def drop_all(self) -> None:
        """Drop every database of this run (also those a crashed test left) and disconnect."""
        if self.url is None:
            return
        server = self.client()
        for name in server.list_database_names():
            if name.startswith(RUN_PREFIX):
                server.drop_database(name)
        server.close()
        self._client = None


DATABASES = ServerDatabases(URL)
