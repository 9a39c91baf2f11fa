"""Pacing Slack's Web API calls: one token bucket per method, shared by every thread of the process.

Slack limits each method per workspace and answers a call over the limit with HTTP 429 and a
`Retry-After`. Reacting to 429s alone wastes time: every sender thread meets the limit, each waits
a whole Retry-After, and the window is then refilled in a burst that meets it again. So a method
is not paced until its first 429; then its rate is learnt from the calls Slack accepted before
the refusal over the window the refusal implies (Retry-After seconds, at least one: a per-second
limit answers "1", a per-minute one up to "60"), every later call waits for its turn at that rate
(a little under it, so that network jitter does not push two calls into one window), and the
refusal's Retry-After is honoured by every thread. A later 429 lowers the rate by a tenth.
Each method has its own pace: `conversations.open` (Tier 3) never slows `chat.postMessage`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

SAFETY = 0.95  # pace at this share of the learnt rate
MIN_EVIDENCE = 3  # accepted calls in a refusal's window before a rate is learnt from it
HISTORY = 60.0  # seconds of accepted calls kept to learn a rate (Slack's longest window is a minute)


class MethodPace:
    """The pace of one Web API method (thread-safe; `clock` and `sleep` injectable for tests)."""

    def __init__(self, method: str, rate: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.method = method
        self.rate = rate  # calls a second; None until learnt
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = 0.0  # the earliest moment the next call may go
        self._accepted: deque[float] = deque()
        self._quiet_until = 0.0  # refusals before this belong to the last one
        self.refusals = 0

    def acquire(self) -> float:
        """Wait for this call's turn; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            if self.rate:
                self._next = at + 1.0 / (self.rate * SAFETY)
        wait = at - now
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)

    def accepted(self) -> None:
        """Slack accepted a call (counted to learn the rate at the first 429)."""
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            while self._accepted and now - self._accepted[0] > HISTORY:
                self._accepted.popleft()

    def refused(self, retry_after: float) -> None:
        """Slack answered 429: nobody calls before Retry-After, and the rate is learnt (or lowered).

        A refusal with fewer than MIN_EVIDENCE calls accepted in its window says nothing about a
        rate (a one-off 429); refusals of calls already in flight when the first came (within its
        Retry-After) are the same event and lower nothing.
        """
        with self._lock:
            now = self._clock()
            window = min(HISTORY, max(1.0, retry_after))
            count = sum(1 for t in self._accepted if now - t <= window)
            same_event = now < self._quiet_until
            self._next = max(self._next, now + max(0.0, retry_after))
            self._quiet_until = max(self._quiet_until, now + max(1.0, retry_after))
            self.refusals += 1
            if same_event or count < MIN_EVIDENCE:
                return
            seen = count / window
            self.rate = seen if self.rate is None else max(0.5, min(self.rate * 0.9, seen))


class Pacer:
    """The paces of one workspace's methods (made on first use)."""

    def __init__(self, rates: dict[str, float] | None = None) -> None:
        self._rates = dict(rates or {})
        self._paces: dict[str, MethodPace] = {}
        self._lock = threading.Lock()

    def pace(self, method: str) -> MethodPace:
        with self._lock:
            found = self._paces.get(method)
            if found is None:
                found = self._paces[method] = MethodPace(method, self._rates.get(method))
            return found


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def pacer_for(base_url: str, token: str | None) -> Pacer:
    """The one pacer of a workspace in this process (every sender thread and replica share it)."""
    key = f"{base_url}|{token or ''}"
    with _PACERS_LOCK:
        found = _PACERS.get(key)
        if found is None:
            found = _PACERS[key] = Pacer()
        return found


def method_of(url: str) -> str:
    """`https://slack.com/api/chat.postMessage` -> `chat.postMessage`."""
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]


class RetryAfterHandler(RateLimitErrorRetryHandler):
    """On a 429: the method's pace learns the rate and Retry-After (every thread of the process
    waits it out), then this call retries at its turn.

    slack_sdk's own handler sleeps Retry-After plus up to a whole second (random()) in the thread
    that met the limit only, which wastes half of each one-second window and lets the other
    threads meet it again.
    """

    def __init__(self, max_retry_count: int = 1, pacer: Pacer | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer or Pacer()

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            wait = float(values[0] if isinstance(values, list) else values)  # type: ignore[arg-type]
        except (TypeError, ValueError, IndexError):
            wait = 1.0
        pace = self.pacer.pace(method_of(request.url))
        pace.refused(wait)
        pace.acquire()
        state.increment_current_attempt()
