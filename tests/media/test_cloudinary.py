"""The Cloudinary backend against a local fake of its upload API (no network)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler

import cloudinary.utils
import httpx
import pytest
from pymongo.errors import AutoReconnect

from photoshare.app import create_app
from photoshare.config import Settings
from photoshare.photos.models import Photo
from tests.factories import PhotoFactory, UserFactory
from tests.media import samples
from tests.photos.test_photos import stored_files
from tests.servers import http_stand_in, lifespan


@dataclass
class Received:
    path: str
    fields: dict[str, str]
    file: bytes | None


@dataclass
class FakeCloudinary:
    requests: list[Received] = field(default_factory=list)
    fail_uploads: bool = False
    port: int = 0


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], bytes | None]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    file = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if name == "file":
            file = payload
        else:
            fields[str(name)] = payload.decode()
    return fields, file


@pytest.fixture
def fake_cloudinary() -> Iterator[FakeCloudinary]:
    fake = FakeCloudinary()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fields, file = _parse_multipart(self.headers["Content-Type"], body)
            fake.requests.append(Received(self.path, fields, file))
            if self.path.endswith("/upload") and fake.fail_uploads:
                self._reply(500, {"error": {"message": "General Error"}})
            elif self.path.endswith("/upload"):
                public_id = fields["public_id"]
                self._reply(200, {"public_id": public_id, "version": 1, "format": "jpg"})
            else:
                self._reply(200, {"result": "ok"})

        def _reply(self, status: int, payload: dict[str, object]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with http_stand_in(Handler) as port:
        fake.port = port
        yield fake


@pytest.fixture
async def cloud_client(
    make_settings: Callable[..., Settings], fake_cloudinary: FakeCloudinary
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = make_settings(
        cloudinary_url=(
            "cloudinary://123456:topsecret@demo-cloud"
            f"?upload_prefix=http://127.0.0.1:{fake_cloudinary.port}"
        )
    )
    app = create_app(settings)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, settings


async def test_upload_and_delete_go_to_cloudinary(
    cloud_client: tuple[httpx.AsyncClient, Settings], fake_cloudinary: FakeCloudinary
) -> None:
    client, settings = cloud_client
    owner = await UserFactory(client).create()
    photo = await PhotoFactory(client).upload(owner, samples.jpeg_sideways_with_gps(), tags="sea")

    [upload] = fake_cloudinary.requests
    assert upload.path == "/v1_1/demo-cloud/image/upload"
    public_id = upload.fields["public_id"]
    assert public_id.startswith("photos/")
    assert upload.fields["api_key"] == "123456"
    assert upload.fields["signature"]
    assert "topsecret" not in json.dumps(upload.fields)
    # What reaches Cloudinary is the cleaned image: upright, without EXIF.
    assert upload.file is not None and b"Canon" not in upload.file
    assert (photo["width"], photo["height"]) == (200, 400)

    expected_url, _ = cloudinary.utils.cloudinary_url(
        public_id, cloud_name="demo-cloud", secure=True, format="jpg"
    )
    assert photo["url"] == expected_url
    assert stored_files(settings) == []

    deleted = await client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    destroy = fake_cloudinary.requests[-1]
    assert destroy.path == "/v1_1/demo-cloud/image/destroy"
    assert destroy.fields["public_id"] == public_id
    assert destroy.fields["invalidate"] in {"1", "true", "True"}


async def test_cloudinary_failure_stores_nothing(
    cloud_client: tuple[httpx.AsyncClient, Settings], fake_cloudinary: FakeCloudinary
) -> None:
    client, settings = cloud_client
    owner = await UserFactory(client).create()
    fake_cloudinary.fail_uploads = True
    error = await PhotoFactory(client).upload(owner, expect=503)
    assert "try again" in str(error["detail"])
    assert await Photo.count() == 0
    assert stored_files(settings) == []


async def test_database_failure_after_upload_removes_the_stored_image(
    cloud_client: tuple[httpx.AsyncClient, Settings],
    fake_cloudinary: FakeCloudinary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, _ = cloud_client
    owner = await UserFactory(client).create()

    async def failing_insert(self: Photo, **_: object) -> None:
        raise AutoReconnect("connection reset")

    monkeypatch.setattr(Photo, "insert", failing_insert)
    error = await PhotoFactory(client).upload(owner, expect=503)
    assert "database" in str(error["detail"]).lower()
    upload, destroy = fake_cloudinary.requests
    assert destroy.path.endswith("/destroy")
    assert destroy.fields["public_id"] == upload.fields["public_id"]


async def test_display_sizes_are_cloudinary_delivery_urls(
    cloud_client: tuple[httpx.AsyncClient, Settings], fake_cloudinary: FakeCloudinary
) -> None:
    client, settings = cloud_client
    owner = await UserFactory(client).create()
    photo = await PhotoFactory(client).upload(owner, samples.jpeg(2400, 1800))

    [upload] = fake_cloudinary.requests  # the photo only: Cloudinary makes the sizes
    public_id = upload.fields["public_id"]
    sizes = photo["sizes"]
    assert isinstance(sizes, dict)
    for name, box, dimensions in (("thumb", 480, (480, 360)), ("preview", 1600, (1600, 1200))):
        url = sizes[name]["url"]
        assert url.startswith("https://res.cloudinary.com/demo-cloud/image/upload/")
        assert f"/c_limit,f_webp,h_{box},w_{box}/" in url
        assert url.endswith(f"/{public_id}.jpg")
        assert (sizes[name]["width"], sizes[name]["height"]) == dimensions
    assert photo["placeholder"]
    assert stored_files(settings) == []

    deleted = await client.delete(f"/api/v1/photos/{photo['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert [r.path for r in fake_cloudinary.requests[1:]] == ["/v1_1/demo-cloud/image/destroy"]
