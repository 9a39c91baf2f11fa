"""Migration 0006 (each prompt keeps its first answer) on a database in use: every prompt already
sent gets the answer the old per-summary search found, participation reads the same, new updates
and sends keep it, and the downgrade gives the previous revision back, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import PromptRecord
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import current_revision, downgrade, head_revision, upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.storage.sql.common import UPDATES
from ncpi_core.storage.tables import Base
from ncpi_core.usecases.plan import load_plan
from tests.conftest import private_postgres_database

MIGRATION = importlib.import_module("ncpi_core.storage.migrations.versions.0006_perf")
BEFORE = MIGRATION.down_revision  # whatever this revision follows (re-chained at merges)
T0 = datetime(2022, 3, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(engine, BEFORE)
        yield engine
        engine.dispose()
        return
    with private_postgres_database("ncpi_m6", revision=BEFORE) as url:
        engine = build_engine(url)
        yield engine
        engine.dispose()


def _update(action_id: str, at: datetime, key: str) -> dict[str, object]:
    return {"action_id": action_id, "rag": RAG.AMBER.value, "progress": 50, "narrative": "", "blockers": "",
            "evidence": "", "source": Source.DM.value, "created_at": at, "idempotency_key": key}


def _prompt(key: str, action_id: str, sent_at: datetime | None, state: str = "sent") -> dict[str, object]:
    return {"key": key, "kind": "prompt", "meeting": "silver:20220322T1400Z", "action_id": action_id,
            "person": "lead", "recipient": "person:lead", "due_at": T0, "state": state, "attempts": 1,
            "sent_at": sent_at, "created_at": T0, "payload": {}}


def _fill(engine: sa.Engine, config: ForceConfig, plan: PlanFile) -> None:
    """Prompts sent to three actions (answered, answered twice, never) and one not sent, as the old revision holds them."""
    with SqlUowFactory(engine)() as u:
        load_plan(plan, config, u, T0, actor="cli")
        u.commit()
    deliveries = sa.Table("deliveries", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(UPDATES.insert(), [
            _update("R1.1", T0 - timedelta(hours=1), "early"),  # before the prompt: not an answer
            _update("R1.1", T0 + timedelta(hours=5), "late"),
            _update("R1.1", T0 + timedelta(hours=2), "first"),
            _update("R2.1", T0 + timedelta(days=20), "next-cycle")])
        conn.execute(deliveries.insert(), [
            _prompt("p-r11", "R1.1", T0), _prompt("p-r21", "R2.1", T0 + timedelta(days=14)),
            _prompt("p-r31", "R3.1", T0), _prompt("p-pending", "R1.1", None, state="pending")])


def test_upgrade_fills_each_prompts_first_answer_and_keeps_it(at_before: sa.Engine, force_config: ForceConfig,
                                                               plan_file: PlanFile) -> None:
    _fill(at_before, force_config, plan_file)
    upgrade(at_before)
    assert current_revision(at_before) == head_revision()
    with at_before.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        answered = dict(conn.execute(sa.text("SELECT key, answered_at FROM deliveries")).all())
    assert answered["p-pending"] is None and answered["p-r31"] is None
    uow = SqlUowFactory(at_before)
    with uow() as u:
        sent = u.ledger.prompts_sent(T0 + timedelta(days=30))
        before_answer = u.ledger.prompts_sent(T0 + timedelta(hours=1))
    assert [(p.action_id, p.answered_at) for p in sent] == [
        ("R1.1", T0 + timedelta(hours=2)), ("R3.1", None), ("R2.1", T0 + timedelta(days=20))]
    assert all(p.answered_at is None for p in before_answer)  # not answered yet as at that time
    with uow() as u:  # an update written after the upgrade answers the prompt still open
        u.updates.add(Update(action_id="R3.1", rag=RAG.GREEN, progress=80, source=Source.DM,
                             created_at=T0 + timedelta(days=3)))
        u.commit()
    with uow() as u:
        r31 = [p for p in u.ledger.prompts_sent(T0 + timedelta(days=30)) if p.action_id == "R3.1"]
    assert r31 == [PromptRecord("lead", "R3.1", T0, "silver:20220322T1400Z", T0 + timedelta(days=3))]

    downgrade(at_before, BEFORE)
    assert current_revision(at_before) == BEFORE
    columns = {c["name"] for c in sa.inspect(at_before).get_columns("deliveries")}
    assert "answered_at" not in columns and "sent_at" in columns
