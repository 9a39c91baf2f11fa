"""The plan as a table: read it from CSV or Excel (`ncpi plan import`), one row per action.

Every problem in the file is collected and the whole file refused (ValidationFailed), naming the
file, the row and the column, so nothing is stored half-way. The columns are those the CSV export
writes (`IMPORT_COLUMNS` below, plus optional plan_title/plan_report/plan_published and
report/item_type/public_summary); any other
column (the export's latest-update columns) is ignored.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ncpi_core.config.schema import ActionIn, ForceConfig, PlanFile
from ncpi_core.domain.models import Category
from ncpi_core.errors import Problem, ValidationFailed

# The columns `ncpi plan import` reads; the CSV export starts with exactly these.
IMPORT_COLUMNS = [
    "recommendation_id", "recommendation_title", "recommendation_text", "category",
    "recommendation_due", "action_id", "action_title", "owner", "deputy", "action_due",
]
# A spreadsheet runs a cell starting with one of these as a formula: the export quotes such text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAN_COLUMNS = ["plan_title", "plan_report", "plan_published"]
# optional, per recommendation: its report, its type and its text marked publishable (a file without
# them is a plan of one report of recommendations, as before)
REC_EXTRA_COLUMNS = ["report", "item_type", "public_summary"]
REQUIRED = ["recommendation_id", "recommendation_title", "category", "recommendation_due", "action_id",
            "action_title", "owner", "action_due"]
REC_FIELDS = ["recommendation_title", "recommendation_text", "category", "recommendation_due", "report",
              "item_type", "public_summary"]
PLAN_SHEET = "Plan"
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _header(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower())


def _cell(value: object) -> str | date:
    """A cell as stripped text (or a date from Excel), undoing the export's formula-guard quote."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_START:
        text = text[1:]
    return text


