"""Closure on the in-memory store: propose, accept or reject, sign off, supersede; the notices each
step queues in the delivery ledger; refusals that store nothing; the history it leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.copy import SLACK, error_text, history_detail, history_what, notice_text, outcome_text
from bot.slack.blocks.workflow import notice_message
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Kind, Recipient
from ncpi_core.domain.models import RAG, ActionStatus, Source
from ncpi_core.domain.records import RequestKind, RequestState
from ncpi_core.errors import InvalidInput, InvalidTransition, NcpiError, NotFound, PermissionDenied
from ncpi_core.ports import NoticeContent
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import closure, due_dates, embedding
from ncpi_core.usecases.common import change_action
from ncpi_core.usecases.history import history
from ncpi_core.usecases.ledger import send_now
from tests.unit.governance_world import (
    T0,
    action,
    at,
    decided,
    loaded,
    notices,
    pending,
    trail,
    who,
)
from tests.unit.ledger_world import FakePort

EVIDENCE = "https://intranet/policy/123"


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def test_propose_accept_sign_off_with_notices_in_the_ledger(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    owner, chair, gold = (who(force_config, p) for p in ("head_ld", "tacc", "dcc"))
    out = closure.propose_complete(world, force_config, owner, "R3.2", EVIDENCE, **at())
    assert out.action is not None and out.action.status == ActionStatus.PROPOSED and out.action.version == 2
    assert [(n.person, n.code, n.kind, n.action_id) for n in out.notices] == [
        ("tacc", "closure.proposed", "review_closure", "R3.2")]
    assert outcome_text(out, SLACK) == "R3.2 is proposed complete; the Silver chair has been asked to review it."
    assert notice_text(out.notices[0], SLACK) == (
        "Head of Learning & Development proposes R3.2 complete: Briefing and training for frontline officers.\n"
        f"Evidence: {EVIDENCE}\nApprove with `/ncpi approve R3.2` or reject with `/ncpi reject R3.2 <reason>`.")
    # the notice is owed in the ledger, committed with the step: due now, for a week, to the person
    [row] = notices(world)
    assert [row.key] == out.delivery_keys and row.key.startswith("notice:") and row.key.endswith(":tacc")
    assert (row.kind, row.recipient, row.person, row.action_id, row.state) == (
        Kind.NOTICE, Recipient.of_person("tacc"), "tacc", "R3.2", "pending")
    assert row.due_at == T0 and row.payload == {"code": "closure.proposed", "params": out.notices[0].params,
                                                 "kind": "review_closure", "action_id": "R3.2"}
    request = pending(world, "R3.2", RequestKind.CLOSURE)
    assert request is not None and request.id == out.request_id and request.evidence == EVIDENCE

    out = closure.approve(world, force_config, chair, "r3.2", source=Source.BUTTON, **at(60))
    assert out.action is not None and out.action.status == ActionStatus.ACCEPTED
    assert {n.person: n.kind for n in out.notices} == {"dcc": "signoff", "head_ld": "info"}
    assert "Sign it off with `/ncpi signoff R3.2`." in notice_text(out.notices[0], SLACK)

    out = closure.signoff(world, force_config, gold, "R3.2", identity="slack:U0DCC00001", **at(24 * 60))
    assert out.action is not None and out.action.status == ActionStatus.CLOSED and out.action.version == 4
    assert {n.person for n in out.notices} == {"head_ld", "tacc"}
    assert out.recommendation_complete is None  # R3.1 and R3.3 are still open
    assert outcome_text(out, SLACK) == "R3.2 signed off and closed."
    assert len(notices(world)) == 1 + 2 + 2
    signed = decided(world, "R3.2", RequestKind.CLOSURE, RequestState.SIGNED_OFF)
    assert signed is not None and (signed.requested_by, signed.decided_by, signed.signed_off_by) == (
        "head_ld", "tacc", "dcc")
    with world() as uow:
        latest = uow.updates.for_action("R3.2", limit=1)[0]
    assert (latest.rag, latest.progress, latest.evidence, latest.author_identity) == (
        RAG.BLUE, 100, EVIDENCE, "slack:U0DCC00001")
    assert latest.narrative == ("Closed: proposed by Head of Learning & Development on 03 May 2022; accepted by "
                                "T/ACC on 03 May 2022; signed off by Deputy Chief Constable on 04 May 2022.")

    steps = [(history_what(e), e.who, e.at, e.source) for e in history(world, force_config, chair, "R3.2").entries]
    assert steps[1:] == [("proposed complete", "head_ld", T0, "slash"),
                         ("accepted by Silver", "tacc", T0 + timedelta(hours=1), "button"),
                         ("signed off by Gold (closed)", "dcc", T0 + timedelta(days=1), "slash"),
                         ("update", "dcc", T0 + timedelta(days=1), "slash")]
    assert history_detail(history(world, force_config, owner, "R3.2").entries[1]) == f"evidence: {EVIDENCE}"


def test_rejection_goes_back_to_the_owner_and_it_may_be_proposed_again(world: MemoryUowFactory,
                                                                        force_config: ForceConfig) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    closure.propose_complete(world, force_config, owner, "R3.2", "training register", **at())
    out = closure.reject(world, force_config, chair, "R3.2", "only 40% of officers trained so far", **at(5))
    assert out.action is not None and out.action.status == ActionStatus.OPEN
    assert [n.person for n in out.notices] == ["head_ld"]
    assert notice_text(out.notices[0], SLACK) == (
        "T/ACC did not accept R3.2 as complete yet.\nReason: only 40% of officers trained so far\nIt stays open. "
        "Propose it again with `/ncpi complete R3.2` and the evidence when ready.")
    rejected = decided(world, "R3.2", RequestKind.CLOSURE, RequestState.REJECTED)
    assert rejected is not None and rejected.decision_reason == "only 40% of officers trained so far"
    closure.propose_complete(world, force_config, owner, "R3.2", "training register, now 95%", **at(10))
    assert action(world, "R3.2").status == ActionStatus.PROPOSED
    assert [e.event for e in trail(world, "action", "R3.2")][-3:] == ["proposed", "rejected", "proposed"]


REFUSALS = [
    ("tacc", closure.approve, (), InvalidTransition, "Cannot approve: R3.2 is open: nobody has proposed it "
     "complete. The owner proposes it first with `/ncpi complete R3.2` and a link to the evidence."),
    ("tacc", closure.reject, ("not enough",), InvalidTransition, None),
    ("dcc", closure.signoff, (), InvalidTransition, None),
    ("head_ld", closure.approve, (), PermissionDenied, "Sorry, only the silver chair can accept a closure. Ask T/ACC."),
    ("head_crime", closure.propose_complete, ("report",), PermissionDenied,
     "Sorry, you cannot propose complete R3.2. Only its owner (head_ld), someone covering for the owner, or a "
     "plan administrator can."),
    ("head_ld", closure.propose_complete, ("",), InvalidInput,
     "The evidence is missing. For example: `/ncpi complete R3.2 https://intranet/policy/123`"),
    ("head_ld", closure.propose_complete, ("DOB 12/03/2015 seen",), NcpiError, None),
    ("tacc", closure.reject, ("",), InvalidInput, None),
    ("head_ld", closure.supersede, ("no longer needed",), PermissionDenied,
     "Sorry, only the silver chair or gold chair can supersede an action. Ask T/ACC or Deputy Chief Constable."),
    ("tacc", closure.supersede, ("",), InvalidInput,
     "The reason is missing. For example: `/ncpi supersede R3.2 replaced by R3.4 after the review`"),
]


@pytest.mark.parametrize(("person", "step", "args", "error", "said"), REFUSALS)
def test_out_of_order_or_bad_steps_are_refused_and_store_nothing(
        world: MemoryUowFactory, force_config: ForceConfig, person: str, step: object, args: tuple[str, ...],
        error: type[NcpiError], said: str | None) -> None:
    before = world.store.commits
    with pytest.raises(error) as err:
        step(world, force_config, who(force_config, person), "R3.2", *args, **at())  # type: ignore[operator]
    if said is not None:
        assert error_text(err.value, SLACK) == said
    assert world.store.commits == before


def test_each_later_step_refuses_the_earlier_ones(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    owner, chair, gold = (who(force_config, p) for p in ("head_ld", "tacc", "dcc"))
    closure.propose_complete(world, force_config, owner, "R3.2", "report", **at())
    with pytest.raises(InvalidTransition, match="propose"):
        closure.propose_complete(world, force_config, owner, "R3.2", "again", **at(1))
    closure.approve(world, force_config, chair, "R3.2", **at(2))
    for person, step, args in ((chair, closure.approve, ()), (chair, closure.reject, ("no",)),
                               (owner, closure.propose_complete, ("x",))):
        with pytest.raises(InvalidTransition) as err:
            step(world, force_config, person, "R3.2", *args, **at(3))  # type: ignore[operator]
        assert "awaits Gold sign-off" in error_text(err.value, SLACK)
    closure.signoff(world, force_config, gold, "R3.2", **at(4))
    with pytest.raises(InvalidTransition) as closed:
        closure.supersede(world, force_config, chair, "R3.2", "x", **at(5))
    assert error_text(closed.value, SLACK) == ("Cannot supersede: R3.2 is already closed (signed off by Gold). "
                                               "Nothing more is needed. Ask the Silver chair if it must be reopened.")


def test_an_unknown_action_names_some_that_exist_and_echoes_only_an_id(world: MemoryUowFactory,
                                                                       force_config: ForceConfig) -> None:
    owner = who(force_config, "head_ld")
    for typed, shown in (("R99.9", "'R99.9'"), ("<!channel>", "with that id")):
        with pytest.raises(NotFound) as err:
            closure.propose_complete(world, force_config, owner, typed, "report", **at())
        assert error_text(err.value, SLACK) == (f"There is no action {shown} in the plan. "
                                                "Action ids look like R1.1, R1.2, R1.3, R2.1, R2.2, ….")


def test_a_stale_version_is_refused(world: MemoryUowFactory) -> None:
    with world() as uow:
        seen = uow.plan.action("R3.2")
        assert seen is not None
        change_action(uow, seen, status=ActionStatus.PROPOSED)  # someone else, a moment ago
        with pytest.raises(InvalidTransition) as err:
            change_action(uow, seen, status=ActionStatus.SUPERSEDED)
    assert err.value.code == "action.changed_meanwhile"
    assert error_text(err.value, SLACK) == ("R3.2 was changed by someone else a moment ago. Nothing was saved. "
                                            "Look at it again (`/ncpi history R3.2`) and retry if it is still needed.")


def test_superseding_withdraws_what_is_pending_and_embedding_completes_a_recommendation(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    lead, chair, gold = (who(force_config, p) for p in ("head_cjc", "tacc", "dcc"))
    for aid in ("R4.1", "R4.2"):
        closure.propose_complete(world, force_config, lead, aid, "custody audit report on the intranet", **at())
    due_dates.request_due_change(world, force_config, lead, "R4.2", "2022-09-30", "audit slipped", **at(1))
    closure.approve(world, force_config, chair, "R4.1", **at(2))
    out = closure.signoff(world, force_config, gold, "R4.1", **at(3))
    assert out.recommendation_complete is None
    out = closure.supersede(world, force_config, gold, "R4.2", "replaced by the regional protocol", **at(4))
    # R4.1 is delivered, not embedded: R4 is not complete yet (issue 16)
    assert out.recommendation_complete is None and out.action is not None and out.action.is_closed
    assert outcome_text(out, SLACK) == "R4.2 superseded: closed without delivery."
    embedded = embedding.embed(world, force_config, chair, "R4.1", "re-audit: every child detained overnight reviewed",
                               **at(4 + 91 * 24 * 60))
    assert embedded.recommendation_complete == "R4"
    assert outcome_text(embedded, SLACK).endswith("R4 is complete: all its actions are embedded or superseded.")
    assert pending(world, "R4.2", RequestKind.CLOSURE) is None and pending(world, "R4.2", RequestKind.DUE_CHANGE) is None
    withdrawn = decided(world, "R4.2", RequestKind.CLOSURE, RequestState.WITHDRAWN)
    assert withdrawn is not None and withdrawn.decision_reason == "the action was superseded"
    assert withdrawn.decided_by == "dcc"
    assert decided(world, "R4.2", RequestKind.SUPERSEDE, RequestState.APPROVED) is not None
    assert [n.person for n in out.notices] == ["head_cjc", "head_safeguarding"]  # the owner and the deputy


def test_people_with_no_chat_identity_and_the_actor_get_no_notice(force_config: ForceConfig,
                                                                  plan_file: PlanFile) -> None:
    unreachable = [p.model_copy(update={"slack_user": None}) if p.id == "tacc" else p for p in force_config.people]
    config = force_config.model_copy(update={"people": unreachable})
    world = loaded(config, plan_file)
    out = closure.propose_complete(world, config, who(config, "head_ld"), "R3.2", "report", **at())
    assert out.notices == [] and out.delivery_keys == [] and notices(world) == []
    # the admin proposing on the owner's behalf is not told of their own step; the Silver chair is
    out = closure.propose_complete(loaded(force_config, plan_file), force_config, who(force_config, "coordinator"),
                                   "R3.2", "report", **at())
    assert [n.person for n in out.notices] == ["tacc"]


def test_what_awaits_the_silver_chair_and_the_early_check_before_a_form(world: MemoryUowFactory,
                                                                        force_config: ForceConfig) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    assert closure.pending_review(world, "R3.2") is None
    assert closure.check_can_propose(world, force_config, owner, "r3.2", today=at()["today"]).id == "R3.2"
    with pytest.raises(PermissionDenied):
        closure.check_can_propose(world, force_config, who(force_config, "head_crime"), "R3.2", today=at()["today"])
    closure.propose_complete(world, force_config, owner, "R3.2", "report", **at())
    due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-31", "awaiting review", **at(1))
    assert closure.pending_review(world, "r3.2") == "closure"  # a closure first
    with pytest.raises(InvalidTransition):
        closure.check_can_propose(world, force_config, owner, "R3.2", today=at()["today"])
    closure.approve(world, force_config, chair, "R3.2", **at(2))
    assert closure.pending_review(world, "R3.2") == "due_change"
    assert closure.pending_review(world, "R99") is None


def test_history_is_for_readers_and_the_owner(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    assert history(world, force_config, who(force_config, "head_ld"), "R3.2").action.id == "R3.2"
    with pytest.raises(PermissionDenied) as err:
        history(world, force_config, who(force_config, "people_services"), "R3.2")
    assert error_text(err.value, SLACK) == ("Sorry, the history of R3.2 is for Silver and Gold members, the PCC's "
                                            "office, observers and its owner. Use `/ncpi my` to see your own "
                                            "actions.")


def test_queued_notices_go_through_the_ledger_and_read_the_same_in_slack(world: MemoryUowFactory,
                                                                         force_config: ForceConfig) -> None:
    out = closure.propose_complete(world, force_config, who(force_config, "head_ld"), "R3.2", EVIDENCE, **at())
    port = FakePort()
    result = send_now(world, force_config, port, out.delivery_keys, at()["now"])
    assert result.keys_sent == out.delivery_keys and result.failed_keys == []
    [sent] = port.posted
    assert isinstance(sent.content, NoticeContent) and sent.recipient == Recipient.of_person("tacc")
    assert notice_message(sent.content) == notice_message(out.notices[0])
    assert [r.state for r in notices(world)] == ["sent"]
