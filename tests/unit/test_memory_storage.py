"""The in-memory unit of work behaves as a transaction: snapshot on enter, swap on commit.

(What each repository does is the shared contract in tests/integration/test_repositories.py.)
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import pytest

from ncpi_core.domain.models import Category, Recommendation
from ncpi_core.errors import StorageUnavailable
from ncpi_core.storage.memory import MemoryUowFactory

NOW = datetime(2022, 3, 1, 9, tzinfo=UTC)


def _rec(rid: str) -> Recommendation:
    return Recommendation(id=rid, title=f"title {rid}", category=Category.IMMEDIATE, due=date(2022, 6, 30))


def _ids(factory: MemoryUowFactory) -> list[str]:
    with factory() as uow:
        return [r.id for r in uow.plan.recommendations()]


def test_nothing_is_kept_without_commit() -> None:
    factory = MemoryUowFactory()
    with factory() as uow:
        uow.plan.save_recommendation(_rec("R1"))
    assert _ids(factory) == []


def test_rollback_discards_and_commit_keeps() -> None:
    factory = MemoryUowFactory()
    with factory() as uow:
        uow.plan.save_recommendation(_rec("R1"))
        uow.rollback()
        assert uow.plan.recommendations() == []
        uow.plan.save_recommendation(_rec("R2"))
        uow.commit()
        uow.plan.save_recommendation(_rec("R3"))  # after the commit, never committed
    assert _ids(factory) == ["R2"]


def test_an_error_in_the_block_keeps_nothing_uncommitted() -> None:
    factory = MemoryUowFactory()
    with pytest.raises(ZeroDivisionError), factory() as uow:
        uow.plan.save_recommendation(_rec("R1"))
        raise ZeroDivisionError
    assert _ids(factory) == []


def test_values_read_or_given_are_copies() -> None:
    factory = MemoryUowFactory()
    rec = _rec("R1")
    with factory() as uow:
        uow.plan.save_recommendation(rec)
        uow.commit()
    rec.title = "changed by the caller"
    with factory() as uow:
        read = uow.plan.recommendations()[0]
        read.title = "changed by a reader"
        assert uow.plan.recommendations()[0].title == "title R1"


def test_a_repository_refuses_use_outside_the_block() -> None:
    uow = MemoryUowFactory()()
    with pytest.raises(RuntimeError):
        uow.plan.recommendations()
    with uow, pytest.raises(RuntimeError):
        uow.__enter__()


def test_units_of_work_in_threads_take_turns() -> None:
    factory = MemoryUowFactory()
    with factory() as uow:
        uow.state.put("n", "0", NOW)
        uow.commit()

    def add_one() -> None:
        for _ in range(20):
            with factory() as uow:
                n = int(uow.state.get("n") or 0)
                time.sleep(0.0005)  # a lost update would show if two read the same n
                uow.state.put("n", str(n + 1), NOW)
                uow.commit()

    threads = [threading.Thread(target=add_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as uow:
        assert uow.state.get("n") == "80"


def test_a_unit_of_work_held_too_long_elsewhere_is_storage_unavailable() -> None:
    factory = MemoryUowFactory(lock_timeout=0.05)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with factory():
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    try:
        with pytest.raises(StorageUnavailable), factory():
            pass
    finally:
        release.set()
        holder.join()


def test_a_nested_commit_is_not_silently_overwritten() -> None:
    factory = MemoryUowFactory()
    with factory() as outer:
        outer.plan.save_recommendation(_rec("R1"))
        with factory() as inner:
            inner.plan.save_recommendation(_rec("R2"))
            inner.commit()
        with pytest.raises(RuntimeError, match="nested"):
            outer.commit()
    assert _ids(factory) == ["R2"]
