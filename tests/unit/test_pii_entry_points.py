"""Every place that stores or posts text goes through the guard: a refusal at each, naming the
field and the kind and saying how to rephrase, never the text; nothing stored, nothing logged.

The entry points, on the in-memory store: an update by DM, in a prompt's thread and from the form
(narrative, blockers, evidence), `complete`'s evidence, `reject`, `supersede` and `due` reasons
(and rejecting a due change), the deputy typed after `away`, and the titles of a plan loaded from
YAML, CSV or Excel. A structural test holds later use cases to the same rule.
"""

from __future__ import annotations

import ast
import csv
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from bot.copy import SLACK, error_text
from ncpi_core.config.schema import ForceConfig, PlanFile, parse_plan_file
from ncpi_core.config.tables import IMPORT_COLUMNS, read_plan_table
from ncpi_core.config.yamlfile import parse_yaml
from ncpi_core.domain.models import RAG, Source
from ncpi_core.errors import PersonalDataRefused
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import absences, closure, due_dates
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.updates import UpdateCommand, record_update
from tests.unit.governance_world import T0, at, loaded, who

ROOT = Path(__file__).resolve().parents[2]
# an attempt per entry point, each obfuscated a different way; (fragment that must never be echoed, kind)
NAME = "J a y d e n  S m i t h (14) missing again"
DOB = "D.O.B. twelfth of March twenty fifteen"
PHONE = "mum on 07700-900-123"
NHS = "NHS 999\u200b526\u200b0182"
CRIME = "crime ref 12 / 34567 / 22"
EMAIL = "jane dot doe at example dot com"
ADDRESS = "found at flat 3, 22 Acacia Avenue"
SCHOOL = "she goes to St Mary's Primary"
ECHOES = ("Jayden", "Smith", "2015", "07700", "999", "34567", "jane", "Acacia", "Mary's")


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def _refused(call: Callable[[], Any], world: MemoryUowFactory, caplog: pytest.LogCaptureFixture,
             field: str, kind: str) -> str:
    """Run one entry point: it must refuse naming `field` and `kind`, store and log nothing of it."""
    before, commits = repr(world.store.tables.copy()), world.store.commits
    caplog.clear()
    with caplog.at_level(logging.DEBUG), pytest.raises(PersonalDataRefused) as refused:
        call()
    assert [field, kind] in refused.value.params["findings"]
    assert world.store.commits == commits and repr(world.store.tables.copy()) == before, "something was stored"
    words = error_text(refused.value, SLACK)
    said = words + str(refused.value) + caplog.text
    assert not [e for e in ECHOES if e.lower() in said.lower()], said
    assert "Nothing was saved" in words and "Instead, " in words
    return words


def _update(world: MemoryUowFactory, config: ForceConfig, source: Source, **text: str) -> Callable[[], Any]:
    cmd = UpdateCommand(action_id="R3.2", rag=RAG.AMBER, progress=40, source=source, **text)
    return lambda: record_update(world, config, who(config, "head_ld"), cmd, **at())


def test_an_update_by_dm(world: MemoryUowFactory, force_config: ForceConfig, caplog: pytest.LogCaptureFixture) -> None:
    words = _refused(_update(world, force_config, Source.DM, narrative=NAME), world, caplog, "narrative",
                     "child_name")
    assert 'say "the child", "the young person" or "a 12-year-old" instead of a name' in words


def test_an_update_in_a_prompts_thread(world: MemoryUowFactory, force_config: ForceConfig,
                                       caplog: pytest.LogCaptureFixture) -> None:
    words = _refused(_update(world, force_config, Source.THREAD, narrative=DOB), world, caplog, "narrative", "dob")
    assert 'give an age ("a 12-year-old") instead of a date of birth' in words


@pytest.mark.parametrize(("field", "text", "kind"), [("narrative", NHS, "nhs_number"), ("blockers", PHONE, "phone"),
                                                     ("evidence", EMAIL, "email")])
def test_each_field_of_the_form(world: MemoryUowFactory, force_config: ForceConfig, caplog: pytest.LogCaptureFixture,
                                field: str, text: str, kind: str) -> None:
    _refused(_update(world, force_config, Source.MODAL, **{field: text}), world, caplog, field, kind)


def test_completes_evidence(world: MemoryUowFactory, force_config: ForceConfig,
                            caplog: pytest.LogCaptureFixture) -> None:
    owner = who(force_config, "head_ld")
    _refused(lambda: closure.propose_complete(world, force_config, owner, "R3.2", CRIME, **at()), world, caplog,
             "evidence", "crime_ref")


def test_reject_and_supersede_reasons(world: MemoryUowFactory, force_config: ForceConfig,
                                      caplog: pytest.LogCaptureFixture) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    closure.propose_complete(world, force_config, owner, "R3.2", "https://intranet/policy/123", **at())
    _refused(lambda: closure.reject(world, force_config, chair, "R3.2", ADDRESS, **at(5)), world, caplog,
             "reason", "address")
    _refused(lambda: closure.supersede(world, force_config, chair, "R3.1", SCHOOL, **at(5)), world, caplog,
             "reason", "school")


