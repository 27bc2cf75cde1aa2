"""The documentation stays true to the code: settings, CLI commands and API paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices

from photoshare import cli
from photoshare.app import create_app
from photoshare.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOC_FILES = [
    "architecture.md",
    "configuration.md",
    "api-guide.md",
    "admin-guide.md",
    "operations.md",
]

# A command as written in the docs: "photoshare create-admin", not "--db photoshare --archive".
_COMMAND = re.compile(r"(?<![\w./-])photoshare ([a-z][a-z-]*)")
# An API path up to whitespace, quotes, a query string or closing punctuation.
_API_PATH = re.compile(r"/api/v1/[^\s\"'`)\]?#,;<>]*")
_ENV_NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def settings_env_names() -> set[str]:
    """The environment variable each Settings field is read from."""
    prefix = Settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.add(str(alias.choices[0]))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def documented_env_names(markdown: str) -> list[str]:
    """The backticked name opening the first cell of every table row."""
    names = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line.startswith("|") or re.fullmatch(r"\|[\s|:-]*", line):
            continue
        first_cell = line.strip("|").split("|")[0]
        match = _ENV_NAME.search(first_cell)
        if match:
            names.append(match.group(1))
    return names


def cli_commands(capsys: pytest.CaptureFixture[str]) -> set[str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    choices = re.search(r"\{([a-z,-]+)\}", usage)
    assert choices, usage
    return set(choices.group(1).split(","))


def path_matches(documented: str, route: str) -> bool:
    """Whether a documented path names this route; ``{param}`` matches any one segment."""
    doc_parts = documented.rstrip("/").split("/")
    route_parts = route.rstrip("/").split("/")
    if len(doc_parts) != len(route_parts):
        return False
    return all(
        doc == part or (part.startswith("{") and part.endswith("}") and doc != "")
        for doc, part in zip(doc_parts, route_parts, strict=True)
    )


def test_every_doc_file_exists() -> None:
    for name in DOC_FILES:
        path = DOCS / name
        assert path.is_file(), f"docs/{name} is missing"
        assert path.read_text(encoding="utf-8").startswith("# "), f"docs/{name} has no title"


def test_configuration_table_lists_exactly_the_settings() -> None:
    documented = documented_env_names(_read("configuration.md"))
    duplicates = sorted({name for name in documented if documented.count(name) > 1})
    assert not duplicates, f"documented more than once: {duplicates}"
    expected = settings_env_names()
    assert "CLOUDINARY_URL" in expected
    missing = sorted(expected - set(documented))
    unknown = sorted(set(documented) - expected)
    assert not missing, f"settings missing from docs/configuration.md: {missing}"
    assert not unknown, f"docs/configuration.md documents no such setting: {unknown}"
    assert set(documented) == expected


def test_documented_commands_exist(capsys: pytest.CaptureFixture[str]) -> None:
    commands = cli_commands(capsys)
    assert {"serve", "create-admin", "demo", "check-indexes"} <= commands
    mentioned = {(name, command) for name in DOC_FILES for command in _COMMAND.findall(_read(name))}
    assert mentioned, "the docs mention no photoshare command"
    unknown = sorted((name, command) for name, command in mentioned if command not in commands)
    assert not unknown, f"commands the CLI does not have: {unknown}"


def test_api_guide_paths_are_routes(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_dir=tmp_path))
    routes = list(app.openapi()["paths"])
    paths = {path.rstrip(".:") for path in _API_PATH.findall(_read("api-guide.md"))}
    assert len(paths) >= 10, paths
    unknown = sorted(p for p in paths if not any(path_matches(p, route) for route in routes))
    assert not unknown, f"docs/api-guide.md names paths the app does not serve: {unknown}"


def test_path_matching() -> None:
    assert path_matches("/api/v1/photos/$PHOTO/links", "/api/v1/photos/{photo_id}/links")
    assert path_matches("/api/v1/links/6b08671a99b33b3f81aa72aa/qr", "/api/v1/links/{link_id}/qr")
    assert not path_matches("/api/v1/photos/x/likes", "/api/v1/photos/{photo_id}/links")
    assert not path_matches("/api/v1/photos", "/api/v1/photos/{photo_id}")
