"""Keep a summary's expensive inputs until the data changes.

A summary reads the plan with each action's latest update, the plan as it stood at the previous
meeting, the pending decisions and (for Silver) participation. None of these change unless a row
is written, so they are kept with the *data version* they were read at: the newest id and time of
the updates, audit and deliveries tables, read in one query through their indexes. Any write —
in this process or in another replica — changes the version, and the next summary reads afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from ncpi_core.storage.tables import AuditRow, DeliveryRow, UpdateRow, UTCDateTime
from ncpi_core.storage.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class DataVersion:
    updates: int | None
    updates_at: datetime | None
    audit: int | None
    audit_at: datetime | None
    deliveries: int | None
    sent_at: datetime | None

    def settled_by(self, now: datetime) -> bool:
        """True when no row is newer than `now` (so reads 'up to now' see every row)."""
        return all(t is None or t <= now for t in (self.updates_at, self.audit_at, self.sent_at))


def data_version(uow: UnitOfWork) -> DataVersion:
    """The newest id and time of each table a summary reads: one round trip, index lookups only."""
    s = uow.session
    assert s is not None
    audit_at = select(AuditRow.at).order_by(AuditRow.id.desc()).limit(1).scalar_subquery()
    row = s.execute(select(
        select(func.max(UpdateRow.id)).scalar_subquery(),
        select(func.max(UpdateRow.created_at)).scalar_subquery(),
        select(func.max(AuditRow.id)).scalar_subquery(),
        audit_at,
        select(func.max(DeliveryRow.id)).scalar_subquery(),
        select(func.max(DeliveryRow.sent_at)).scalar_subquery(),
    )).one()
    to_utc = UTCDateTime().process_result_value
    dialect = s.get_bind().dialect
    return DataVersion(row[0], _when(to_utc, row[1], dialect), row[2], _when(to_utc, row[3], dialect),
                       row[4], _when(to_utc, row[5], dialect))


def _when(convert: Callable[[Any, Any], datetime | None], value: Any, dialect: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns max() of a datetime column as text
        value = datetime.fromisoformat(value)
    return convert(value, dialect)


class SummaryCache:
    """A small thread-safe store of summary inputs, each valid for one data version."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[Hashable, tuple[DataVersion, datetime, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: DataVersion, now: datetime, build: Callable[[], T]) -> T:
        """The value kept for `key` at `version`, or `build()`'s (kept when the data is settled).

        A value read at time t0 serves a request at `now` only when no row is newer than either,
        so a summary 'as at now' never misses a row a kept value could not have seen.
        """
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] == version and version.settled_by(min(now, item[1])):
                self._items.move_to_end(key)
                self.hits += 1
                return item[2]
        self.misses += 1
        value = build()
        if version.settled_by(now):
            with self._lock:
                self._items[key] = (version, now, value)
                self._items.move_to_end(key)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return value
