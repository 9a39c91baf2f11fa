"""The image and compose file a force's IT deploys: no secrets in the build context or in
compose.yaml, pinned base images, locked dependencies, the port bound where the README says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_the_build_context_holds_no_env_file_database_or_checkout_state() -> None:
    ignore = _lines(".dockerignore")
    assert ignore[0] == "**"  # nothing goes in unless listed
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "LICENSE", "requirements.lock", "ncpi_core", "bot", "config"}
    assert {"**/.env", "**/*.db"} <= set(ignore)


def test_base_images_are_pinned_to_an_exact_version() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert base and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base[1])
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"postgres:\d+\.\d+-\w+(@sha256:[0-9a-f]{64})?", compose["services"]["db"]["image"])


def test_the_image_installs_exactly_the_locked_dependencies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps --no-build-isolation ." in dockerfile
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {m[1].lower() for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==\S+ \\$", lock, re.M)}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[1])
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = (project["dependencies"] + project["optional-dependencies"]["postgres"]
              + project["optional-dependencies"]["teams"])  # the image serves Teams as well as Slack
    names = {re.split(r"[<>=\[;]", w, maxsplit=1)[0].strip().lower().replace("_", "-") for w in wanted}
    assert names <= pinned, names - pinned
    assert {"setuptools", "wheel"} <= pinned  # the build backend too (--no-build-isolation)


def test_compose_keeps_secrets_out_and_binds_the_port_to_loopback() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert "POSTGRES_PASSWORD" not in db["environment"] and db["environment"]["POSTGRES_PASSWORD_FILE"]
    url = bot["environment"]["NCPI_DATABASE_URL"]
    assert re.fullmatch(r"postgresql://ncpi@db:5432/ncpi", url)  # no password in it
    assert {"source": "db_password", "target": "NCPI_DATABASE_PASSWORD"} in bot["secrets"]
    assert bot["ports"] == ["127.0.0.1:3000:3000"]
    assert "127.0.0.1:3000" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "command" not in bot  # the image's own start: migrate under a lock, load only a changed plan
    assert "plan load --if-changed" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
