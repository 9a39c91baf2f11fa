"""Messages to the bot in Teams: updates in the same words as Slack's DMs, commands as chat text with
the same permissions, re-deliveries handled once, refusals in words, never a traceback."""

from __future__ import annotations

import json

import pytest

from bot.standin.teams import render_posted
from ncpi_core.domain.ledger import Kind
from ncpi_core.domain.models import RAG, Source
from tests.teams.conftest import TeamsHarness, wait_for


def _updates(teams: TeamsHarness, action_id: str) -> list[object]:
    with teams.core.uow() as uow:
        return list(uow.updates.for_action(action_id, limit=50))


def test_a_message_is_an_update_confirmed_once_even_if_teams_sends_it_again(teams: TeamsHarness) -> None:
    result = teams.message("head_ld", "R3.2 amber 60% training slots delayed to June")
    assert result.status in (200, 202)
    again = teams.client.send(result.activity)  # Teams re-sends an activity it thinks was lost
    assert again.status in (200, 202)
    updates = _updates(teams, "R3.2")
    assert len(updates) == 1
    u = updates[0]
    assert (u.rag, u.progress, u.narrative, u.source) == (RAG.AMBER, 60, "training slots delayed to June",  # type: ignore[attr-defined]
                                                          Source.DM)
    assert u.author_identity == f"teams:{teams.id('head_ld')}"  # type: ignore[attr-defined]
    confirmations = [m for m in teams.bot_said("head_ld") if "Recorded for" in render_posted(m)]
    assert len(confirmations) == 1
    text = render_posted(confirmations[0])
    assert "🟠 Amber" in text and "(at risk)" in text and "60%" in text  # a word beside the colour


def test_a_reply_to_a_prompt_needs_no_action_id(teams: TeamsHarness) -> None:
    teams.tick()
    prompt = next(m for m in teams.bot_said("head_ld") if "Update needed: R3.2" in render_posted(m))
    teams.message("head_ld", "green 70% first cohort trained", reply_to=prompt)
    (update,) = _updates(teams, "R3.2")
    assert (update.rag, update.progress, update.source) == (RAG.GREEN, 70, Source.THREAD)  # type: ignore[attr-defined]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_what_is_neither_an_update_nor_a_command_gets_what_works(teams: TeamsHarness) -> None:
    teams.message("head_ld", "frobnicate the widgets")
    text = teams.last_text("head_ld")
    assert "Start with the action id" in text and "`my`" in text and "`summary" in text
    teams.message("head_ld", "R99.9 amber 10% no such action")
    assert "There is no action 'R99.9'" in teams.last_text("head_ld")
    assert _updates(teams, "R3.2") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_stranger_is_told_so_and_reads_nothing(teams: TeamsHarness) -> None:
    stranger = "0badc0de-0000-4000-8000-000000000001"
    teams.standin.tenant.add_user(stranger, "Someone Else")  # in the tenant, not in ncpi.yaml
    result = teams.client.message(stranger, "summary")
    assert result.status in (200, 202)
    said = [m for m in teams.standin.bot_messages() if "not in this plan's list of people" in render_posted(m)]
    assert len(said) == 1
    text = render_posted(said[0])
    assert "Teams user id" in text and "R3" not in text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_personal_data_is_refused_and_nothing_is_stored(teams: TeamsHarness) -> None:
    teams.message("head_ld", "R3.2 amber 60% child DOB 12/03/2015 seen at school")
    text = teams.last_text("head_ld")
    assert "Nothing was saved" in text and "date of birth" in text
    assert "12/03/2015" not in text  # the refusal never repeats what it refused
    assert _updates(teams, "R3.2") == []


