"""Several reports in one plan file: each item typed (recommendation, area for improvement, cause of
concern), loaded side by side, summaries narrowed by report and type, unknown ones named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.copy import SLACK, error_text
from ncpi_core.config.schema import ForceConfig, load_plan_file
from ncpi_core.domain.models import ItemType
from ncpi_core.errors import InvalidInput, NotFound, ValidationFailed
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.exports import build_export
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.summaries import summary_now

NOW = datetime(2022, 5, 3, 9, tzinfo=UTC)
PLAN = """\
plan: {title: Inspection improvement plan, report: HMICFRS inspections, published: 2022-03-29}
recommendations:
  - id: R1
    report: NCPI
    title: Response to missing children
    category: immediate
    due: 2022-03-29
    actions:
      - {id: R1.1, title: Control room guidance, owner: head_customer_contact, due: 2022-04-30}
  - id: AFI1
    report: VSA
    type: area_for_improvement
    title: Recording of victims' needs
    category: three_months
    due: 2022-09-30
    actions:
      - {id: AFI1.1, title: Needs assessment in the crime record, owner: head_crime, due: 2022-08-31}
  - id: COC1
    report: VSA
    type: cause_of_concern
    title: Victims' Code compliance
    category: six_months
    due: 2022-12-31
    actions:
      - {id: COC1.1, title: Code compliance audit, owner: head_crime, due: 2022-11-30}
"""


@pytest.fixture
def two_reports(tmp_path: Path, force_config: ForceConfig) -> MemoryUowFactory:
    path = tmp_path / "action_plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    plan = load_plan_file(path, force_config)
    factory = MemoryUowFactory()
    with factory() as uow:
        load_plan(plan, force_config, uow, NOW)
        uow.commit()
    return factory


def test_two_reports_load_side_by_side_and_filter_apart(two_reports: MemoryUowFactory,
                                                        force_config: ForceConfig) -> None:
    with two_reports() as uow:
        kinds = {r.id: (r.report, r.type) for r in uow.plan.recommendations()}
    assert kinds == {"R1": ("NCPI", ItemType.RECOMMENDATION), "AFI1": ("VSA", ItemType.AREA_FOR_IMPROVEMENT),
                     "COC1": ("VSA", ItemType.CAUSE_OF_CONCERN)}
    everything = summary_now(two_reports, force_config, NOW, "gold")
    assert [r.id for r in everything.recommendations] == ["R1", "AFI1", "COC1"]  # all open items, across reports
    vsa = summary_now(two_reports, force_config, NOW, "gold", report="vsa")
    assert [r.id for r in vsa.recommendations] == ["AFI1", "COC1"] and vsa.report_filter == "VSA"
    assert "Showing only report VSA" in render_summary(vsa, "text")
    ncpi = summary_now(two_reports, force_config, NOW, "silver", report="NCPI")
    assert [a.id for a in ncpi.actions] == ["R1.1"]
    afi = summary_now(two_reports, force_config, NOW, "gold", item_type="area_for_improvement")
    assert [r.id for r in afi.recommendations] == ["AFI1"]
    both = summary_now(two_reports, force_config, NOW, "gold", report="VSA", item_type="cause-of-concern")
    assert [r.id for r in both.recommendations] == ["COC1"]
    pack = build_export(two_reports, force_config, NOW, report="NCPI")
    assert [a.id for a in pack.summary.actions] == ["R1.1"]
    assert {e.entity_id for e in pack.audit} <= {"R1", "R1.1"}


def test_an_unknown_report_or_type_says_which_exist(two_reports: MemoryUowFactory,
                                                    force_config: ForceConfig) -> None:
    with pytest.raises(NotFound) as report:
        summary_now(two_reports, force_config, NOW, "gold", report="PEEL")
    assert error_text(report.value, SLACK) == "There is no report 'PEEL' in the plan. Reports are NCPI, VSA."
    with pytest.raises(InvalidInput) as kind:
        summary_now(two_reports, force_config, NOW, "gold", item_type="aspiration")
    assert "Use type= one of recommendation, area_for_improvement, cause_of_concern" in error_text(kind.value, SLACK)


def test_a_plan_of_one_report_loads_unchanged_and_says_so_when_asked_for_a_report(
        force_config: ForceConfig, plan_file: object) -> None:
    factory = MemoryUowFactory()
    with factory() as uow:
        load_plan(plan_file, force_config, uow, NOW)  # type: ignore[arg-type]
        uow.commit()
        assert {(r.report, r.type) for r in uow.plan.recommendations()} == {("", ItemType.RECOMMENDATION)}
    with pytest.raises(NotFound) as err:
        summary_now(factory, force_config, NOW, "gold", report="VSA")
    assert "This plan holds one report" in error_text(err.value, SLACK)


def test_an_unknown_type_in_the_plan_file_names_the_line(tmp_path: Path, force_config: ForceConfig) -> None:
    path = tmp_path / "action_plan.yaml"
    path.write_text(PLAN.replace("type: cause_of_concern", "type: worry"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        load_plan_file(path, force_config)
    assert "line 20" in str(err.value) and "recommendation" in str(err.value) and "type" in str(err.value)


def test_a_plan_naming_an_observer_or_the_pccs_office_as_owner_is_refused(tmp_path: Path,
                                                                          force_config: ForceConfig) -> None:
    path = tmp_path / "action_plan.yaml"
    path.write_text(PLAN.replace("owner: head_customer_contact", "owner: hmicfrs_liaison"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        load_plan_file(path, force_config)
    assert "'hmicfrs_liaison' is observer only in ncpi.yaml" in str(err.value) and "line 9" in str(err.value)
