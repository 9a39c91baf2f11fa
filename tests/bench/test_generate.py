"""The generator: right counts, readable rows, and (bench) how fast it loads each set."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.tables import DeliveryRow, UpdateRow
from ncpi_core.storage.uow import UnitOfWork

from .generate import REALISTIC, STRESS, generate, postgres_database, sqlite_database
from .measure import save_section


def test_smoke_generated_rows_read_back_as_the_app_wrote_them(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        ds = generate(url, "realistic", **REALISTIC)
        assert (ds.actions, ds.updates, ds.prompts) == (27, 27 * 104, 27 * 52)
        small = generate(url, "stress", actions=45, updates=450)
        assert (small.actions, small.updates) == (45, 450)
        engine = build_engine(url)
        with UnitOfWork(engine) as uow:
            assert uow.session is not None
            assert uow.session.scalar(select(func.count()).select_from(UpdateRow)) == 450
            latest = uow.repo.latest_updates()
            assert len(latest) == 45 and all(u.created_at.tzinfo for u in latest.values())
            row = uow.session.scalars(select(DeliveryRow)).first()
            assert row is not None and row.sent_at is not None and row.sent_at.tzinfo and row.payload == {}
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