def test_due_reasons_asked_and_rejected(world: MemoryUowFactory, force_config: ForceConfig,
                                        caplog: pytest.LogCaptureFixture) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    _refused(lambda: due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-30", PHONE, **at()),
             world, caplog, "reason", "phone")
    due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-30", "supplier delayed", **at())
    _refused(lambda: due_dates.reject_due_change(world, force_config, chair, "R3.2", NAME, **at(5)), world, caplog,
             "reason", "child_name")


def test_the_deputy_typed_after_away(world: MemoryUowFactory, force_config: ForceConfig,
                                     caplog: pytest.LogCaptureFixture) -> None:
    owner = who(force_config, "head_ld")
    _refused(lambda: absences.set_away(world, force_config, owner, "2022-05-09", "2022-05-20",
                                       "looking after Jayden Smith's mum", **at()),
             world, caplog, "deputy", "child_name")


# --- plan files ----------------------------------------------------------------------------------
def _plan_yaml(config: ForceConfig, title: str) -> PlanFile:
    text = (ROOT / "config" / "action_plan.yaml").read_text(encoding="utf-8")
    return parse_plan_file(parse_yaml(text.replace("Briefing and training for frontline officers", f'"{title}"', 1),
                                      "action_plan.yaml"), config)


def _rows(title: str) -> list[list[str]]:
    return [IMPORT_COLUMNS, ["R1", "Response to missing children", "", "immediate", "2022-03-29", "R1.1", title,
                             "head_ld", "", "2022-04-30"]]


def test_a_plan_title_from_yaml(world: MemoryUowFactory, force_config: ForceConfig,
                                caplog: pytest.LogCaptureFixture) -> None:
    plan = _plan_yaml(force_config, "Review of the case of Jayden Smith, 14")
    assert [a.title for r in plan.recommendations for a in r.actions if "Jayden" in a.title]

    def load() -> None:
        with world() as uow:
            load_plan(plan, force_config, uow, T0)
            uow.commit()

    _refused(load, world, caplog, "title of R3.2", "child_name")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_plan_title_from_a_table(world: MemoryUowFactory, force_config: ForceConfig,
                                   caplog: pytest.LogCaptureFixture, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    rows = _rows("Call mum on 07700 900123 about the case")
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Plan"
        for row in rows:
            sheet.append(row)
        book.save(path)
    plan = read_plan_table(path, force_config)

    def load() -> None:
        with world() as uow:
            load_plan(plan, force_config, uow, T0)
            uow.commit()

    _refused(load, world, caplog, "title of R1.1", "phone")


def test_the_shipped_plan_still_loads(world: MemoryUowFactory, force_config: ForceConfig, plan_file: PlanFile) -> None:
    with world() as uow:
        report = load_plan(plan_file, force_config, uow, T0)
    assert report.nothing_changed


# --- later features ------------------------------------------------------------------------------
FREE_TEXT = {"reason", "evidence", "text", "comment", "question", "answer", "decision", "narrative", "blockers",
             "impact", "note", "rationale", "deputy", "title", "summary", "message"}
GUARDS = {"check_free_text", "refuse_personal_data", "check_text", "refuse_personal_data_in_plan"}
# helpers that take text the use cases have already checked or built, or only read a date from it
HELPERS = {"common.py:audit", "common.py:parse_date"}


def test_every_use_case_taking_free_text_calls_the_guard() -> None:
    """A use case with a free-text parameter (a reason, a comment, an answer…) must pass it through
    `check_free_text` or `refuse_personal_data` (directly or through `check_text`)."""
    unguarded = []
    for path in sorted((ROOT / "ncpi_core" / "usecases").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
                   and f"{path.name}:{n.name}" not in HELPERS):
            params = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
            texts = {p for p in params if p in FREE_TEXT}
            command = any(isinstance(a.annotation, ast.Name) and a.annotation.id == "UpdateCommand"
                          for a in fn.args.args)
            if not texts and not command:
                continue
            called = {c.func.id if isinstance(c.func, ast.Name) else getattr(c.func, "attr", "")
                      for c in ast.walk(fn) if isinstance(c, ast.Call)}
            if not called & GUARDS:
                unguarded.append(f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name}({', '.join(sorted(texts))})")
    assert unguarded == []


def test_the_structural_test_finds_an_unguarded_use_case(tmp_path: Path) -> None:
    tree = ast.parse("def comment_on(uow_factory, actor, comment):\n    store(comment)\n")
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    assert {a.arg for a in fn.args.args} & FREE_TEXT == {"comment"}
    assert not {c.func.id for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)} & GUARDS
