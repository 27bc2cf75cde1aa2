"""Swagger UI's "Try it out" sends what the person filled in, nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.media import samples
from tests.servers import ServeProcess, serving
from tests.web.browsers import CHROMIUM, CHROMIUM_ARGS, require_chromium

require_chromium()

UPLOAD = "#operations-photos-upload_photo"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    workdir = tmp_path_factory.mktemp("swagger")
    with serving(workdir / "data", workdir / "serve.log") as process:
        yield process


def test_try_it_out_upload_sends_no_placeholder_tag(server: ServeProcess, tmp_path: Path) -> None:
    image = tmp_path / "harbour.jpg"
    image.write_bytes(samples.jpeg())
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server.base}/docs")
            operation = page.locator(UPLOAD)
            operation.locator(".opblock-summary").click()
            operation.get_by_role("button", name="Try it out").click()
            body = operation.locator(".opblock-body")
            body.locator("input[type=file]").set_input_files(image)
            with page.expect_response(lambda r: r.request.method == "POST") as answered:
                body.get_by_role("button", name="Execute").click()
            assert answered.value.status == 401  # not logged in: the form is what matters
            # Swagger shows the request it sent as a curl command, one -F per form field.
            sent = body.locator(".curl-command").inner_text()
        finally:
            browser.close()
    assert "file=@harbour.jpg" in sent
    assert "tags=" not in sent
