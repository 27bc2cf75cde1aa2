"""A client generated from /openapi.json works unedited against a real server."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml
from PIL import Image
from pyzbar import pyzbar

from tests.media import samples
from tests.servers import ServeProcess, serving

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_CONFIG = ROOT / "docs" / "openapi-python-client.yaml"
PACKAGE = "photo_share_client"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    workdir = tmp_path_factory.mktemp("generated-client")
    with serving(workdir / "data", workdir / "serve.log") as process:
        yield process


def generate(schema: dict[str, Any], workdir: Path) -> str:
    """Run openapi-python-client on the schema; return what it printed."""
    (workdir / "schema.json").write_text(json.dumps(schema))
    config = yaml.safe_load(GENERATOR_CONFIG.read_text())
    # Formatting the generated code (its default post hooks run ruff) is not under test.
    (workdir / "config.yaml").write_text(yaml.safe_dump({**config, "post_hooks": []}))
    options = ["--path", "schema.json", "--output-path", "client", "--config", "config.yaml"]
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", *options],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def generated(server: ServeProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated package's import name, importable for the module's tests."""
    workdir = tmp_path_factory.mktemp("generator")
    output = generate(httpx.get(f"{server.base}/openapi.json").json(), workdir)
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    sys.path.insert(0, str(workdir / "client"))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(workdir / "client"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def test_a_generated_client_signs_up_uploads_and_fetches_a_qr_code(
    server: ServeProcess, generated: str
) -> None:
    client_module = module(generated, "client")
    models = module(generated, "models")
    types = module(generated, "types")
    anonymous = client_module.Client(base_url=server.base)

    signup = module(generated, "api.auth.signup").sync_detailed(
        client=anonymous,
        body=models.SignupRequest(
            username="ada", email="ada@example.com", password="correct horse battery"
        ),
    )
    assert signup.status_code == 201, signup.content
    assert signup.parsed.username == "ada"

    tokens = module(generated, "api.auth.login").sync(
        client=anonymous, body=models.BodyLogin(username="ada", password="correct horse battery")
    )
    assert isinstance(tokens, models.TokenPair)
    user = client_module.AuthenticatedClient(base_url=server.base, token=tokens.access_token)

    upload = module(generated, "api.photos.upload_photo").sync_detailed(
        client=user,
        body=models.BodyUploadPhoto(
            file=types.File(
                payload=io.BytesIO(samples.jpeg(640, 480)),
                file_name="harbour.jpg",
                mime_type="image/jpeg",
            ),
            tags=["harbour", "Sunset"],
            description="Evening at the harbour",
        ),
    )
    assert upload.status_code == 201, upload.content
    photo = upload.parsed
    assert sorted(photo.tags) == ["harbour", "sunset"]
    assert photo.description == "Evening at the harbour"

    create_link = module(generated, "api.links.create_link")
    operations = [
        models.Resize(width=300, height=300, crop=models.ResizeCrop.FILL),
        models.Effect(name=models.EffectName.SEPIA),
    ]
    created = create_link.sync_detailed(
        photo.id, client=user, body=models.LinkFromTransformation(transformation=operations)
    )
    assert created.status_code == 201, created.content
    link = created.parsed
    assert link.photo_id == photo.id
    from_preset = create_link.sync_detailed(
        photo.id, client=user, body=models.LinkFromPreset(preset="grayscale")
    )
    assert from_preset.status_code == 201, from_preset.content
    assert from_preset.parsed.transformation == "e_grayscale"

    qr = module(generated, "api.links.link_qr").sync_detailed(link.id, client=anonymous)
    assert qr.status_code == 200
    assert isinstance(qr.parsed, types.File)
    png = qr.parsed.payload.read()
    assert png.startswith(b"\x89PNG")
    [symbol] = pyzbar.decode(Image.open(io.BytesIO(png)))
    assert symbol.data.decode() == link.url


def test_a_generated_client_fills_and_orders_an_album(server: ServeProcess, generated: str) -> None:
    client_module = module(generated, "client")
    models = module(generated, "models")
    types = module(generated, "types")
    anonymous = client_module.Client(base_url=server.base)
    account = {"username": "grace", "email": "grace@example.com", "password": "correct horse 2"}
    assert httpx.post(f"{server.base}/api/v1/auth/signup", json=account).status_code == 201
    tokens = module(generated, "api.auth.login").sync(
        client=anonymous, body=models.BodyLogin(username="grace", password="correct horse 2")
    )
    user = client_module.AuthenticatedClient(base_url=server.base, token=tokens.access_token)
    upload = module(generated, "api.photos.upload_photo")
    photo_ids = []
    for name in ("first.jpg", "second.jpg"):
        body = models.BodyUploadPhoto(
            file=types.File(
                payload=io.BytesIO(samples.jpeg()), file_name=name, mime_type="image/jpeg"
            )
        )
        photo_ids.append(upload.sync(client=user, body=body).id)

    album = module(generated, "api.albums.create_album").sync(
        client=user, body=models.AlbumCreate(title="Harbour", visibility=models.Visibility.UNLISTED)
    )
    assert (album.title, album.visibility, album.cover) == ("Harbour", "unlisted", None)
    add = module(generated, "api.albums.add_album_photo")
    for photo_id in photo_ids:
        added = add.sync_detailed(
            album.id, client=user, body=models.AlbumPhotoAdd(photo_id=photo_id)
        )
        assert added.status_code == 200, added.content
    again = add.sync_detailed(
        album.id, client=user, body=models.AlbumPhotoAdd(photo_id=photo_ids[0])
    )
    assert again.status_code == 409
    assert isinstance(again.parsed, models.ErrorOut)
    ordered = module(generated, "api.albums.reorder_album_photos").sync(
        album.id, client=user, body=models.AlbumOrder(photo_ids=list(reversed(photo_ids)))
    )
    assert (ordered.photos_count, ordered.cover.id) == (2, photo_ids[1])
    listed = module(generated, "api.albums.list_album_photos").sync(album.id, client=anonymous)
    assert [photo.id for photo in listed.items] == list(reversed(photo_ids))
    gallery = module(generated, "api.users.list_user_photos").sync("grace", client=anonymous)
    assert gallery.total == 2
