"""Migration 0005 (the PCC's assurance ratings, the inspectorate's status trail) on a database in use:
every row of revision 0004 is kept, the new tables work at once, and the downgrade gives revision
0004 back, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.records import DecisionRecord
from ncpi_core.domain.scrutiny import (
    Assurance,
    AssuranceRecord,
    InspectorateRecord,
    InspectorateStatus,
)
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import current_revision, downgrade, upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.storage.tables import Base
from tests.conftest import private_postgres_database
from tests.integration.old_schema import load_plan_at_old_revision

T0 = datetime(2022, 4, 20, 9, 0, tzinfo=UTC)
NEW_TABLES = ("assurances", "inspectorate_statuses")
REVISION = "0005_beyond"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0004(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database at revision 0004 (the head before this one)."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(engine, "0004_truth")
        yield engine
        engine.dispose()
        return
    with private_postgres_database("ncpi_m5", revision="0004_truth") as url:
        engine = build_engine(url)
        yield engine
        engine.dispose()


def _counts(engine: sa.Engine) -> dict[str, int]:
    names = [t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.connect() as conn:
        return {n: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names}


def test_upgrade_keeps_every_row_the_new_tables_work_and_downgrade_drops_them(
        at_0004: sa.Engine, force_config: ForceConfig, plan_file: PlanFile) -> None:
    load_plan_at_old_revision(at_0004, force_config, plan_file, T0)
    uow = SqlUowFactory(at_0004)
    with uow() as u:
        u.decisions.add(DecisionRecord("R1", "R1", "Accept 30 June", "Partners consulted", "dcc", T0))
        u.commit()
    before = _counts(at_0004)
    assert before["actions"] == 27 and before["decisions"] == 1 and not set(NEW_TABLES) & set(before)
    upgrade(at_0004, REVISION)
    assert current_revision(at_0004) == REVISION
    after = _counts(at_0004)
    assert {k: after[k] for k in before} == before
    assert {k: after[k] for k in NEW_TABLES} == dict.fromkeys(NEW_TABLES, 0)
    with uow() as u:  # the recommendations already there: items of type recommendation of the one report
        assert {(r.report, r.type.value) for r in u.plan.recommendations()} == {("", "recommendation")}
    upgrade(at_0004)  # to the head, whatever follows this revision
    with at_0004.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    with uow() as u:
        u.assurances.add(AssuranceRecord("R4", Assurance.PARTLY, "Audit not yet done", "opfcc", T0, "slash"))
        u.inspectorate.add(InspectorateRecord("R4", InspectorateStatus.AWAITING_REVIEW, date(2022, 4, 1), "",
                                              "coordinator", T0))
        u.commit()
    with uow() as u:
        assert [a.rating for a in u.assurances.all()] == [Assurance.PARTLY]
        assert [s.status for s in u.inspectorate.all("R4")] == [InspectorateStatus.AWAITING_REVIEW]

    downgrade(at_0004, "0004_truth")
    assert current_revision(at_0004) == "0004_truth"
    assert not set(NEW_TABLES) & set(sa.inspect(at_0004).get_table_names())
    assert _counts(at_0004) == before
