"""Issue 17 in Teams: the same words as a message to the bot — the PCC's assurance, the inspectorate's
status, and an observer refused politely."""

from __future__ import annotations

from tests.teams.conftest import TeamsHarness


def test_assurance_and_inspectorate_work_as_chat_text_and_observers_only_read(teams: TeamsHarness) -> None:
    teams.message("opfcc", "assurance R4 not assured no evidence of the custody audit yet")
    assert "Recorded the PCC's assurance of R4: not assured" in teams.last_text("opfcc")
    teams.message("opfcc", "assurance R4 maybe")
    assert "'maybe' is not an assurance rating" in teams.last_text("opfcc")
    assert "/ncpi" not in teams.last_text("opfcc")
    teams.message("coordinator", "inspectorate R4 awaiting review 2022-04-29")
    assert "Recorded the inspectorate's status of R4: awaiting review on 2022-04-29" in teams.last_text("coordinator")
    teams.message("hmicfrs_liaison", "decision R4 close it because done")
    refusal = teams.last_text("hmicfrs_liaison")
    assert "as an observer you cannot record a Gold decision" in refusal and "summary gold" in refusal
    teams.message("hmicfrs_liaison", "summary gold")
    gold = teams.last_text("hmicfrs_liaison")
    assert "PCC's assurance: not assured" in gold and "Inspectorate: awaiting review since 2022-04-29" in gold
    with teams.core.uow() as uow:
        assert [a.source for a in uow.assurances.all()] == ["command"]
