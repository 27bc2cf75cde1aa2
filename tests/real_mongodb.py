"""The suite on a real MongoDB server: ``PHOTOSHARE_TEST_MONGODB_URL`` names it.

With the variable set, the tests that touch the database run against that server,
each on its own throwaway database (``photoshare_test_<run>_<n>``) dropped after the
test; whatever a test left behind is swept at the end of the session. Without it the
suite runs on the embedded store, as it always has. The URL is read once, when this
module is imported: the tests' own environment is emptied of ``PHOTOSHARE_*`` names.
"""

from __future__ import annotations

import itertools
import os
import secrets
from urllib.parse import urlsplit

from pymongo import MongoClient

URL_VARIABLE = "PHOTOSHARE_TEST_MONGODB_URL"
URL: str | None = os.environ.get(URL_VARIABLE) or None
SKIP_REASON = f"{URL_VARIABLE} is not set: no MongoDB server here"

# A key long enough for Settings' check on a real database (the embedded store makes one).
SECRET_KEY = "photoshare-test-secret-key-" + "x" * 32

DATABASE_PREFIX = "photoshare_test_"
RUN_PREFIX = f"{DATABASE_PREFIX}{secrets.token_hex(4)}_"
_numbers = itertools.count(1)


def new_database_name() -> str:
    """A database name no other test and no other run uses."""
    return f"{RUN_PREFIX}{next(_numbers)}"


def client() -> MongoClient[dict[str, object]]:
    """A short-lived synchronous client to the test server (for setup and clean-up)."""
    assert URL is not None, SKIP_REASON
    return MongoClient(URL, serverSelectionTimeoutMS=10_000, tz_aware=True)


def drop_database(name: str) -> None:
    with client() as server:
        server.drop_database(name)


def drop_run_databases() -> list[str]:
    """Drop every database this run created (those a test did not drop itself)."""
    with client() as server:
        names = [n for n in server.list_database_names() if n.startswith(RUN_PREFIX)]
        for name in names:
            server.drop_database(name)
    return names


def described(url: str | None) -> str:
    """Which store a run measured or used: "embedded", or the server's hosts without credentials."""
    if not url:
        return "embedded"
    parts = urlsplit(url)
    hosts = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{hosts}"
