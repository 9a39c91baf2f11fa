"""The packs for people outside the force: the public pack holds no name, chat id, blocker,
narrative or evidence link (proved on a plan seeded with them), the PCC pack adds the assurance and
the 56-day date, the guard runs again on what a pack prints, and the revisit bundle lists the proof."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.models import RAG, Source
from ncpi_core.domain.packs import Audience
from ncpi_core.reports.packs import write_pack, write_revisit
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import challenges, closure, decisions, embedding, scrutiny
from ncpi_core.usecases.packs import audience_pack, revisit_bundle
from ncpi_core.usecases.updates import UpdateCommand, record_update
from tests.unit.governance_world import loaded, who

NARRATIVE = "Sgt Jane Smith briefed the MASH team on the new form"
BLOCKER = "waiting on the Head of Crime to free two analysts"
EVIDENCE = "https://intranet.northyorks.police.uk/custody/dip-sample-2022.xlsx"
QUESTION = "Has the dip-sample been re-run since April?"
DECISION = "Fund the analyst posts from the reserve"
NOTE = "letter from the inspectorate's liaison team of 28 April"
COMMENT = "The office has seen the custody audit and is partly content"


def at(y: int, m: int, d: int) -> dict[str, object]:
    return {"now": datetime(y, m, d, 10, tzinfo=UTC), "today": date(y, m, d)}


@pytest.fixture
def seeded(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    """The North Yorkshire plan with everything the public must never read: names (owners, deciders),
    chat ids (every person's), narratives, blockers, evidence links, a challenge, a decision, the
    inspectorate's note and the PCC's comment."""
    world = loaded(force_config, plan_file)
    cfg = force_config
    for aid, owner in (("R4.1", "head_cjc"), ("R4.2", "head_cjc"), ("R3.2", "head_ld")):
        record_update(world, cfg, who(cfg, owner), UpdateCommand(
            action_id=aid, rag=RAG.AMBER, progress=50, narrative=NARRATIVE, blockers=BLOCKER, evidence=EVIDENCE,
            source=Source.DM), **at(2022, 4, 12))
    for aid in ("R4.1", "R4.2"):
        closure.propose_complete(world, cfg, who(cfg, "head_cjc"), aid, EVIDENCE, **at(2022, 4, 20))
        closure.approve(world, cfg, who(cfg, "tacc"), aid, **at(2022, 4, 21))
        closure.signoff(world, cfg, who(cfg, "dcc"), aid, **at(2022, 4, 22))
    embedding.embed(world, cfg, who(cfg, "tacc"), "R4.1", "Re-audit of 50 detentions: all reviewed", "2022-08-01",
                    **at(2022, 8, 2))
    challenges.ask(world, cfg, who(cfg, "tacc"), "R3.2", QUESTION, **at(2022, 4, 25))
    decisions.record_decision(world, cfg, who(cfg, "dcc"), "R3", DECISION, "the analysts are needed",
                              **at(2022, 4, 29))
    scrutiny.record_inspectorate(world, cfg, who(cfg, "coordinator"), "R4", f"awaiting review 2022-05-01 {NOTE}",
                                 **at(2022, 5, 2))
    scrutiny.rate(world, cfg, who(cfg, "opfcc"), "R4", f"partly {COMMENT}", now=datetime(2022, 5, 3, 9, tzinfo=UTC))
    return world


def _write(world: MemoryUowFactory, config: ForceConfig, audience: Audience, tmp_path: Path) -> dict[str, str]:
    pack = audience_pack(world, config, datetime(2022, 9, 1, 9, tzinfo=UTC), audience)
    out = {}
    for fmt, suffix in (("markdown", "md"), ("html", "html")):
        [path] = write_pack(pack, fmt, tmp_path / f"{audience.value}.{suffix}")
        out[fmt] = path.read_text(encoding="utf-8")
    return out


def test_the_public_pack_holds_no_name_id_blocker_narrative_or_evidence(
        seeded: MemoryUowFactory, force_config: ForceConfig, tmp_path: Path) -> None:
    forbidden = [NARRATIVE, "Jane Smith", BLOCKER, EVIDENCE, "intranet", QUESTION, DECISION, NOTE, COMMENT,
                 "Re-audit of 50 detentions"]
    forbidden += [p.name for p in force_config.people]
    forbidden += [v for p in force_config.people for v in p.identities().values()]
    for fmt, text in _write(seeded, force_config, Audience.PUBLIC, tmp_path).items():
        for word in forbidden:
            assert word not in text, (fmt, word)
        # what it does say: the report's words, position, dates, what changed and what remains
        assert "Recommendation R4" in text and "For immediate action" in text and "Within three months" in text
        assert "2 of 2 actions delivered (the latest on 2022-04-22)" in text
        assert "1 with its effect re-tested (the latest on 2022-08-01)" in text
        assert "awaiting review (2022-05-01)" in text  # the inspectorate's status word, not its note
        assert "RED (OVERDUE)" in text and "56 days" not in text and "assurance" not in text.lower()


def test_the_pcc_pack_adds_the_assurance_and_the_56_day_date(seeded: MemoryUowFactory, force_config: ForceConfig,
                                                              tmp_path: Path) -> None:
    for fmt, text in _write(seeded, force_config, Audience.PCC, tmp_path).items():
        assert "partly assured (2022-05-03)" in text and COMMENT in text, fmt
        assert "was due by 2022-05-24 (56 days after publication" in text
        for word in (NARRATIVE, BLOCKER, EVIDENCE, "Head of Criminal Justice"):
            assert word not in text, (fmt, word)


def test_the_guard_runs_again_on_what_a_pack_prints(seeded: MemoryUowFactory, force_config: ForceConfig,
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with seeded() as uow:  # stored before the guard could see it (an older version, a hand-edited database)
        r5 = next(r for r in uow.plan.recommendations() if r.id == "R5")
        uow.plan.save_recommendation(r5.model_copy(update={"public_summary": "Call 07700 900123 for details"}))
        r6 = next(r for r in uow.plan.recommendations() if r.id == "R6")
        uow.plan.save_recommendation(r6.model_copy(update={"public_summary": "Supervisors now review every case."}))
        uow.commit()
    pack = audience_pack(seeded, force_config, datetime(2022, 9, 1, 9, tzinfo=UTC), Audience.PUBLIC)
    assert [(x.item, x.field) for x in pack.left_out] == [("R5", "public summary")]
    texts = _write(seeded, force_config, Audience.PUBLIC, tmp_path)
    for text in texts.values():
        assert "07700" not in text and "Supervisors now review every case." in text
        assert "R5: its public summary was left out: it looks like it contains phone" in text


def test_the_html_pack_says_each_position_in_words_beside_its_colour(seeded: MemoryUowFactory,
                                                                     force_config: ForceConfig,
                                                                     tmp_path: Path) -> None:
    html = _write(seeded, force_config, Audience.PUBLIC, tmp_path)["html"]
    assert '<html lang="en">' in html and '<span class="red">RED (OVERDUE)' in html
    assert "<h3>" in html and "<script" not in html


def test_the_revisit_bundle_lists_each_action_with_its_proof_in_order(
        seeded: MemoryUowFactory, force_config: ForceConfig, tmp_path: Path) -> None:
    bundle = revisit_bundle(seeded, force_config, datetime(2022, 9, 1, 9, tzinfo=UTC))
    assert [i.id for i in bundle.items][:4] == ["R1", "R2", "R3", "R4"]
    r4 = next(i for i in bundle.items if i.id == "R4")
    first = r4.actions[0]
    assert (first.id, first.state, first.delivered_on, first.retested_on) == (
        "R4.1", "embedded", date(2022, 4, 22), date(2022, 8, 1))
    assert first.evidence == EVIDENCE and first.impact == "Re-audit of 50 detentions: all reviewed"
    assert r4.actions[1].state == "delivered" and r4.actions[1].impact == ""
    for fmt, suffix in (("markdown", "md"), ("html", "html")):
        [path] = write_revisit(bundle, fmt, tmp_path / f"revisit.{suffix}")
        text = path.read_text(encoding="utf-8")
        assert "Re-audit of 50 detentions" in text and "2022-04-22" in text and NARRATIVE not in text
        assert BLOCKER not in text
