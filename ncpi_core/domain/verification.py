"""Unverified greens: an action kept Green by updates that say nothing, for more than N cycles.

An update *says nothing* when it is Green with no narrative and no evidence: what the prompt's
"On track, no change" button records, or a bare `R3.2 green`. One such update after a worded one
carries the words forward; but when the latest update is such a Green and the run of them (back
to the last update that said something, or to the first update) has spanned more than
`timings.unverified_green_after_cycles` update cycles up to now, nobody has said *why* it is on
track for that long: the summaries mark it *unverified*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ncpi_core.domain.models import RAG, Update


@dataclass(frozen=True)
class Unverified:
    """An action whose Green rests on updates with no words."""

    since: datetime  # the first wordless Green of the run
    cycles: int  # the update cycles the run has spanned up to now (the one it began in included)


def says_nothing(update: Update) -> bool:
    """Green with no narrative and no evidence (the storage queries mirror this test)."""
    return update.rag == RAG.GREEN and not update.narrative.strip() and not update.evidence.strip()


def cycles_spanned(since: datetime, openings: Iterable[datetime], now: datetime) -> int:
    """The cycle `since` fell in, plus every cycle that opened after it, up to `now`."""
    return 1 + sum(1 for o in openings if since < o <= now)


def unverified_greens(wordless_since: Mapping[str, datetime], openings: Iterable[datetime], now: datetime,
                      after_cycles: int) -> dict[str, Unverified]:
    """The actions whose wordless Green has spanned more than `after_cycles` cycles.

    Args:
        wordless_since: for each action whose latest update says nothing, when that run began
            (`UpdateRepository.wordless_since`).
        openings: when each update cycle opened (the prompts went out), any order.
        now: the moment of the summary.
        after_cycles: the timing (`unverified_green_after_cycles`).
    """
    times = sorted(openings)
    out: dict[str, Unverified] = {}
    for action_id, since in wordless_since.items():
        cycles = cycles_spanned(since, times, now)
        if cycles > after_cycles:
            out[action_id] = Unverified(since=since, cycles=cycles)
    return out
