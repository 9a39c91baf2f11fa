"""The storage contract for scrutiny from outside the force (the PCC's assurance ratings, the
inspectorate's status trail), held the same on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ncpi_core.domain.models import ItemType
from ncpi_core.domain.scrutiny import (
    Assurance,
    AssuranceRecord,
    InspectorateRecord,
    InspectorateStatus,
    current_statuses,
    latest_by_recommendation,
)
from ncpi_core.storage.base import UowFactory
from tests.integration.test_repositories import NOW, read, seed_plan


def test_assurance_ratings_are_kept_in_order_and_the_newest_is_current(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        later = uow.assurances.add(AssuranceRecord("R1", Assurance.ASSURED, "Audit shows the change", "pcc_office",
                                                   NOW + timedelta(days=30), "slash"))
        uow.assurances.add(AssuranceRecord("R1", Assurance.PARTLY, "Training not finished", "pcc_office", NOW))
        uow.assurances.add(AssuranceRecord("R2", Assurance.NOT, "No evidence yet", "pcc_office",
                                           NOW + timedelta(days=1)))
        uow.commit()
    assert later.id is not None and later.rated_at == NOW + timedelta(days=30)
    trail = read(any_uow_factory, lambda u: u.assurances.all())
    assert [(a.recommendation_id, a.rating) for a in trail] == [
        ("R1", Assurance.PARTLY), ("R2", Assurance.NOT), ("R1", Assurance.ASSURED)]
    assert trail[2] == later
    assert [a.comment for a in read(any_uow_factory, lambda u: u.assurances.all("R1"))] == [
        "Training not finished", "Audit shows the change"]
    assert latest_by_recommendation(trail)["R1"].rating is Assurance.ASSURED


def test_an_assurance_of_an_unknown_recommendation_is_refused(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with pytest.raises(Exception), any_uow_factory() as uow:  # noqa: B017,PT011 - SQL and memory raise their own
        uow.assurances.add(AssuranceRecord("R404", Assurance.NOT, "?", "pcc_office", NOW))
        uow.commit()
    assert read(any_uow_factory, lambda u: u.assurances.all()) == []


def test_the_inspectorate_trail_keeps_every_status_with_its_own_date(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        uow.inspectorate.add(InspectorateRecord("R1", InspectorateStatus.AWAITING_REVIEW, date(2022, 3, 29), "",
                                                "coordinator", NOW))
        closed = uow.inspectorate.add(InspectorateRecord("R1", InspectorateStatus.CLOSED, date(2022, 12, 1),
                                                         "Revisit found it met", "coordinator",
                                                         NOW + timedelta(days=2), "slash"))
        # recorded later, but dated earlier than the closure: the closure stays current
        uow.inspectorate.add(InspectorateRecord("R1", InspectorateStatus.BEING_PROGRESSED, date(2022, 9, 1), "",
                                                "coordinator", NOW + timedelta(days=3)))
        uow.commit()
    assert closed.id is not None
    trail = read(any_uow_factory, lambda u: u.inspectorate.all("R1"))
    assert [s.status for s in trail] == [InspectorateStatus.AWAITING_REVIEW, InspectorateStatus.CLOSED,
                                         InspectorateStatus.BEING_PROGRESSED]
    assert trail[1] == closed and trail[1].status_on == date(2022, 12, 1)
    assert current_statuses(trail)["R1"] == closed
    assert read(any_uow_factory, lambda u: u.inspectorate.all("R2")) == []


def test_an_items_report_and_type_are_stored_and_read_back(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        r2 = uow.plan.recommendations()[0]
        uow.plan.save_recommendation(r2.model_copy(update={"report": "VSA", "type": ItemType.AREA_FOR_IMPROVEMENT}))
        uow.commit()
    recs = {r.id: r for r in read(any_uow_factory, lambda u: u.plan.recommendations())}
    assert (recs["R2"].report, recs["R2"].type) == ("VSA", ItemType.AREA_FOR_IMPROVEMENT)
    assert (recs["R1"].report, recs["R1"].type) == ("", ItemType.RECOMMENDATION)  # a plan of one report
