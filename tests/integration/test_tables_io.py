"""Plan import from CSV/Excel, `ncpi export` in every format (round trip), and `ncpi chart`."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from test_reports import NOW, seed_history

from bot.cli import main
from ncpi_core.config.schema import ForceConfig, load_force_config
from ncpi_core.config.tables import IMPORT_COLUMNS, read_plan_table
from ncpi_core.domain.models import Category
from ncpi_core.errors import ValidationFailed
from ncpi_core.storage.base import UnitOfWork
from ncpi_core.storage.sql import SqlUowFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD = [
    ["C1", "Area 1", "The force should…", "immediate", "2023-01-28", "C1.1", "Step 1", "pvp", "", "2023-07-31"],
    ["C1", "Area 1", "The force should…", "immediate", "2023-01-28", "C1.2", "Step 2", "ops", "pvp", "31/08/2023"],
    ["C6", "Area 6", "", "Six months", "2023-06-28", "C6.2", "=Step two", "ops", "", "2023-07-31"],
]


def _csv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header or IMPORT_COLUMNS)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def other_config() -> ForceConfig:
    return load_force_config(FIXTURES / "other_force" / "ncpi.yaml")


def test_read_csv_of_another_force(tmp_path: Path, other_config: ForceConfig) -> None:
    plan = read_plan_table(_csv(tmp_path / "p.csv", GOOD), other_config)
    assert [r.id for r in plan.recommendations] == ["C1", "C6"]
    assert plan.recommendations[1].category == Category.SIX_MONTHS
    c12 = plan.recommendations[0].actions[1]
    assert c12.deputy == "pvp" and c12.due.isoformat() == "2023-08-31"
    assert plan.recommendations[1].actions[0].title == "=Step two"
    assert plan.plan.title.startswith("Action plan (imported from p.csv")


def test_read_xlsx_with_a_title_row_and_real_dates(tmp_path: Path, other_config: ForceConfig) -> None:
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Our improvement plan"])
    ws.append([c.replace("_", " ").title() for c in IMPORT_COLUMNS])
    ws.append(["C6", "Area 6", "", "six_months", datetime(2023, 6, 28), 6.2, "Step", "ops", None,
               datetime(2023, 7, 31)])
    wb.save(tmp_path / "p.xlsx")
    plan = read_plan_table(tmp_path / "p.xlsx", other_config)
    action = plan.recommendations[0].actions[0]
    assert action.id == "6.2" and action.due.isoformat() == "2023-07-31"


@pytest.mark.parametrize(("change", "row", "column", "words"), [
    (lambda r: r[1].__setitem__(7, "nobody"), 3, "owner", "'nobody' is not one of the people"),
    (lambda r: r[1].__setitem__(5, "C1.1"), 3, "action_id", "duplicate id 'C1.1' (first used on row 2)"),
    (lambda r: r[0].__setitem__(9, "2023-02-30"), 2, "action_due", "is not a date"),
    (lambda r: r[2].__setitem__(3, "someday"), 4, "category", "not a category"),
    (lambda r: r[1].__setitem__(1, "Area one"), 3, "recommendation_title", "must agree"),
    (lambda r: r[0].__setitem__(6, ""), 2, "action_title", "is empty"),
    (lambda r: r[2].__setitem__(5, "C6 2"), 4, "action_id", "has a space"),
])
def test_problems_name_row_and_column(tmp_path: Path, other_config: ForceConfig, change: Callable[..., None],
                                      row: int, column: str, words: str) -> None:
    rows = [list(r) for r in GOOD]
    change(rows)
    with pytest.raises(ValidationFailed) as exc:
        read_plan_table(_csv(tmp_path / "bad.csv", rows), other_config)
    p = exc.value.problems[0]
    assert (p.line, p.field) == (row, column) and words in p.message and p.file.endswith("bad.csv")


def test_missing_columns_and_empty_files(tmp_path: Path, other_config: ForceConfig) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_plan_table(_csv(tmp_path / "a.csv", [["x"]], header=["action_id"]), other_config)
    assert {p.field for p in exc.value.problems} >= {"owner", "recommendation_id"}
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ValidationFailed, match="no rows"):
        read_plan_table(tmp_path / "e.csv", other_config)
    with pytest.raises(ValidationFailed, match="not a .csv or .xlsx"):
        read_plan_table(tmp_path / "plan.ods", other_config)


# --- the command line, on SQLite and PostgreSQL --------------------------------------------------
@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, loaded: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    monkeypatch.setenv("NCPI_DATABASE_URL", db_url)
    monkeypatch.setattr("bot.bootstrap.system_clock", lambda: NOW)
    seed_history(loaded)
    return loaded


def _counts(uow_factory: Callable[[], UnitOfWork]) -> tuple[int, int]:
    with uow_factory() as uow:
        return len(uow.audit.trail()), len(uow.plan.actions(include_dropped=True))


def test_export_csv_is_the_import_template(cli: Callable[[], UnitOfWork], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    assert "27 actions, 42 updates" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[:len(IMPORT_COLUMNS)] == IMPORT_COLUMNS and len(rows) == 27
    r41 = next(r for r in rows if r["action_id"] == "R4.1")
    assert r41["status"] == "closed" and r41["evidence"].startswith("'=HYPERLINK")
    r12 = next(r for r in rows if r["action_id"] == "R1.2")
    assert (r12["action_due"], r12["original_due"]) == ("2022-06-30", "2022-05-31")
    history = list(csv.DictReader((tmp_path / "plan.history.csv").open(encoding="utf-8")))
    assert len(history) == 42 and {h["action_id"] for h in history} >= {"R1.1", "R2.2"}
    assert (tmp_path / "plan.audit.csv").read_text().count("signed_off") == 1
    before = _counts(cli)
    assert main(["plan", "import", str(out)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert _counts(cli) == before


def _tiny_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_export_xlsx_round_trip_and_chart_sheet(cli: Callable[[], UnitOfWork], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # drawing is tested once, below, on SQLite only (it is slow and the same on every database)
    monkeypatch.setattr("bot.cli.reports._chart_png_of", lambda data: _tiny_png())
    out = tmp_path / "plan.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Cover", "Plan", "History", "Audit", "Chart"]
    plan = wb["Plan"]
    assert plan.freeze_panes == "B2" and plan.column_dimensions["G"].width == 40
    headers = [c.value for c in plan[1]]
    rag = plan.cell(row=2, column=headers.index("RAG") + 1)
    assert rag.value == "green" and rag.fill.fgColor.rgb.endswith("1D7A3A")
    cells = [c.value for row in plan.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in cells) and "'=HYPERLINK(\"http://x\")" in cells
    assert wb["History"].max_row == 43 and len(wb["Chart"]._images) == 1
    capsys.readouterr()
    assert main(["plan", "import", str(out)]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_bad_import_leaves_the_database_unchanged(cli: Callable[[], UnitOfWork], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.csv"
    main(["export", "--format", "csv", "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("Response to missing children", "Renamed", 1)  # rows of R2 now disagree
                   .replace(",head_cjc,", ",head_of_nothing,", 1), encoding="utf-8")
    before = _counts(cli)
    capsys.readouterr()
    assert main(["plan", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, line" in err and "head_of_nothing" in err and "recommendation_title" in err
    assert "Traceback" not in err
    assert _counts(cli) == before


def test_markdown_and_html_meeting_packs(cli: Callable[[], UnitOfWork], tmp_path: Path) -> None:
    assert main(["export", "--format", "markdown", "--out", str(tmp_path / "pack.md")]) == 0
    md = (tmp_path / "pack.md").read_text(encoding="utf-8")
    assert "## History (every update)" in md and "## Audit trail" in md and "| R2.2 |" in md
    assert main(["export", "--format", "html", "--out", str(tmp_path / "pack.html")]) == 0
    page = (tmp_path / "pack.html").read_text(encoding="utf-8")
    assert "<!channel>" not in page and "&lt;!channel&gt;" in page and 'class="red"' in page


@pytest.fixture
def sqlite_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ncpi_core.storage.engine import build_engine

    url = f"sqlite:///{tmp_path / 'chart.db'}"
    monkeypatch.setenv("NCPI_DATABASE_URL", url)
    monkeypatch.setattr("bot.bootstrap.system_clock", lambda: NOW)
    assert main(["db", "upgrade"]) == 0 and main(["plan", "load"]) == 0
    engine = build_engine(url)
    seed_history(SqlUowFactory(engine))
    engine.dispose()


def test_chart_png(sqlite_cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.png"
    assert main(["chart", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    assert "10 recommendations" in capsys.readouterr().out


def test_chart_without_matplotlib(sqlite_cli: None, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    assert main(["chart", "--out", str(tmp_path / "c.png")]) == 1
    assert "matplotlib is missing" in capsys.readouterr().err
    assert main(["export", "--format", "xlsx", "--out", str(tmp_path / "p.xlsx")]) == 0
    assert "Chart" not in load_workbook(tmp_path / "p.xlsx").sheetnames
    assert "reinstall ncpi" in capsys.readouterr().out


def test_export_and_chart_on_an_empty_database(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_DATABASE_URL", db_url)
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 1
    assert main(["chart", "--out", str(tmp_path / "c.png")]) == 1
    assert capsys.readouterr().out.count("No plan loaded") == 2
