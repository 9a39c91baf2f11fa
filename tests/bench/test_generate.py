"""The generator: right counts, readable rows, and (bench) how fast it loads each set."""

from __future__ import annotations

from pathlib import Path

import pytest

from ncpi_core.domain.ledger import Kind, Recipient
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory

from .generate import REALISTIC, STRESS, generate, postgres_database, sqlite_database
from .measure import save_section


def test_smoke_generated_rows_read_back_as_the_app_wrote_them(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        ds = generate(url, "realistic", **REALISTIC)
        assert (ds.actions, ds.updates, ds.prompts) == (27, 27 * 104, 27 * 52)
        small = generate(url, "stress", actions=45, updates=450)
        assert (small.actions, small.updates) == (45, 450)
        engine = build_engine(url)
        with SqlUowFactory(engine)() as uow:
            updates = list(uow.updates.all())
            assert len(updates) == 450
            latest = uow.updates.latest()
            assert len(latest) == 45 and all(u.created_at.tzinfo for u in latest.values())
            owner = {a.id: a.owner for a in uow.plan.actions()}
            slack_ids = {p.id: p.identity("slack") for p in uow.people.all()}
            assert all(u.author_identity == f"slack:{slack_ids[owner[u.action_id]]}" for u in updates)
            prompts = uow.ledger.records(kinds=[Kind.PROMPT])
            assert len(prompts) == small.prompts
            row = prompts[0]
            assert row.state == "sent" and row.sent_at is not None and row.sent_at.tzinfo and row.payload == {}
            assert row.action_id is not None and row.recipient == Recipient.of_person(owner[row.action_id])
            assert row.platform == "slack" and row.where is not None
            # a reply in the prompt's thread finds its action, as it would for one the tick sent
            assert uow.ledger.action_of_message("slack", row.where) == row.action_id
        engine.dispose()


@pytest.mark.bench
def test_bench_generator(tmp_path: Path, mark_bench_ran: None) -> None:
    rows = []
    for backend, ctx in (("sqlite", lambda: sqlite_database(tmp_path)), ("postgresql", postgres_database)):
        for name, spec in (("realistic", REALISTIC), ("stress", STRESS)):
            with ctx() as url:
                ds = generate(url, name, **spec)
            rows.append({"set": name, "backend": backend, "actions": ds.actions, "updates": ds.updates,
                         "prompts": ds.prompts, "load_s": round(ds.load_seconds, 2),
                         **{f"{k}_s": v for k, v in (ds.phases or {}).items()}})
            print(rows[-1])
    save_section("generator", rows)
