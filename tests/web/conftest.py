"""Browser tests: keep each phase's report so fixtures can save screenshots of a failure."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Keep each phase's report on the item so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
