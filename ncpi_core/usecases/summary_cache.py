"""Keep a summary's inputs, and summaries finished for a front end, until the data changes.

A summary reads the plan with each action's latest update, the plan as it stood at the previous
meeting, the pending decisions and (for Silver) participation. None of these change unless a row
is written, so they are kept with the *data version* they were read at (`UnitOfWork.data_version`:
the newest id and time of the updates, audit and ledger rows, read through their indexes). Any
write — in this process or in another replica — changes the version, and the next summary reads
afresh. A front end's finished rendering (a chat message, the file attached to it) is kept the
same way (`ncpi_core.usecases.summary_reads`).

The store is bounded in bytes (an estimate of each value's size, taken once when it is kept), not
in entries: one summary of a 2,000-action plan weighs a thousand of a small one. Concurrent
readers of one missing value wait for the first one's build instead of building it again.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from ncpi_core.storage.base import DataVersion

T = TypeVar("T")
DEFAULT_BYTES = 48 * 1024 * 1024
_ATOMS = (str, bytes, int, float, bool, type(None), datetime, Enum, type)


SAMPLE = 8  # items of a long container measured; the rest are taken to weigh the same on average


def estimate_size(value: Any, _seen: set[int] | None = None) -> int:
    """Roughly how many bytes `value` holds (containers, dataclasses and pydantic models followed).

    A long container is measured on a sample of its items and extrapolated, so estimating costs
    little next to building what is measured (a walk of every object cost more than the build).
    """
    seen = _seen if _seen is not None else set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, _ATOMS) or callable(value):
        return size  # shared or flat: enum members, classes and functions are not the value's own
    if isinstance(value, Mapping):
        return size + _sampled(list(value.items()), seen)
    if isinstance(value, list | tuple | set | frozenset):
        return size + _sampled(value if isinstance(value, list | tuple) else list(value), seen)
    if is_dataclass(value) and not isinstance(value, type):
        return size + sum(estimate_size(getattr(value, f.name, None), seen) for f in fields(value))
    inner = getattr(value, "__dict__", None)
    if inner is not None:
        return size + estimate_size(inner, seen)
    return size


def _sampled(items: Sequence[Any], seen: set[int]) -> int:
    if len(items) <= SAMPLE:
        return sum(estimate_size(v, seen) for v in items)
    step = len(items) // SAMPLE
    measured = sum(estimate_size(items[i * step], seen) for i in range(SAMPLE))
    return measured * len(items) // SAMPLE


class SummaryCache:
    """A thread-safe store of values, each valid for one data version, bounded in bytes."""

    def __init__(self, size: int = 256, max_bytes: int = DEFAULT_BYTES) -> None:
        self._items: OrderedDict[Hashable, tuple[DataVersion, datetime, Any, int]] = OrderedDict()
        self._building: dict[tuple[Hashable, DataVersion], threading.Event] = {}
        self._lock = threading.Lock()
        self._size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def peek(self, key: Hashable, version: DataVersion, now: datetime) -> Any | None:
        """The value kept for `key` at `version` if there is one (no build)."""
        with self._lock:
            item = self._valid(key, version, now)
            return item[2] if item is not None else None

    def last(self, key: Hashable) -> tuple[DataVersion, datetime, Any] | None:
        """What is kept for `key` whatever its version (to bring up to date from), with the
        version it was read at and the moment it was read for."""
        with self._lock:
            item = self._items.get(key)
            return (item[0], item[1], item[2]) if item is not None else None

    def _valid(self, key: Hashable, version: DataVersion, now: datetime) -> Any | None:
        item = self._items.get(key)
        if item is not None and item[0] == version and version.settled_by(min(now, item[1])):
            self._items.move_to_end(key)
            return item
        return None

    def get(self, key: Hashable, version: DataVersion, now: datetime, build: Callable[[], T],
            size: Callable[[T], int] = estimate_size) -> T:
        """The value kept for `key` at `version`, or `build()`'s (kept when the data is settled).

        A value read at time t0 serves a request at `now` only when no row is newer than either,
        so a summary 'as at now' never misses a row a kept value could not have seen. While one
        caller builds a value, others asking for the same key and version wait for it.
        """
        waited = False
        while True:
            with self._lock:
                item = self._valid(key, version, now)
                if item is not None:
                    self.hits += 1
                    return item[2]  # type: ignore[no-any-return,unused-ignore]
                building = self._building.get((key, version))
                if building is None or waited:
                    mine = threading.Event() if building is None else None
                    if mine is not None:
                        self._building[(key, version)] = mine
                    break
            building.wait(timeout=60)  # the builder fails or its value is not kept: build our own
            waited = True
        self.misses += 1
        try:
            value = build()
            if version.settled_by(now):
                self._keep(key, version, now, value, size(value))
        finally:
            if mine is not None:
                with self._lock:
                    self._building.pop((key, version), None)
                mine.set()
        return value

    def _keep(self, key: Hashable, version: DataVersion, now: datetime, value: Any, nbytes: int) -> None:
        if nbytes > self.max_bytes:
            return  # bigger than the whole store: served, never kept
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[3]
            self._items[key] = (version, now, value, nbytes)
            self.bytes += nbytes
            while self._items and (len(self._items) > self._size or self.bytes > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                self.bytes -= dropped[3]
