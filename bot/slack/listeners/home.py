"""App Home: each person's own actions with an Update button; Silver and Gold also see the plan's position."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.slack.blocks import common as blocks
from bot.slack.blocks.summary import participation_lines, rec_badge
from bot.slack.deps import Deps
from bot.slack.text import escape
from ncpi_core.domain import permissions
from ncpi_core.domain.models import Role
from ncpi_core.domain.summaries.model import BUCKET_ORDER
from ncpi_core.usecases.plan import actions_of
from ncpi_core.usecases.summaries import summary_now

log = logging.getLogger(__name__)
# every bucket of the totals, as a colour and a word
TOTAL_LABELS = {"red": ":red_circle: red", "amber": ":large_orange_circle: amber",
                "green": ":large_green_circle: green", "blue": ":large_blue_circle: closed",
                "embedded": ":large_blue_diamond: embedded", "not_started": ":white_circle: no update"}


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to draw
        publish_home(deps, str(event.get("user") or ""))


def publish_home(deps: Deps, slack_user: str) -> None:
    person = deps.person(slack_user)
    if person is None:
        deps.gateway.publish_home(slack_user, blocks.stranger_home())
        return
    actions, latest = actions_of(deps.uow_factory, person.id)
    position = plan_position(deps) if permissions.may_read_summary(person) else None
    if position is not None and person.has(Role.SILVER_CHAIR, Role.ADMIN):
        position += participation(deps)
    deps.gateway.publish_home(slack_user, blocks.home_view(person.name, actions, latest, deps.today(),
                                                           position))


def participation(deps: Deps) -> list[str]:
    """Who answers their prompts, and how fast: for the Silver chair and the administrator."""
    summary = summary_now(deps.uow_factory, deps.core.config, deps.now(), "silver", cache=deps.summary_cache)
    return participation_lines(summary)


def plan_position(deps: Deps) -> list[str]:
    """Totals, then one line per recommendation: the plan at a glance."""
    summary = summary_now(deps.uow_factory, deps.core.config, deps.now(), "silver", cache=deps.summary_cache)
    if summary.empty:
        return ["No plan is loaded yet."]
    totals = " · ".join(f"{TOTAL_LABELS[b.value]} {summary.totals.get(b.value, 0)}" for b in BUCKET_ORDER
                        if summary.totals.get(b.value, 0))
    lines = [f"{summary.total} actions: {totals}"]
    for rec in summary.recommendations:
        overdue = f" · *{rec.overdue} overdue*" if rec.overdue else ""  # its actions (the badge: itself)
        lines.append(f"{rec_badge(rec)} *{escape(rec.id)}* {escape(rec.title)} — {rec.progress} %{overdue}")
    return lines
