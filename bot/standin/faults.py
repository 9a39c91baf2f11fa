"""Fault injection for the stand-in: queued failures, random fault rates and per-method rate limits."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANY_METHOD = "*"
Match = Callable[[str, dict[str, Any]], bool]  # (method, params) -> fail this call?


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or before) answering a call normally.

    Attributes:
        status: HTTP status to answer (429 = rate limited, 5xx = server error); None answers normally.
        retry_after: Seconds for the ``Retry-After`` header of a 429.
        error: With status 200, answer ``{"ok": false, "error": error}``.
        drop: Close the connection without answering.
        delay: Seconds to wait before answering (or dropping).
        reason: Short label recorded on the call (``fail_next``, ``random``, ``rate_limit``).
        processed: Do the call first, then answer the fault: Slack posted the message but the
            answer was an error or was lost (a 5xx from a proxy, a timeout): the app cannot tell.
    """

    status: int | None = None
    retry_after: int = 1
    error: str | None = None
    drop: bool = False
    delay: float = 0.0
    reason: str = "fail_next"
    processed: bool = False


@dataclass
class _Rates:
    rate_limited: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    drop: float = 0.0
    slow_seconds: float = 0.5
    retry_after: int = 1
    methods: frozenset[str] | None = None


@dataclass
class _Limit:
    per_second: int
    retry_after: int
    accepted: deque[float] = field(default_factory=deque)


