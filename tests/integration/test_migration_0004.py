"""Migration 0004 (challenges, Gold's decision log, embeddings) on a database in use: every row of
revision 0003 is kept, the new tables work at once, and the downgrade gives revision 0003 back
(an embedded action delivered again), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.models import RAG, ActionStatus, Source
from ncpi_core.domain.records import AuditEntry, Challenge, DecisionRecord, Embedding
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import current_revision, downgrade, head_revision, upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.storage.sql.common import UPDATES
from ncpi_core.storage.tables import Base
from tests.conftest import private_postgres_database
from tests.integration.old_schema import load_plan_at_old_revision

T0 = datetime(2022, 3, 15, 9, 0, tzinfo=UTC)
NEW_TABLES = ("challenges", "decisions", "embeddings")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0003(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database at revision 0003 (the head before this one)."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(engine, "0003")
        yield engine
        engine.dispose()
        return
    with private_postgres_database("ncpi_m4", revision="0003") as url:
        engine = build_engine(url)
        yield engine
        engine.dispose()


def _fill(engine: sa.Engine, config: ForceConfig, plan: PlanFile) -> None:
    """The North Yorkshire plan, an update per action, a closed action and an audit trail, as 0003 holds them."""
    load_plan_at_old_revision(engine, config, plan, T0)  # (the recommendations table has grown since)
    uow = SqlUowFactory(engine)
    with uow() as u:
        actions = u.plan.actions()
    # rows as revision 0003 holds them (today's repositories also write what later revisions add)
    with engine.begin() as conn:
        conn.execute(UPDATES.insert(), [
            {"action_id": action.id, "rag": RAG.GREEN.value, "progress": i, "narrative": "", "blockers": "",
             "evidence": "", "source": Source.DM.value, "created_at": T0 + timedelta(minutes=i),
             "idempotency_key": f"key-{i}"} for i, action in enumerate(actions)])
    with uow() as u:
        closed = u.plan.action("R4.1")
        assert closed is not None
        u.plan.change_action("R4.1", closed.version, status=ActionStatus.CLOSED)
        u.audit.add(AuditEntry(at=T0, entity="action", entity_id="R4.1", event="signed_off", field="status",
                               old="accepted", new="closed", actor="dcc"))
        u.commit()


def _counts(engine: sa.Engine) -> dict[str, int]:
    names = [t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.connect() as conn:
        return {n: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names}


def test_upgrade_keeps_every_row_and_the_new_tables_work(at_0003: sa.Engine, force_config: ForceConfig,
                                                        plan_file: PlanFile) -> None:
    _fill(at_0003, force_config, plan_file)
    before = _counts(at_0003)
    assert before["updates"] == 27 and before["actions"] == 27 and not set(NEW_TABLES) & set(before)
    upgrade(at_0003)
    assert current_revision(at_0003) == head_revision()
    with at_0003.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    after = _counts(at_0003)
    assert {k: after[k] for k in before} == before  # (later migrations add tables of their own)
    assert {k: after[k] for k in NEW_TABLES} == dict.fromkeys(NEW_TABLES, 0)
    uow = SqlUowFactory(at_0003)
    with uow() as u:
        assert len(u.updates.latest()) == 27 and u.plan.action("R4.1").status == ActionStatus.CLOSED  # type: ignore[union-attr]
        u.challenges.add(Challenge("R2.2", "What shows every episode is reviewed?", "tacc", T0))
        u.decisions.add(DecisionRecord("R1", "R1", "Accept 30 June", "Partners consulted", "dcc", T0))
        u.embeddings.add(Embedding("R4.1", "Re-audit: no child detained overnight without review", date(2022, 6, 20),
                                   "tacc", T0 + timedelta(days=95)))
        action = u.plan.action("R4.1")
        assert action is not None
        u.plan.change_action("R4.1", action.version, status=ActionStatus.EMBEDDED)
        u.commit()
    with uow() as u:
        assert [c.action_id for c in u.challenges.open()] == ["R2.2"]
        assert [d.decision for d in u.decisions.all()] == ["Accept 30 June"]
        assert u.plan.action("R4.1").status == ActionStatus.EMBEDDED  # type: ignore[union-attr]
        assert len(u.updates.wordless_since()) == 27  # every update of the fill is a bare Green

    downgrade(at_0003, "0003")
    assert current_revision(at_0003) == "0003"
    assert not set(NEW_TABLES) & set(sa.inspect(at_0003).get_table_names())
    with at_0003.connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM actions WHERE id = 'R4.1'")).scalar_one()
    assert status == "closed"  # delivered again: what it was before embedding existed
    assert _counts(at_0003) == before
