"""Write the sample packs in docs/samples/ from the sample plan (config/) and a short, scripted story:
`python -m tools.make_samples`. tests/unit/test_samples.py checks the committed samples are current."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from ncpi_core.config.schema import ForceConfig, load_force_config, load_plan_file
from ncpi_core.domain.models import RAG, Source
from ncpi_core.domain.packs import Audience
from ncpi_core.reports.packs import write_pack, write_revisit
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import closure, embedding, scrutiny
from ncpi_core.usecases.packs import audience_pack, revisit_bundle
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.updates import UpdateCommand, record_update

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "docs" / "samples"
AS_AT = datetime(2022, 9, 1, 9, tzinfo=UTC)


def _at(y: int, m: int, d: int) -> dict[str, object]:
    return {"now": datetime(y, m, d, 10, tzinfo=UTC), "today": date(y, m, d)}


def sample_world(config: ForceConfig) -> MemoryUowFactory:
    """The sample plan after a summer of work: R4 delivered (R4.1 embedded), updates on R3, the
    inspectorate's status and the PCC's ratings."""
    world = MemoryUowFactory()
    with world() as uow:
        load_plan(load_plan_file(ROOT / "config" / "action_plan.yaml", config), config, uow,
                  datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()

    def person(pid: str):  # type: ignore[no-untyped-def]
        found = config.person(pid)
        assert found is not None
        return found

    for aid, rag in (("R3.1", RAG.GREEN), ("R3.2", RAG.AMBER), ("R3.3", RAG.GREEN)):
        action = next(a for a in _actions(world) if a.id == aid)
        record_update(world, config, person(action.owner), UpdateCommand(
            action_id=aid, rag=rag, progress=60, narrative="internal words never published", source=Source.DM),
            **_at(2022, 8, 16))
    for aid in ("R4.1", "R4.2"):
        closure.propose_complete(world, config, person("head_cjc"), aid, "https://intranet/custody/audit",
                                 **_at(2022, 4, 20))
        closure.approve(world, config, person("tacc"), aid, **_at(2022, 4, 21))
        closure.signoff(world, config, person("dcc"), aid, **_at(2022, 4, 22))
    embedding.embed(world, config, person("tacc"), "R4.1", "Re-audit of 50 detentions: every one reviewed",
                    "2022-08-01", **_at(2022, 8, 2))
    scrutiny.record_inspectorate(world, config, person("coordinator"), "R4", "awaiting review 2022-08-10",
                                 **_at(2022, 8, 11))
    scrutiny.rate(world, config, person("opfcc"), "R4", "partly the audit shows the change; the council protocol "
                  "is signed but not yet tested", now=datetime(2022, 8, 12, 9, tzinfo=UTC))
    scrutiny.rate(world, config, person("opfcc"), "R3", "not the training has not yet reached response officers",
                  now=datetime(2022, 8, 12, 9, 5, tzinfo=UTC))
    return world


def _actions(world: MemoryUowFactory) -> list:  # type: ignore[type-arg]
    with world() as uow:
        return uow.plan.actions()


def write_samples(out: Path = SAMPLES) -> list[Path]:
    config = load_force_config(ROOT / "config" / "ncpi.yaml")
    world = sample_world(config)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for audience in (Audience.PUBLIC, Audience.PCC):
        pack = audience_pack(world, config, AS_AT, audience)
        for fmt, suffix in (("markdown", "md"), ("html", "html")):
            written += write_pack(pack, fmt, out / f"{audience.value}-pack.{suffix}")
    bundle = revisit_bundle(world, config, AS_AT)
    for fmt, suffix in (("markdown", "md"), ("html", "html")):
        written += write_revisit(bundle, fmt, out / f"revisit.{suffix}")
    return written


if __name__ == "__main__":
    for path in write_samples():
        print(path.relative_to(ROOT))
