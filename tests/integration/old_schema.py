"""Filling a database at an older revision with a plan, for the migration tests: the recommendations
go in through the table as that revision has it (today's repositories read columns added since)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.models import Action, PlanInfo
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import sync_people


def load_plan_at_old_revision(engine: sa.Engine, config: ForceConfig, plan: PlanFile, at: datetime) -> None:
    """The people, the plan's title, its recommendations and actions, as `load_plan` would store them."""
    uow = SqlUowFactory(engine)
    with uow() as u:
        sync_people(config, u, at, "cli")
        u.plan.save_info(PlanInfo(title=plan.plan.title, report=plan.plan.report, published=plan.plan.published), at)
        u.commit()
    recommendations = sa.Table("recommendations", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(recommendations.insert(), [
            {"id": r.id, "position": i, "title": r.title, "text": r.text, "category": r.category.value, "due": r.due,
             "in_plan": True} for i, r in enumerate(plan.recommendations)])
    with uow() as u:
        for r in plan.recommendations:
            for j, a in enumerate(r.actions):
                u.plan.add_action(Action(id=a.id, recommendation_id=r.id, title=a.title, owner=a.owner,
                                         deputy=a.deputy, due=a.due, original_due=a.due, position=j))
        u.commit()
