"""`ncpi teams-package`: a zip Teams accepts — manifest.json valid against Microsoft's own JSON schema
for its manifest version (from the npm package @microsoft/app-manifest, which .ci/run unpacks),
both scopes, a command menu of words the bot really answers to, and icons of the sizes Teams asks."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from PIL import Image

from bot.cli import main
from bot.teams.commands import REGISTRY
from bot.teams.package import MANIFEST_VERSION, write_package
from ncpi_core.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
NPM_DIR = ROOT / ".ci" / "npm"
PACKAGE = "@microsoft/app-manifest@1.1.2"
APP_ID = "4f5e6d7c-8b9a-4a0b-9c1d-2e3f4a5b6c7d"


@pytest.fixture(scope="session")
def manifest_schema() -> dict[str, Any]:
    """Microsoft's schema for our manifest version; unpacked from npm when .ci/run has not done it."""
    path = NPM_DIR / "package" / "build" / "json-schemas" / "teams" / f"v{MANIFEST_VERSION}" / "MicrosoftTeams.schema.json"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"the Teams manifest schema is not at {path}, and npm is not installed to fetch it: "
                        f"install npm, or run: mkdir -p .ci/npm && cd .ci/npm && npm pack {PACKAGE} && tar xzf *.tgz")
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        packed = subprocess.run([npm, "pack", "--silent", PACKAGE], cwd=NPM_DIR, capture_output=True, text=True,
                                timeout=300, check=True).stdout.strip().splitlines()[-1]
        subprocess.run(["tar", "xzf", packed], cwd=NPM_DIR, check=True, timeout=60)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@pytest.fixture
def package(tmp_path: Path) -> zipfile.ZipFile:
    out = tmp_path / "ncpi-teams.zip"
    assert main(["teams-package", "--out", str(out), "--app-id", APP_ID]) == 0
    return zipfile.ZipFile(out)


def test_the_manifest_is_valid_against_microsofts_schema(package: zipfile.ZipFile,
                                                          manifest_schema: dict[str, Any]) -> None:
    manifest = json.loads(package.read("manifest.json"))
    errors = sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                    for e in Draft4Validator(manifest_schema, format_checker=FormatChecker()).iter_errors(manifest))
    assert errors == []
    assert manifest["manifestVersion"] == MANIFEST_VERSION and manifest["$schema"].endswith(
        f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID and set(bot["scopes"]) == {"personal", "team"}


def test_the_schema_check_can_fail(manifest_schema: dict[str, Any], tmp_path: Path) -> None:
    """The control: the same check refuses a manifest Teams would refuse."""
    manifest = write_package(tmp_path / "p.zip", APP_ID).manifest
    manifest["bots"][0]["scopes"] = ["everywhere"]
    del manifest["accentColor"]
    assert len(list(Draft4Validator(manifest_schema).iter_errors(manifest))) >= 2


def test_the_command_menu_is_words_the_bot_answers_to(package: zipfile.ZipFile) -> None:
    manifest = json.loads(package.read("manifest.json"))
    lists = {tuple(c["scopes"]): c["commands"] for c in manifest["bots"][0]["commandLists"]}
    assert set(lists) == {("personal",), ("team",)}
    for commands in lists.values():
        assert 1 <= len(commands) <= 10
        for c in commands:
            assert c["title"] in REGISTRY and len(c["title"]) <= 32 and len(c["description"]) <= 128
    assert "summary" in [c["title"] for c in lists[("team",)]]


def test_the_icons_are_the_sizes_teams_asks_for(package: zipfile.ZipFile) -> None:
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]  # all at the root
    with Image.open(io.BytesIO(package.read("color.png"))) as color:
        assert color.size == (192, 192) and color.format == "PNG"
    with Image.open(io.BytesIO(package.read("outline.png"))) as outline:
        assert outline.size == (32, 32) and outline.mode == "RGBA"
        pixels = {colour for _, colour in outline.getcolors(maxcolors=32 * 32) or []}
    assert pixels <= {(255, 255, 255, 255), (255, 255, 255, 0)}  # white on transparent, nothing else
    assert (255, 255, 255, 255) in pixels and (255, 255, 255, 0) in pixels


def test_the_same_bot_always_gets_the_same_app_id(tmp_path: Path) -> None:
    first = write_package(tmp_path / "a.zip", APP_ID).manifest["id"]
    again = write_package(tmp_path / "b.zip", APP_ID.upper()).manifest["id"]
    other = write_package(tmp_path / "c.zip", "00000000-1111-2222-3333-444444444444").manifest["id"]
    assert first == again != other


@pytest.mark.parametrize(("app_id", "code"), [("", "teams.app_id_missing"), ("not-a-guid", "teams.app_id_malformed")])
def test_a_missing_or_malformed_app_id_is_one_clear_line(tmp_path: Path, app_id: str, code: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigurationError) as refused:
        write_package(tmp_path / "p.zip", app_id)
    assert refused.value.code == code
    assert main(["teams-package", "--out", str(tmp_path / "p.zip"), "--app-id", app_id or " "]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("ncpi teams-package: MICROSOFT_APP_ID") and "\n" not in err
    assert not (tmp_path / "p.zip").exists()


def test_the_force_publishes_it_with_its_own_pages(tmp_path: Path, manifest_schema: dict[str, Any],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "force.zip"
    pages = {"--website-url": "https://www.example.police.uk/ncpi", "--privacy-url":
             "https://www.example.police.uk/privacy", "--terms-url": "https://www.example.police.uk/terms"}
    assert main(["teams-package", "--out", str(out), "--app-id", APP_ID, *[x for kv in pages.items() for x in kv]]) == 0
    assert "placeholders" not in capsys.readouterr().out
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["developer"] == {"name": "North Yorkshire Police", "websiteUrl": pages["--website-url"],
                                     "privacyUrl": pages["--privacy-url"], "termsOfUseUrl": pages["--terms-url"]}
    assert list(Draft4Validator(manifest_schema, format_checker=FormatChecker()).iter_errors(manifest)) == []
