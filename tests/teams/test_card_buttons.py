"""The buttons on ncpi's cards (Universal Actions, `Action.Execute`): each answer refreshes the card,
so nobody presses twice; a press that arrives twice stores once; a form's bad input comes back in
the form with what was typed; someone else's action is refused politely and the card left alone."""

from __future__ import annotations

import pytest

from bot.standin.teams import Posted, render_card, render_posted
from bot.teams.cards import forms
from ncpi_core.domain.ledger import Kind
from ncpi_core.domain.models import RAG, ActionStatus, Source
from tests.teams.conftest import TeamsHarness

FORM = {"rag": "amber", "progress": "60", "narrative": "Training slots delayed to June", "blockers": "",
        "evidence": ""}


def _prompt(teams: TeamsHarness, person: str, action_id: str) -> Posted:
    if not any(f"Update needed: {action_id}" in render_posted(m) for m in teams.bot_said(person)):
        teams.tick()
    return next(m for m in teams.bot_said(person) if f"Update needed: {action_id}" in render_posted(m))


def _updates(teams: TeamsHarness, action_id: str) -> list[object]:
    with teams.core.uow() as uow:
        return list(uow.updates.for_action(action_id, limit=50))


def _buttons(card: dict[str, object] | None) -> list[str]:
    return [line for line in render_card(card or {}) if line.startswith("[ ")]


def test_on_track_refreshes_the_card_and_a_second_press_stores_nothing(teams: TeamsHarness) -> None:
    prompt = _prompt(teams, "head_ld", "R3.2")
    teams.message("head_ld", "R3.2 amber 40% first cohort booked")
    first = teams.client.click(teams.id("head_ld"), prompt, forms.ON_TRACK,
                               data={"action_id": "R3.2"})
    assert first.status == 200 and first.card is not None
    text = "\n".join(render_card(first.card))
    assert "🟢 Green" in text and "(on track)" in text and "Progress kept as before" in text
    assert _buttons(first.card) == []  # answered: no buttons left to press
    assert prompt.card() == first.card  # Teams shows the refreshed card in place of the prompt
    again = teams.client.click(teams.id("head_ld"), prompt, forms.ON_TRACK, data={"action_id": "R3.2"})
    assert again.message == "Already recorded: R3.2 on track, from this message."
    latest = _updates(teams, "R3.2")
    assert len(latest) == 2 and latest[0].rag == RAG.GREEN and latest[0].progress == 40  # type: ignore[attr-defined]
    assert latest[0].source == Source.BUTTON  # type: ignore[attr-defined]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_update_opens_a_form_in_the_card_and_saving_it_records_once(teams: TeamsHarness) -> None:
    prompt = _prompt(teams, "head_ld", "R3.2")
    opened = teams.client.click(teams.id("head_ld"), prompt, forms.UPDATE_OPEN)
    assert opened.card is not None and [e["id"] for e in opened.card["body"] if "id" in e] == [
        "rag", "progress", "narrative", "blockers", "evidence"]
    saved = teams.client.click(teams.id("head_ld"), prompt, forms.UPDATE_SAVE, FORM)
    assert saved.card is not None and "Recorded for" in "\n".join(render_card(saved.card))
    (update,) = _updates(teams, "R3.2")
    assert (update.rag, update.progress, update.source) == (RAG.AMBER, 60, Source.CARD)  # type: ignore[attr-defined]
    double = teams.client.click(teams.id("head_ld"), prompt, forms.UPDATE_SAVE, FORM,
                                data={"action_id": "R3.2"})
    assert double.status == 200
    assert len(_updates(teams, "R3.2")) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("inputs", "field", "said"), [
    ({**FORM, "rag": ""}, "rag", "Choose how it is going"),
    ({**FORM, "progress": "150"}, "progress", "whole percentage from 0 to 100, not 150"),
    ({**FORM, "progress": "lots"}, "progress", "not lots"),
    ({**FORM, "narrative": "  "}, "narrative", "Say what has happened"),
    ({**FORM, "narrative": "Saw child, DOB 12/03/2015, at the school"}, "narrative", "a date of birth"),
    ({**FORM, "blockers": "ring 07700 900123 for details"}, "blockers", "a phone number"),
    ({**FORM, "narrative": "x" * 3001}, "narrative", "3,001 characters long"),
])
def test_a_forms_bad_input_comes_back_in_the_form_with_what_was_typed(teams: TeamsHarness, inputs: dict[str, str],
                                                                      field: str, said: str) -> None:
    prompt = _prompt(teams, "head_ld", "R3.2")
    teams.client.click(teams.id("head_ld"), prompt, forms.UPDATE_OPEN)
    result = teams.client.click(teams.id("head_ld"), prompt, forms.UPDATE_SAVE, inputs)
    card = result.card
    assert card is not None
    body = card["body"]
    position = next(i for i, e in enumerate(body) if e.get("id") == field)
    after = "\n".join(render_card({"body": body[position + 1:position + 2]}))
    assert said in after, after  # the refusal right under its field
    typed = {e["id"]: e.get("value") for e in body if "id" in e and e["type"] == "Input.Text"}
    assert typed["narrative"] == inputs["narrative"][:3000]  # nothing typed is lost
    assert _updates(teams, "R3.2") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_press_on_someone_elses_action_is_refused_politely_and_the_card_left_alone(teams: TeamsHarness) -> None:
    prompt = _prompt(teams, "head_ld", "R3.2")
    before = prompt.card()
    for verb in (forms.ON_TRACK, forms.UPDATE_OPEN, forms.COMPLETE_OPEN):
        result = teams.client.click(teams.id("head_crime"), prompt, verb)  # a forwarded card, a crafted invoke
        assert result.status == 200 and result.card is None
        assert result.message is not None and result.message.startswith("Sorry, you cannot")
        assert "Only its owner (" in result.message
    assert prompt.card() == before
    assert _updates(teams, "R3.2") == []


