"""The command line a new user meets first: db upgrade, plan load, check — with clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from ncpi_core.storage.base import UnitOfWork
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("NCPI_DATABASE_URL", url)
    return url


def _actions(uow: UnitOfWork) -> int:
    return len(uow.plan.actions(include_dropped=True))


def _audit_entries(uow: UnitOfWork) -> int:
    return len(uow.audit.trail())


def _count(url: str, rows: Callable[[UnitOfWork], int]) -> int:
    engine = build_engine(url)
    try:
        with SqlUowFactory(engine)() as uow:
            return rows(uow)
    finally:
        engine.dispose()


def test_upgrade_then_load_then_load_again(fresh_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "migrated from empty" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert main(["plan", "load"]) == 0
    assert "10 recommendations, 27 actions" in capsys.readouterr().out
    assert main(["plan", "load"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert _count(fresh_db, _actions) == 27


def test_bad_plan_is_refused_whole_and_database_unchanged(fresh_db: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    main(["db", "upgrade"])
    main(["plan", "load"])
    audit_before = _count(fresh_db, _audit_entries)
    text = (ROOT / "config" / "action_plan.yaml").read_text()
    bad = tmp_path / "plan.yaml"
    bad.write_text(text.replace("owner: head_cjc, due: 2022-04-30", "owner: head_of_nothing, due: 2022-04-31")
                   .replace("title: Children detained in custody", "title: Renamed"))
    capsys.readouterr()
    assert main(["plan", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}, line" in err and "owner" in err and "head_of_nothing" in err and "due" in err
    assert "Traceback" not in err
    assert _count(fresh_db, _audit_entries) == audit_before


def test_load_before_upgrade_says_what_to_run(fresh_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "load"]) == 1
    assert "ncpi db upgrade" in capsys.readouterr().err


def test_unreachable_postgres_is_one_clear_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert "Cannot reach the database" in err and "Traceback" not in err


def test_check_passes_on_the_shipped_config(fresh_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["db", "upgrade"])
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "10 recommendations, 27 actions" in out and "All checks passed." in out


def test_check_without_config_says_where_it_looked_and_how_to_point_it(
        fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(tmp_path / "nowhere"))
    assert main(["check"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("FAIL") and "file not found" in first
    assert str(tmp_path / "nowhere") in first and "NCPI_CONFIG_DIR" in first


def test_check_reports_an_unmigrated_database(fresh_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1
    assert "run `ncpi db upgrade`" in capsys.readouterr().out


def test_another_forces_plan_loads_and_summarises_with_no_code_change(
        fresh_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(ROOT / "tests" / "fixtures" / "other_force"))
    assert main(["db", "upgrade"]) == 0
    assert main(["plan", "load"]) == 0
    capsys.readouterr()
    assert main(["summary", "--level", "gold", "--now", "2023-03-01T12:00"]) == 0
    out = capsys.readouterr().out
    assert "Anytown Constabulary" in out
    for rec in [f"C{i}" for i in range(1, 9)]:
        assert rec in out
    assert main(["summary", "--level", "silver", "--format", "csv"]) == 0
    assert "C6.2" in capsys.readouterr().out
