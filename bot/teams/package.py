"""The Teams app package: manifest.json (app manifest v1.22), color.png (192×192) and outline.png
(32×32, white on transparent), drawn with Pillow when the package is built, zipped for upload in
the Teams admin centre (Teams apps → Manage apps → Upload new app)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from bot.settings import GUID
from bot.teams.commands import REGISTRY
from ncpi_core.errors import ConfigurationError

MANIFEST_VERSION = "1.22"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#1F4E79"  # dark blue: white on it is 8.6:1
GOLD, SILVER, BRONZE = (212, 175, 55), (192, 192, 192), (205, 127, 50)
# what the command menu offers (Teams shows at most 10 a scope); every word in `help` works anyway
PERSONAL_COMMANDS = ("my", "update", "summary", "complete", "history", "next", "due", "away", "back", "help")
TEAM_COMMANDS = ("summary", "missing", "next", "chase", "approve", "reject", "signoff", "help")
PLACEHOLDER = "https://www.example.org/ncpi"  # replace with the force's own pages (see README)


@dataclass(frozen=True)
class Package:
    path: Path
    manifest: dict[str, Any]
    manifest_version: str = MANIFEST_VERSION

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)


def _ncpi_version() -> str:
    try:
        return installed_version("ncpi")
    except PackageNotFoundError:
        return "0.1.0"


def _commands(names: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"title": REGISTRY[n].usage.split()[0], "description": f"{REGISTRY[n].help} — e.g. {REGISTRY[n].usage}"[:128]}
            for n in names if n in REGISTRY]


def build_manifest(app_id: str, version: str | None = None, developer: str = "ncpi",
                   website: str = PLACEHOLDER, privacy: str = f"{PLACEHOLDER}/privacy",
                   terms: str = f"{PLACEHOLDER}/terms") -> dict[str, Any]:
    """The manifest for the bot registered as `app_id` (personal and team scopes, the command menu).

    The app's own id is derived from the bot's, so a package built again updates the same app.
    """
    return {
        "$schema": SCHEMA_URL, "manifestVersion": MANIFEST_VERSION, "version": version or _ncpi_version(),
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ncpi-teams-app:{app_id.lower()}")),
        "developer": {"name": developer[:32], "websiteUrl": website, "privacyUrl": privacy, "termsOfUseUrl": terms},
        "name": {"short": "ncpi", "full": "ncpi: the inspection action plan's Gold/Silver/Bronze cycle"},
        "description": {
            "short": "Asks action owners for updates; posts Silver and Gold summaries.",
            "full": ("ncpi runs the governance cycle of a police force's inspection action plan. Before each "
                     "Silver meeting it asks each Bronze lead, in a chat of their own, for an update on each "
                     "action they own (buttons, a short form, or a message such as 'R3.2 amber 60% training "
                     "slots delayed'), nudges the silent, and posts the Silver and Gold summaries to their "
                     "channels. It keeps action-plan facts only, never details of a child or a case."),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [{"botId": app_id, "scopes": ["personal", "team"], "isNotificationOnly": False,
                  "supportsFiles": False,
                  "commandLists": [{"scopes": ["personal"], "commands": _commands(PERSONAL_COMMANDS)},
                                   {"scopes": ["team"], "commands": _commands(TEAM_COMMANDS)}]}],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def _shield(size: int) -> list[tuple[float, float]]:
    s = size
    return [(0.2 * s, 0.16 * s), (0.8 * s, 0.16 * s), (0.8 * s, 0.52 * s), (0.5 * s, 0.86 * s),
            (0.2 * s, 0.52 * s)]


def draw_color_icon() -> bytes:
    """192×192: a white shield on the accent colour, with gold, silver and bronze bars."""
    from PIL import Image, ImageDraw  # lazy: only building the package needs Pillow

    image = Image.new("RGB", (192, 192), ACCENT)
    draw = ImageDraw.Draw(image)
    draw.polygon(_shield(192), fill="white")
    for i, colour in enumerate((GOLD, SILVER, BRONZE)):
        top = 48 + i * 26
        draw.rectangle((64, top, 128, top + 14), fill=colour)
    return _png(image)


def draw_outline_icon() -> bytes:
    """32×32: the shield's outline and bars in white on transparent (Teams tints it)."""
    from PIL import Image, ImageDraw  # lazy: only building the package needs Pillow

    image = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(_shield(32), outline=(255, 255, 255, 255), width=2)
    for i in range(3):
        top = 9 + i * 4
        draw.line((12, top, 20, top), fill=(255, 255, 255, 255), width=2)
    return _png(image)


def _png(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_package(out: Path, app_id: str | None, version: str | None = None, **developer: str) -> Package:
    """Write the zip (manifest.json, color.png, outline.png at its root, as Teams requires).

    Raises:
        ConfigurationError: no app id, or not a GUID (the Azure Bot's Microsoft App ID).
    """
    app_id = (app_id or "").strip()
    if not app_id:
        raise ConfigurationError("teams.app_id_missing")
    if not GUID.match(app_id):
        raise ConfigurationError("teams.app_id_malformed")
    manifest = build_manifest(app_id, version, **developer)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr("color.png", draw_color_icon())
        archive.writestr("outline.png", draw_outline_icon())
    return Package(out, manifest)
