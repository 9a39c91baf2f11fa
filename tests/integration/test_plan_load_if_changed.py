"""`ncpi plan load --if-changed` (what compose.yaml runs at every start) loads the plan file only when
it changed since the last load, and says which, so a spreadsheet import is never undone by a restart."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from bot.cli import main

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(config))
    monkeypatch.setenv("NCPI_DATABASE_URL", f"sqlite:///{tmp_path / 'ncpi.db'}")
    assert main(["db", "upgrade"]) == 0
    return config


def _title_of(tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str) -> str:
    out = tmp_path / "now.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    capsys.readouterr()
    return next(r["action_title"] for r in csv.DictReader(out.open(encoding="utf-8")) if r["action_id"] == action)


def test_a_restart_keeps_a_spreadsheet_import_and_a_changed_file_is_loaded(
        deployed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "load", "--if-changed"]) == 0
    assert "never loaded before: loading it" in capsys.readouterr().out
    # the coordinator renames an action in the spreadsheet and imports it
    sheet = tmp_path / "plan.csv"
    assert main(["export", "--format", "csv", "--out", str(sheet)]) == 0
    text = sheet.read_text(encoding="utf-8")
    first_title = _title_of(tmp_path, capsys, "R1.1")
    sheet.write_text(text.replace(first_title, "Renamed in the spreadsheet", 1), encoding="utf-8")
    assert main(["plan", "import", str(sheet)]) == 0
    # a restart: the YAML is unchanged, so it is not loaded over the import
    capsys.readouterr()
    assert main(["plan", "load", "--if-changed"]) == 0
    said = capsys.readouterr().out
    assert "unchanged since it was loaded at" in said and "not loaded again" in said
    assert _title_of(tmp_path, capsys, "R1.1") == "Renamed in the spreadsheet"
    # the YAML is edited: the next start loads it, and says so
    plan = deployed / "action_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert main(["plan", "load", "--if-changed"]) == 0
    assert "changed since the last load: loading it" in capsys.readouterr().out
    assert _title_of(tmp_path, capsys, "R1.1") == first_title