def test_user_text_is_never_read_as_markup(teams: TeamsHarness) -> None:
    hostile = "R3.2 amber 60% see **bold** [click](https://evil.example) <at>Everyone</at> &lt;b&gt;"
    teams.message("head_ld", hostile)
    card = teams.last("head_ld").card()
    assert card is not None
    # the narrative appears only as a TextRun (never Markdown), exactly as typed
    runs = [i["text"] for b in card["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]
    assert "see **bold** [click](https://evil.example) @Everyone <b>" in runs
    blocks = [b.get("text", "") for b in card["body"] if b["type"] == "TextBlock"]
    assert not any("evil.example" in t for t in blocks)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("person", "text", "expected"), [
    ("communications", "summary", "Sorry, summaries are for Silver and Gold members, the PCC's office and observers."),
    ("head_ld", "chase", "Sorry, only the silver chair or admin can chase updates."),
    ("head_crime", "approve R3.2", "Sorry, only the silver chair can accept a closure."),
    ("head_crime", "complete R3.2 https://intranet/x", "Sorry, you cannot propose complete R3.2."),
    ("head_ld", "complete R3.2", "Something is missing from `complete`."),
    ("head_ld", "due R3.2 2022-13-45 slots moved", "The new due date '2022-13-45' is not a date I can read."),
    ("head_ld", "history R99", "There is no action 'R99' in the plan."),
])
def test_commands_refuse_politely_with_the_same_permissions_as_slack(teams: TeamsHarness, person: str, text: str,
                                                                     expected: str) -> None:
    teams.message(person, text)
    said = teams.last_text(person)
    assert expected.replace("`", "") in said.replace("`", "")
    assert "Traceback" not in said


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_commands_work_as_chat_text(teams: TeamsHarness) -> None:
    teams.message("head_ld", "my")
    assert "Your actions, Head of Learning & Development (5)" in teams.last_text("head_ld")
    teams.message("tacc", "summary gold")
    assert "Gold summary" in teams.last_text("tacc")
    teams.message("tacc", "next")
    assert "Next meetings" in teams.last_text("tacc") and "Silver —" in teams.last_text("tacc")
    teams.message("head_ld", "update R3.2")
    form = teams.last("head_ld").card()
    assert form is not None and any(e.get("id") == "narrative" for e in form["body"])
    teams.message("head_ld", "away 2022-05-09 2022-05-20 @head_crime")
    assert "Noted: you are away from 2022-05-09 to 2022-05-20" in teams.last_text("head_ld")
    teams.message("head_ld", "HELP")
    assert "`history R3.2`" in teams.last_text("head_ld")


def test_a_command_teams_sends_twice_runs_once(teams: TeamsHarness) -> None:
    first = teams.message("head_cjc", "complete R4.1 https://intranet.example/audit.pdf")
    teams.client.send(first.activity)
    outcome = [m for m in teams.bot_said("head_cjc") if "proposed complete" in render_posted(m)]
    assert len(outcome) == 1
    refusals = [m for m in teams.bot_said("head_cjc") if "Cannot propose" in render_posted(m)]
    assert refusals == []
    with teams.core.uow() as uow:
        notices = uow.ledger.records(kinds=[Kind.NOTICE])
    assert len(notices) == 1 and notices[0].state == "sent"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_in_a_channel_a_command_is_answered_privately_unless_posted(teams: TeamsHarness) -> None:
    silver = teams.config.channel("silver", "teams")
    assert silver is not None
    before = len(teams.channel("silver"))
    teams.client.channel_message(teams.id("tacc"), silver, "missing")
    assert "Updates owed" in teams.last_text("tacc") or "No update cycle" in teams.last_text("tacc")
    channel = teams.channel("silver")[before:]
    assert len(channel) == 1 and "answered you in our own chat" in render_posted(channel[0])
    assert channel[0].thread is not None  # the note is a reply in the command's thread
    teams.client.channel_message(teams.id("tacc"), silver, "summary silver post")
    posted = wait_for(lambda: [m for m in teams.channel("silver") if "Silver summary" in render_posted(m)])
    assert posted
    teams.client.channel_message(teams.id("head_ld"), silver, "R3.2 amber 60% in the open")
    assert _updates(teams, "R3.2") == []  # updates belong in the person's own chat
    assert "not in a channel" in render_posted(teams.channel("silver")[-1])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unexpected_failure_is_an_apology_never_a_traceback(teams: TeamsHarness,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.teams.messages as messages

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internals: /srv/ncpi/db.py line 12")

    monkeypatch.setattr(messages, "record_update", broken)
    result = teams.message("head_ld", "R3.2 amber 60% fine")
    assert result.status in (200, 202)
    text = teams.last_text("head_ld")
    assert "something went wrong on ncpi's side" in text
    assert "secret internals" not in json.dumps([m.attachments for m in teams.standin.bot_messages()])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_challenge_reaches_the_owner_and_a_reply_to_it_answers_it(teams: TeamsHarness) -> None:
    teams.message("head_ld", "R3.2 amber 40% first cohort booked")
    teams.message("tacc", "challenge R3.2 what does the dip-sample show?")
    challenge = teams.last("head_ld")
    text = render_posted(challenge)
    assert "Challenge: R3.2" in text and "what does the dip-sample show?" in text and "[ Update… ]" in text
    teams.message("head_ld", "green 55% dip-sample of 20 cases: 18 met the standard", reply_to=challenge)
    latest = _updates(teams, "R3.2")[0]
    assert latest.rag == RAG.GREEN and latest.progress == 55  # type: ignore[attr-defined]
    teams.message("head_crime", "challenge R3.2 why?")
    assert "only the silver chair" in teams.last_text("head_crime").lower()
