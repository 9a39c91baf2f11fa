"""Packs worth printing: the HTML pack leads with exceptions, embeds the chart with its words and
prints a recommendation a page; the workbook has a cover, human headers, real dates, frozen panes."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_reports import NOW, seed_history

from bot.cli import main
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'packs.db'}"
    monkeypatch.setenv("NCPI_DATABASE_URL", url)
    monkeypatch.setattr("bot.bootstrap.system_clock", lambda: NOW)
    assert main(["db", "upgrade"]) == 0 and main(["plan", "load"]) == 0
    engine = build_engine(url)
    seed_history(SqlUowFactory(engine))
    engine.dispose()
    return tmp_path


def test_the_html_pack_leads_with_exceptions_embeds_the_chart_and_prints_a_recommendation_a_page(
        exported: Path) -> None:
    out = exported / "pack.html"
    assert main(["export", "--format", "html", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    body = page.split("<body>")[1]
    headings = re.findall(r"<h2>([^<]+)</h2>", body)
    assert headings[0] == "Exceptions" and headings[1] == "Recommendations"
    assert "Red (off track)" in body.split("<h2>Recommendations</h2>")[0]
    img = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"', page)
    assert img is not None and base64.b64decode(img[1])[:4] == b"\x89PNG"
    assert img[2].startswith("Chart of North Yorkshire Police") and "Now: 27 actions" in img[2]
    assert "@media print" in page and "section.recommendation{break-before:page}" in page
    assert page.count('<section class="recommendation">') == 10
    assert "<!channel>" not in page and "&lt;!channel&gt;" in page  # Jinja2 escapes every value


def test_the_workbook_has_a_cover_human_headers_real_dates_and_frozen_panes(exported: Path) -> None:
    out = exported / "pack.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Cover"
    cover = {ws_row[0].value: ws_row[1].value for ws_row in wb["Cover"].iter_rows(min_row=3) if ws_row[0].value}
    assert cover["Force"] == "North Yorkshire Police" and cover["Actions"] == 27
    assert cover["Recommendations"] == 10 and isinstance(cover["As at"], datetime)
    assert {"Actions Red", "Actions Amber", "Actions Green", "Actions Not started"} <= set(cover)
    plan = wb["Plan"]
    headers = [c.value for c in plan[1]]
    assert headers[:3] == ["Recommendation ID", "Recommendation title", "Recommendation text"]
    assert "Action due" in headers and "RAG" in headers and not any("_" in h for h in headers)
    due = plan.cell(row=2, column=headers.index("Action due") + 1)
    assert isinstance(due.value, datetime | date) and due.number_format == "dd mmm yyyy"
    history = wb["History"]
    when = history.cell(row=2, column=1)
    assert history.cell(row=1, column=1).value == "When" and isinstance(when.value, datetime)
    assert plan.freeze_panes == "B2" and history.freeze_panes and wb["Audit"].freeze_panes
    # still the import template: human headers read back as the columns they name
    assert main(["plan", "import", str(out)]) == 0
