"""Keep a summary's expensive inputs until the data changes.

A summary reads the plan with each action's latest update, the plan as it stood at the previous
meeting, the pending decisions and (for Silver) participation. None of these change unless a row
is written, so they are kept with the *data version* they were read at (`UnitOfWork.data_version`:
the newest id and time of the updates, audit and ledger rows, read through their indexes). Any
write — in this process or in another replica — changes the version, and the next summary reads
afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from ncpi_core.storage.base import DataVersion

T = TypeVar("T")


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