def _read_csv(path: Path) -> list[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        rows = list(reader)
    if not rows:
        return []
    headers = [_header(h) for h in rows[0]]
    return [(i + 2, dict(zip(headers, (_cell(v) for v in row), strict=False)))
            for i, row in enumerate(rows[1:])]


def _read_xlsx(path: Path) -> list[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[PLAN_SHEET] if PLAN_SHEET in wb.sheetnames else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    # the header is the first row naming action_id (a title row above it is allowed)
    for start, row in enumerate(rows[:10]):
        headers = [_header(h) for h in row]
        if "action_id" in headers:
            return [(start + i + 2, dict(zip(headers, (_cell(v) for v in r), strict=False)))
                    for i, r in enumerate(rows[start + 1:])]
    return [(1, {})] if rows else []


def _date(value: str | date) -> date:
    if isinstance(value, date):
        return value
    m = _UK_DATE.match(value)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)


def _category(value: str) -> Category:
    return Category(_header(value))


def read_plan_table(path: Path, config: ForceConfig | None) -> PlanFile:
    """Read a plan from FILE.csv or FILE.xlsx, one row per action.

    Raises:
        ValidationFailed: naming every problem (file, row, column); nothing is returned half-read.
    """
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise ValidationFailed([Problem(name, None, "", "not a .csv or .xlsx file; export one with "
                                        "`ncpi export --format csv` to see the columns")])
    if not path.exists():
        raise ValidationFailed([Problem(name, None, "", "file not found")])
    try:
        rows = _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    except (UnicodeDecodeError, csv.Error, OSError, ValueError, KeyError) as exc:
        raise ValidationFailed([Problem(name, None, "", f"cannot read the file ({exc})")]) from None
    rows = [(n, r) for n, r in rows if any(v not in ("", None) for v in r.values())]
    if not rows:
        raise ValidationFailed([Problem(name, 1, "", "no rows: expected a header row and one row per action")])
    present = set(rows[0][1])
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise ValidationFailed([Problem(name, 1, c, f"missing column '{c}' (the columns are: "
                                        f"{', '.join(IMPORT_COLUMNS)})") for c in missing])
    return _build(name, rows, config)


def _build(name: str, rows: list[tuple[int, dict[str, Any]]], config: ForceConfig | None) -> PlanFile:
    problems: list[Problem] = []
    known = {p.id for p in config.people} if config else None
    recs: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for n, row in rows:
        bad = False
        for col in REQUIRED:
            if row.get(col, "") == "":
                problems.append(Problem(name, n, col, "is empty; every row needs it"))
                bad = True
        if bad:
            continue
        values: dict[str, Any] = {"recommendation_title": str(row["recommendation_title"]),
                                  "recommendation_text": str(row.get("recommendation_text", "")),
                                  "category": row["category"], "recommendation_due": row["recommendation_due"],
                                  **{col: str(row.get(col) or "") for col in REC_EXTRA_COLUMNS}}
        try:
            values["category"] = _category(str(row["category"]))
        except ValueError:
            problems.append(Problem(name, n, "category", f"'{row['category']}' is not a category; use one of "
                                    f"{', '.join(c.value for c in Category)}"))
            bad = True
        dates = {}
        for col in ("recommendation_due", "action_due"):
            try:
                dates[col] = _date(row[col])
            except (ValueError, TypeError):
                problems.append(Problem(name, n, col, f"'{row[col]}' is not a date; use YYYY-MM-DD"))
                bad = True
        rid, aid = str(row["recommendation_id"]), str(row["action_id"])
        for ident, col in ((rid, "recommendation_id"), (aid, "action_id")):
            if " " in ident:
                problems.append(Problem(name, n, col, f"'{ident}' has a space; ids are short strings without spaces"))
                bad = True
        if aid in seen_ids or aid in recs:
            problems.append(Problem(name, n, "action_id", f"duplicate id '{aid}' (first used on row "
                                    f"{seen_ids.get(aid, first_row.get(aid))}); each must be unique"))
            bad = True
        seen_ids.setdefault(aid, n)
        if rid in seen_ids:
            problems.append(Problem(name, n, "recommendation_id",
                                    f"'{rid}' is already an action id (row {seen_ids[rid]}); ids must be unique"))
            bad = True
        for col in ("owner", "deputy"):
            who = str(row.get(col, "") or "")
            if who and known is not None and who not in known:
                sample = ", ".join(sorted(known)[:8]) + (", …" if len(known) > 8 else "")
                problems.append(Problem(name, n, col, f"'{who}' is not one of the people in ncpi.yaml ({sample})"))
                bad = True
        if bad:
            continue
        values["recommendation_due"] = dates["recommendation_due"]
        rec = recs.get(rid)
        if rec is None:
            rec = recs[rid] = {"id": rid, "title": values["recommendation_title"],
                               "text": values["recommendation_text"], "category": values["category"],
                               "due": values["recommendation_due"], "actions": [], "_values": values,
                               "report": values["report"], "type": values["item_type"] or "recommendation",
                               "public_summary": values["public_summary"]}
            first_row[rid] = n
        else:
            for col in REC_FIELDS:
                if rec["_values"][col] != values[col]:
                    problems.append(Problem(name, n, col, f"recommendation {rid} has '{values[col]}' here but "
                                            f"'{rec['_values'][col]}' on row {first_row[rid]}; its rows must agree"))
        try:
            rec["actions"].append(ActionIn(id=aid, title=str(row["action_title"]), owner=str(row["owner"]),
                                           deputy=str(row.get("deputy") or "") or None, due=dates["action_due"]))
        except ValidationError as exc:
            for err in exc.errors():
                field = {"id": "action_id", "title": "action_title", "due": "action_due"}.get(
                    str(err["loc"][0]) if err["loc"] else "", str(err["loc"][0]) if err["loc"] else "")
                problems.append(Problem(name, n, field, err["msg"]))
    if problems:
        raise ValidationFailed(problems)
    info = _plan_info(name, rows)
    data = {"plan": info,
            "recommendations": [{k: v for k, v in r.items() if k != "_values"} for r in recs.values()]}
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([Problem(name, None, ".".join(map(str, e["loc"])), e["msg"])
                                for e in exc.errors()]) from None


def _plan_info(name: str, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The plan's title from the plan_* columns (the export writes them), else from the file name."""
    first = rows[0][1]
    title = str(first.get("plan_title") or "") or f"Action plan (imported from {Path(name).name})"
    info: dict[str, Any] = {"title": title, "report": str(first.get("plan_report") or "")}
    published = first.get("plan_published")
    if published:
        try:
            info["published"] = _date(published)
        except (ValueError, TypeError):
            raise ValidationFailed([Problem(name, rows[0][0], "plan_published",
                                            f"'{published}' is not a date; use YYYY-MM-DD")]) from None
    return info
