"""Summaries read from a real database (SQLite and PostgreSQL) with weeks of updates, and `ncpi summary`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient
from ncpi_core.domain.models import RAG, ActionStatus, Source, Update
from ncpi_core.domain.records import AuditEntry, Request, RequestKind, RequestState
from ncpi_core.domain.summaries.model import ExceptionKind
from ncpi_core.reports.common import ACTION_COLUMNS
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.base import UnitOfWork
from ncpi_core.usecases.summaries import summary_now

NOW = datetime(2022, 5, 9, 10, 0, tzinfo=UTC)  # Monday; previous Gold 29 Apr, Silver cycle opened 26 Apr
# (action, weeks of (rag, progress)) from 14 March, one update a week (None: no update that week)
HISTORY: dict[str, list[tuple[str, int] | None]] = {
    "R1.1": [("amber", 10), ("amber", 20), ("amber", 35), None, ("amber", 50), ("amber", 60), ("amber", 70),
             ("green", 85)],
    "R1.2": [("green", 10), ("green", 20), None, ("green", 40), ("amber", 45), ("amber", 50)],
    "R2.1": [("green", 30), ("green", 50), ("green", 70), ("green", 90), ("blue", 100)],
    "R2.2": [("amber", 10), ("amber", 15), ("red", 15), ("red", 20), ("red", 20), ("red", 25), ("red", 25),
             ("red", 30)],
    "R3.1": [("green", 20), ("green", 40)],  # stale: nothing since early April
    "R3.3": [("green", 50), ("green", 80), ("blue", 100)],
    "R4.1": [("green", 40), ("green", 60), ("green", 90), ("blue", 100)],
    "R5.1": [("amber", 30), ("amber", 40), ("amber", 45), ("amber", 50), ("amber", 55), ("amber", 60),
             ("amber", 65), ("amber", 70)],
}
START = datetime(2022, 3, 14, 10, 0, tzinfo=UTC)


def seed_history(uow_factory: Callable[[], UnitOfWork]) -> None:
    """Weeks of updates, a closure after the last Gold meeting, a sign-off pending, prompts sent."""
    with uow_factory() as uow:
        for action_id, weeks in HISTORY.items():
            for i, week in enumerate(weeks):
                if week is None:
                    continue
                rag, progress = week
                at = START + timedelta(weeks=i, hours=len(action_id))
                narrative = f"Week {i + 1}: {progress}% done"
                blockers = "Partner data-sharing agreement not signed" if rag == "red" else ""
                if action_id == "R1.2" and i == len(weeks) - 1:
                    narrative = "<!channel> supplier <https://evil|click> & delay"
                uow.updates.add(Update(action_id=action_id, rag=RAG(rag), progress=progress,
                                       narrative=narrative, blockers=blockers,
                                       evidence="=HYPERLINK(\"http://x\")" if action_id == "R4.1" else "",
                                       author="head_safeguarding", source=Source.DM, created_at=at))
        for action_id, values in (("R4.1", {"status": ActionStatus.CLOSED}), ("R3.3", {"status": ActionStatus.ACCEPTED}),
                                  ("R1.2", {"due": datetime(2022, 6, 30).date()})):
            action = uow.plan.action(action_id)
            assert action is not None and uow.plan.change_action(action_id, action.version, **values) is not None
        uow.audit.add(AuditEntry(at=datetime(2022, 5, 4, 10, tzinfo=UTC), entity="action", entity_id="R4.1",
                                 event="signed_off", field="status", old="accepted", new="closed", actor="dcc"))
        uow.requests.add(Request(action_id="R5.1", kind=RequestKind.DUE_CHANGE, state=RequestState.PENDING,
                                 new_due=datetime(2022, 7, 31).date(), reason="training venue unavailable",
                                 requested_by="head_safeguarding", requested_at=datetime(2022, 5, 5, 9, tzinfo=UTC)))
        # prompts for the 3 May Silver cycle, sent 26 April; R3.1's owner never answered
        sent_at = datetime(2022, 4, 26, 8, tzinfo=UTC)
        prompts = [Owed(f"prompt:{action_id}:0503", Kind.PROMPT, sent_at, None, Recipient.of_person(person),
                        meeting="silver:20220503T1300Z", action_id=action_id, person=person)
                   for action_id, person in (("R1.1", "head_customer_contact"), ("R2.2", "head_safeguarding"),
                                             ("R5.1", "head_safeguarding"), ("R3.1", "business_insight"))]
        uow.ledger.add_owed(prompts, sent_at)
        for claim in uow.ledger.claim_keys([o.key for o in prompts], sent_at, "seed", sent_at + timedelta(minutes=5)):
            assert uow.ledger.mark_sent(claim.id, "seed", "slack", MessageRef("D0", str(claim.id)), sent_at)
        uow.commit()


@pytest.fixture
def history(loaded: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    seed_history(loaded)
    return loaded


def test_gold_summary_from_the_database(history: Callable[[], UnitOfWork], force_config: ForceConfig) -> None:
    s = summary_now(history, force_config, NOW, "gold")
    assert not s.empty and s.force == "North Yorkshire Police" and s.total == 27
    assert s.totals == {"red": 1, "amber": 2, "green": 2, "blue": 3, "embedded": 0, "not_started": 19}
    assert [e.action_id for e in s.exceptions_of(ExceptionKind.RED)] == ["R2.2"]
    assert [e.action_id for e in s.exceptions_of(ExceptionKind.BLOCKED)] == ["R2.2"]
    assert [e.action_id for e in s.exceptions_of(ExceptionKind.AWAITING_SIGNOFF)] == ["R3.3"]
    decisions = {e.action_id: e.detail for e in s.exceptions_of(ExceptionKind.DECISION)}
    assert "2022-07-31" in decisions["R5.1"] and "R3.3" in decisions
    overdue = [e.action_id for e in s.exceptions_of(ExceptionKind.OVERDUE)]
    assert overdue == ["R1.1", "R2.1", "R5.1"]  # due 30 April; R4.1 closed
    m = s.movement
    assert m.since == datetime(2022, 4, 29, 10, tzinfo=force_config.tz)
    changes = {c.action_id: (c.before, c.after) for c in m.rag_changes}
    assert changes["R1.1"] == (RAG.AMBER, RAG.GREEN)
    assert m.newly_closed == ["R4.1"]
    assert m.newly_overdue == ["R1.1", "R2.1", "R5.1"]
    assert "R3.1" in m.no_update and "R1.1" not in m.no_update
    r4 = next(r for r in s.recommendations if r.id == "R4")
    assert r4.progress == 50 and r4.counts["blue"] == 1


def test_silver_summary_participation_and_filters(history: Callable[[], UnitOfWork],
                                                   force_config: ForceConfig) -> None:
    s = summary_now(history, force_config, NOW, "silver")
    assert s.participation is not None
    latest = {r.person: r for r in s.participation.latest()}
    assert latest["head_safeguarding"].prompts == 2 and latest["head_safeguarding"].answered == 2
    assert latest["business_insight"].answered == 0
    assert latest["head_customer_contact"].median_response is not None
    text = render_summary(s, "text")
    assert "PARTICIPATION" in text and "Head of Business Insight" in text
    s = summary_now(history, force_config, NOW, "silver", recommendation="r2", only="red")
    assert [a.id for a in s.actions] == ["R2.2"]
    assert s.actions[0].blockers.startswith("Partner")


def test_every_format_renders(history: Callable[[], UnitOfWork], force_config: ForceConfig) -> None:
    gold = summary_now(history, force_config, NOW, "gold")
    silver = summary_now(history, force_config, NOW, "silver")
    text = render_summary(gold, "text")
    for rid in [f"R{i}" for i in range(1, 11)]:
        assert f"\n{rid} " in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert max(len(line) for line in render_summary(silver, "text").splitlines()) <= 120
    md = render_summary(silver, "markdown")
    assert md.startswith("# North Yorkshire Police") and "| R2.2 " in md
    rows = list(csv.DictReader(io.StringIO(render_summary(silver, "csv"))))
    assert len(rows) == 27 and list(rows[0]) == ACTION_COLUMNS
    r41 = next(r for r in rows if r["action_id"] == "R4.1")
    assert r41["evidence"].startswith("'=") and r41["status"] == "closed"
    data = json.loads(render_summary(gold, "json"))
    assert data["level"] == "gold" and data["totals"]["red"] == 1
    assert data["generated_at"].startswith("2022-05-09T11:00:00+01:00")
    assert data["recommendations"][0]["actions"][0]["due"] == "2022-04-30"


# --- the command line ---------------------------------------------------------------------------
@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NCPI_DATABASE_URL", db_url)
    monkeypatch.setattr("bot.bootstrap.system_clock", lambda: NOW)
    return db_url


def test_cli_summary_empty_database(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--level", "gold"]) == 1
    assert "No plan loaded: run `ncpi db upgrade` then `ncpi plan load`" in capsys.readouterr().out


def test_cli_summary_formats(cli_env: str, history: Callable[[], UnitOfWork],
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--level", "gold"]) == 0
    out = capsys.readouterr().out
    assert "Gold summary" in out and "R2.2" in out and "EXCEPTIONS" in out
    assert main(["summary", "--format", "json", "--filter", "overdue"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {a["id"] for r in data["recommendations"] for a in r["actions"]} == {"R1.1", "R2.1", "R5.1"}
    assert main(["summary", "--format", "csv", "--recommendation", "R2"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 4
    assert main(["summary", "--recommendation", "R99"]) == 1
    err = capsys.readouterr().err
    assert "no recommendation 'R99'" in err and "R1, R2" in err