def test_closure_by_buttons_from_proposal_to_gold_signoff(teams: TeamsHarness) -> None:
    prompt = _prompt(teams, "head_cjc", "R4.1")
    opened = teams.client.click(teams.id("head_cjc"), prompt, forms.COMPLETE_OPEN)
    assert opened.card is not None
    empty = teams.client.click(teams.id("head_cjc"), prompt, forms.COMPLETE_SAVE, {"evidence": ""})
    assert empty.card is not None and "The evidence is missing" in "\n".join(render_card(empty.card))
    done = teams.client.click(teams.id("head_cjc"), prompt, forms.COMPLETE_SAVE,
                              {"evidence": "https://intranet.example/custody/audit.pdf"})
    assert done.card is not None and "proposed complete" in "\n".join(render_card(done.card))
    review = teams.last("tacc")
    assert "proposes R4.1 complete" in render_posted(review) and _buttons(review.card()) == ["[ Approve ] [ Reject… ]"]
    decided = teams.client.click(teams.id("tacc"), review, forms.APPROVE_CLOSURE)
    assert decided.card is not None and _buttons(decided.card) == []
    assert "R4.1 accepted" in "\n".join(render_card(decided.card)) and "(T/ACC," in "\n".join(render_card(decided.card))
    signoff = teams.last("dcc")
    assert _buttons(signoff.card()) == ["[ Sign off (close) ]"]
    not_gold = teams.client.click(teams.id("tacc"), signoff, forms.SIGNOFF)
    assert not_gold.message == "Sorry, only the gold chair can sign off an action. Ask Deputy Chief Constable."
    closed = teams.client.click(teams.id("dcc"), signoff, forms.SIGNOFF)
    assert closed.card is not None and "signed off and closed" in "\n".join(render_card(closed.card))
    with teams.core.uow() as uow:
        assert uow.plan.action("R4.1").status == ActionStatus.CLOSED  # type: ignore[union-attr]
        notices = uow.ledger.records(kinds=[Kind.NOTICE])
    assert notices and all(n.state == "sent" for n in notices)
    assert "signed off R4.1" in teams.last_text("head_cjc")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_rejecting_asks_for_a_reason_in_the_card(teams: TeamsHarness) -> None:
    teams.message("head_cjc", "complete R4.1 https://intranet.example/custody/audit.pdf")
    review = teams.last("tacc")
    form = teams.client.click(teams.id("tacc"), review, forms.REJECT_OPEN)
    assert form.card is not None and any(e.get("id") == "reason" for e in form.card["body"])
    blank = teams.client.click(teams.id("tacc"), review, forms.REJECT_SAVE, {"reason": ""})
    assert blank.card is not None and "The reason is missing" in "\n".join(render_card(blank.card))
    rejected = teams.client.click(teams.id("tacc"), review, forms.REJECT_SAVE,
                                  {"reason": "The audit covers February only"})
    assert rejected.card is not None and "sent back to its owner" in "\n".join(render_card(rejected.card))
    assert "The audit covers February only" in teams.last_text("head_cjc")
    with teams.core.uow() as uow:
        assert uow.plan.action("R4.1").status == ActionStatus.OPEN  # type: ignore[union-attr]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_button_from_an_older_card_or_a_stranger_gets_words_not_an_error(teams: TeamsHarness) -> None:
    prompt = _prompt(teams, "head_ld", "R3.2")
    old = teams.client.click(teams.id("head_ld"), prompt, "ncpi.retired_verb", data={"action_id": "R3.2"})
    assert old.status == 200 and old.message is not None and "older version of ncpi" in old.message
    stranger = teams.standin.tenant.add_user("0badc0de-0000-4000-8000-000000000002", "Someone Else").aad
    refused = teams.client.click(stranger, prompt, forms.ON_TRACK)
    assert refused.message is not None and "not in this plan's list of people" in refused.message
    assert _updates(teams, "R3.2") == []