class FaultPlan:
    """Decides, per call, whether to serve a fault. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, deque[Fault]] = {}
        self._rates = _Rates()
        self._rng = random.Random()
        self._limits: dict[str, _Limit] = {}
        self._matching: list[list[Any]] = []  # [match, fault, calls left]
        self.counts: dict[str, int] = {"429": 0, "5xx": 0, "dropped": 0, "slowed": 0}

    def fail_next(self, method: str, fault: Fault, count: int = 1) -> None:
        """Queue ``count`` copies of ``fault`` for the next calls to ``method`` (``*`` = any)."""
        with self._lock:
            self._queued.setdefault(method, deque()).extend([fault] * count)

    def set_rates(self, rates: _Rates, seed: int | None) -> None:
        """Replace the random fault rates; a seed makes the sequence repeatable."""
        with self._lock:
            self._rates = rates
            self._rng = random.Random(seed)

    def set_rate_limit(self, method: str, per_second: int | None, retry_after: int) -> None:
        """Limit ``method`` to ``per_second`` accepted calls in any 1-second window (None removes)."""
        with self._lock:
            if per_second is None:
                self._limits.pop(method, None)
            else:
                self._limits[method] = _Limit(per_second, retry_after)

    def fail_matching(self, match: Match, fault: Fault, count: int = 1) -> None:
        """Serve ``fault`` to the next ``count`` calls for which ``match(method, params)`` is true."""
        with self._lock:
            self._matching.append([match, fault, count])

    def clear(self) -> None:
        """Forget queued faults, rates, limits and counts."""
        with self._lock:
            self._queued.clear()
            self._matching.clear()
            self._rates = _Rates()
            self._limits.clear()
            for k in self.counts:
                self.counts[k] = 0

    def decide(self, method: str, now: float | None = None,
               params: dict[str, Any] | None = None) -> Fault | None:
        """Return the fault to serve for this call, if any, and count it."""
        now = time.monotonic() if now is None else now
        with self._lock:
            fault = (self._take_matching(method, params or {}) or self._take_queued(method)
                     or self._roll(method) or self._limit(method, now))
            if fault is not None:
                self._count(fault)
            return fault

    def _take_matching(self, method: str, params: dict[str, Any]) -> Fault | None:
        for entry in self._matching:
            match, fault, left = entry
            if left > 0 and match(method, params):
                entry[2] = left - 1
                return fault
        return None

    def _take_queued(self, method: str) -> Fault | None:
        for key in (method, ANY_METHOD):
            q = self._queued.get(key)
            if q:
                return q.popleft()
        return None

    def _roll(self, method: str) -> Fault | None:
        r = self._rates
        if r.methods is not None and method not in r.methods:
            return None
        if not (r.drop or r.rate_limited or r.server_error or r.slow):
            return None
        x = self._rng.random()
        if x < r.drop:
            return Fault(drop=True, reason="random")
        x -= r.drop
        if x < r.rate_limited:
            return Fault(status=429, retry_after=r.retry_after, reason="random")
        x -= r.rate_limited
        if x < r.server_error:
            return Fault(status=500, reason="random")
        x -= r.server_error
        if x < r.slow:
            return Fault(delay=r.slow_seconds, reason="random")
        return None

    def _limit(self, method: str, now: float) -> Fault | None:
        limit = self._limits.get(method)
        if limit is None:
            return None
        while limit.accepted and now - limit.accepted[0] >= 1.0:
            limit.accepted.popleft()
        if len(limit.accepted) >= limit.per_second:
            return Fault(status=429, retry_after=limit.retry_after, reason="rate_limit")
        limit.accepted.append(now)
        return None

    def _count(self, fault: Fault) -> None:
        if fault.drop:
            self.counts["dropped"] += 1
        elif fault.status == 429:
            self.counts["429"] += 1
        elif fault.status is not None and fault.status >= 500:
            self.counts["5xx"] += 1
        if fault.delay:
            self.counts["slowed"] += 1


def make_rates(
    rate_limited: float = 0.0,
    server_error: float = 0.0,
    slow: float = 0.0,
    drop: float = 0.0,
    slow_seconds: float = 0.5,
    retry_after: int = 1,
    methods: list[str] | None = None,
) -> _Rates:
    """Build random fault rates (probabilities per call, summing to at most 1)."""
    total = rate_limited + server_error + slow + drop
    if total > 1.0 or min(rate_limited, server_error, slow, drop) < 0:
        raise ValueError(f"fault rates must be >= 0 and sum to <= 1, got {total}")
    return _Rates(
        rate_limited, server_error, slow, drop, slow_seconds, retry_after,
        frozenset(methods) if methods is not None else None,
    )


class FaultControls:
    """The fault-injection half of ``SlackStandIn`` (which owns ``self.faults``)."""

    faults: FaultPlan

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, count: int = 1, *,
                  error: str | None = None, drop: bool = False, delay: float = 0.0,
                  processed: bool = False) -> None:
        """Make the next ``count`` calls to ``method`` (``"*"`` = any) fail.

        Args:
            method: Web API method name, or ``"*"``.
            status: 429 (rate limited, with ``Retry-After``), 500/503 (server error), or 200 with
                ``error`` to answer ``{"ok": false, "error": error}``.
            retry_after: The ``Retry-After`` seconds of a 429.
            count: How many calls fail.
            error: The error code for a 200 (or 5xx) answer.
            drop: Close the connection without answering instead.
            delay: Wait this long first (with ``status=200`` and no error: just slow).
            processed: Carry the call out first (the message is posted), then fail the answer.
        """
        if status == 200 and error is None and not drop:
            fault = Fault(delay=delay, reason="slow")
        else:
            fault = Fault(status=None if drop else status, retry_after=retry_after, error=error,
                          drop=drop, delay=delay, processed=processed)
        self.faults.fail_next(method, fault, count)

    def fail_matching(self, match: Match, status: int = 500, count: int = 1, *, error: str | None = None,
                      processed: bool = False) -> None:
        """Fail the next ``count`` calls for which ``match(method, params)`` is true (``params`` as
        decoded, e.g. ``params["metadata"]``): to fail one part of a long message, and only it.

        Args:
            match: Picks the calls to fail.
            status: 429, 5xx, or 200 with ``error``.
            count: How many matching calls fail.
            error: The error code of the answer.
            processed: Carry the call out first (the message is posted), then fail the answer.
        """
        self.faults.fail_matching(match, Fault(status=status, error=error, processed=processed,
                                               reason="fail_matching"), count)

    def set_fault_rates(self, rate_limited: float = 0.0, server_error: float = 0.0,
                        slow: float = 0.0, drop: float = 0.0, seed: int | None = None, *,
                        slow_seconds: float = 0.5, retry_after: int = 1,
                        methods: list[str] | None = None) -> None:
        """Serve random faults with these per-call probabilities (repeatable with a seed).

        Args:
            rate_limited: Probability of a 429 with ``Retry-After: retry_after``.
            server_error: Probability of a 500.
            slow: Probability of answering after ``slow_seconds``.
            drop: Probability of closing the connection without an answer.
            seed: Seed for the random generator.
            slow_seconds: Delay of a slow answer.
            retry_after: ``Retry-After`` of a random 429.
            methods: Only these methods (default: all).
        """
        rates = make_rates(rate_limited, server_error, slow, drop, slow_seconds, retry_after, methods)
        self.faults.set_rates(rates, seed)

    def set_rate_limit(self, method: str, per_second: int | None, retry_after: int = 1) -> None:
        """Answer 429 once more than ``per_second`` calls to ``method`` arrive within 1 second.

        Args:
            method: Web API method name.
            per_second: Calls accepted per sliding 1-second window; None removes the limit.
            retry_after: The ``Retry-After`` seconds of the 429.
        """
        self.faults.set_rate_limit(method, per_second, retry_after)

    @property
    def stats(self) -> dict[str, int]:
        """Counts of faults served: ``429``, ``5xx``, ``dropped``, ``slowed``."""
        return dict(self.faults.counts)

    @property
    def served_429(self) -> int:
        """How many 429 answers were served."""
        return self.faults.counts["429"]

    @property
    def served_500(self) -> int:
        """How many 5xx answers were served."""
        return self.faults.counts["5xx"]
