"""Replicas starting together may all run `ncpi db upgrade`: on PostgreSQL an advisory lock makes
them migrate one at a time, the others finding the schema already at head."""

from __future__ import annotations

import threading

import pytest
from conftest import private_postgres_database

from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import current_revision, head_revision, upgrade

REPLICAS = 4


@pytest.mark.postgres
def test_replicas_migrating_an_empty_database_at_once_all_succeed() -> None:
    with private_postgres_database(prefix="ncpi_lock", revision="base") as url:
        engines = [build_engine(url) for _ in range(REPLICAS)]
        start = threading.Barrier(REPLICAS)
        errors: list[BaseException] = []

        def replica(i: int) -> None:
            start.wait()
            try:
                upgrade(engines[i])
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=replica, args=(i,)) for i in range(REPLICAS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        try:
            assert errors == [] and current_revision(engines[0]) == head_revision()
        finally:
            for e in engines:
                e.dispose()
