"""App Home, and user text escaped wherever the bot shows it (`<!channel>` pings no one)."""

from __future__ import annotations

import json
from datetime import timedelta

from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient
from tests.slack.conftest import (
    COMMS,
    LD_LEAD,
    SAFEGUARDING,
    SILVER_CHAIR,
    STRANGER,
    BotHarness,
    wait_for,
)

NASTY = "slots delayed <!channel> <@U0DCC00001> & <https://evil.example|the intranet>"


def home_of(bot: BotHarness, user: str) -> dict:  # type: ignore[type-arg]
    r = bot.sender.app_home_opened(user)
    assert r.status == 200 and r.elapsed < 1
    return wait_for(lambda: bot.slack.home_view(user), what=f"home of {user}")


def test_a_bronze_lead_sees_their_own_actions_with_an_update_button(bot: BotHarness) -> None:
    view = home_of(bot, SAFEGUARDING)
    shown = json.dumps(view)
    for own in ("R2.1", "R2.2", "R2.3", "R4.2"):
        assert own in shown
    assert "R3.2" not in shown
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert {(b["action_id"], b["value"]) for b in buttons} >= {("ncpi_update_open", "R2.1")}
    assert "Plan position" in shown  # Safeguarding is also a Silver member


def test_silver_members_also_see_the_plan_position(bot: BotHarness) -> None:
    view = home_of(bot, SILVER_CHAIR)
    shown = json.dumps(view)
    assert "Plan position at a glance" in shown
    assert "27 actions" in shown
    for rec in ("R1", "R5", "R10"):
        assert f"*{rec}*" in shown
    assert len(view["blocks"]) <= 100


def test_bronze_only_people_do_not_see_the_plan_position(bot: BotHarness) -> None:
    view = home_of(bot, COMMS)
    assert "Plan position" not in json.dumps(view)
    assert "R3.3" in json.dumps(view)


def test_a_stranger_sees_nothing_of_the_plan(bot: BotHarness) -> None:
    view = home_of(bot, STRANGER)
    shown = json.dumps(view)
    assert "not in this plan's list of people" in shown
    assert "R1" not in shown


def test_a_narrative_is_escaped_wherever_it_is_shown(bot: BotHarness) -> None:
    # Slack sends what the person typed with its own markup: a real broadcast, a mention, a link
    bot.dm(LD_LEAD, "R3.2 amber 60% " + NASTY.replace("&", "&amp;"))
    bot.wait_messages(LD_LEAD)
    stored = bot.updates("R3.2")[0].narrative
    assert "<!channel>" in stored  # kept as the person wrote it…

    bot.command(LD_LEAD, "my")
    bot.command(SILVER_CHAIR, "summary")
    bot.command(SILVER_CHAIR, "summary post")
    home = home_of(bot, LD_LEAD)
    bot.wait_response(2)
    bot.wait_messages("C0SILVER01")
    bot.settle()
    # …and never shown as markup: the confirmation, /ncpi my, the summary (ephemeral and posted), Home
    assert bot.slack.broadcast_mentions() == []
    everything = [json.dumps(m.blocks) + m.text for m in bot.slack.timeline()] + [json.dumps(home)]
    for shown in everything:
        assert "<!channel>" not in shown
        assert "<@U0DCC00001>" not in shown
        assert "<https://evil.example" not in shown
    assert any("&lt;!channel&gt;" in s for s in everything)
    assert sum("&lt;!channel&gt;" in s for s in everything) >= 4


def test_the_silver_chair_sees_participation_at_home_and_a_bronze_lead_does_not(bot: BotHarness) -> None:
    sent = bot.clock() - timedelta(hours=3)
    key = "prompt:silver:20220503T1300Z:R2.1"
    with bot.core.uow() as uow:
        uow.ledger.add_owed([Owed(key, Kind.PROMPT, sent, None, Recipient.of_person("head_safeguarding"),
                                  meeting="silver:20220503T1300Z", action_id="R2.1",
                                  person="head_safeguarding")], sent)
        [claim] = uow.ledger.claim_keys([key], sent, "test", sent + timedelta(minutes=5))
        uow.ledger.mark_sent(claim.id, "test", "slack", MessageRef("D0SAFE0001", "1651568400.000100"), sent)
        uow.commit()
    chair = json.dumps(home_of(bot, SILVER_CHAIR))
    assert "Participation" in chair and "Head of Safeguarding: 0/1" in chair
    assert "Participation" not in json.dumps(home_of(bot, SAFEGUARDING))
