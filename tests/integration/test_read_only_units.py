"""A unit of work declared read-only reads without taking SQLite's write lock: it neither waits for
a writer nor makes one wait, and sees only what was committed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ncpi_core.storage.base import UowFactory
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import upgrade
from ncpi_core.storage.sql import SqlUowFactory

NOW = datetime(2024, 4, 2, 9, tzinfo=UTC)


def test_a_read_only_unit_reads_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'ro.db'}")
    upgrade(engine)
    factory = SqlUowFactory(engine)
    try:
        with factory() as uow:
            uow.conversations.put("slack", "U1", "D1", None, NOW)
            uow.commit()
        with factory() as writer:
            writer.conversations.put("slack", "U2", "D2", None, NOW)  # holds the write lock, not committed
            with factory() as reader:
                seen = reader.read_only().conversations.conversations("slack")
            assert seen == {"U1": "D1"}  # the committed snapshot, at once
            writer.commit()
        with factory() as reader:
            assert reader.read_only().conversations.conversations("slack") == {"U1": "D1", "U2": "D2"}
    finally:
        engine.dispose()


def test_read_only_must_come_before_the_first_read(any_uow_factory: UowFactory) -> None:
    with any_uow_factory() as uow:
        assert uow.read_only() is uow
    if isinstance(any_uow_factory, SqlUowFactory):
        with any_uow_factory() as uow:
            uow.conversations.addresses("slack")
            with pytest.raises(RuntimeError):
                uow.read_only()
