"""Scrutiny from outside the force: the PCC's assurance rating and the inspectorate's own status.

Both are kept per recommendation, append-only (the newest record is the current one; the rest is
its history), beside the force's own position and never changing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ncpi_core.errors import InvalidInput


class Assurance(StrEnum):
    """The Police and Crime Commissioner's view of how far a recommendation is met."""

    ASSURED = "assured"
    PARTLY = "partly"
    NOT = "not"


ASSURANCE_WORDS = {Assurance.ASSURED: "assured", Assurance.PARTLY: "partly assured",
                   Assurance.NOT: "not assured"}
# what a person may type for each rating (after lower-casing; spaces, '-' and '_' read alike)
_ASSURANCE_ALIASES = {
    Assurance.ASSURED: ("assured", "fully assured", "full"),
    Assurance.PARTLY: ("partly", "partly assured", "partially", "partially assured", "partial"),
    Assurance.NOT: ("not", "not assured", "unassured", "none"),
}


class InspectorateStatus(StrEnum):
    """The inspectorate's own status of a recommendation, separate from the force's."""

    AWAITING_REVIEW = "awaiting_review"
    BEING_PROGRESSED = "being_progressed"
    CLOSED = "closed"
    REOPENED = "reopened"
    SUPERSEDED = "superseded"


INSPECTORATE_WORDS = {InspectorateStatus.AWAITING_REVIEW: "awaiting review",
                      InspectorateStatus.BEING_PROGRESSED: "being progressed",
                      InspectorateStatus.CLOSED: "closed by the inspectorate",
                      InspectorateStatus.REOPENED: "re-opened",
                      InspectorateStatus.SUPERSEDED: "superseded"}
_INSPECTORATE_ALIASES = {
    InspectorateStatus.AWAITING_REVIEW: ("awaiting review", "awaiting", "review"),
    InspectorateStatus.BEING_PROGRESSED: ("being progressed", "progressed", "progressing", "in progress"),
    InspectorateStatus.CLOSED: ("closed by the inspectorate", "closed by inspectorate", "closed"),
    InspectorateStatus.REOPENED: ("re opened", "reopened", "re open", "reopen"),
    InspectorateStatus.SUPERSEDED: ("superseded",),
}
# the inspectorate's statuses under which a recommendation is no longer open in its eyes
INSPECTORATE_SETTLED = frozenset({InspectorateStatus.CLOSED, InspectorateStatus.SUPERSEDED})


@dataclass(frozen=True)
class AssuranceRecord:
    """One rating by the PCC's office of one recommendation, with its comment: who and when."""

    recommendation_id: str
    rating: Assurance
    comment: str
    rated_by: str  # person id
    rated_at: datetime
    source: str = "system"
    id: int | None = None  # set when stored

    @property
    def words(self) -> str:
        return ASSURANCE_WORDS[self.rating]


@dataclass(frozen=True)
class InspectorateRecord:
    """One entry of the inspectorate's status trail of a recommendation, dated as the inspectorate
    dated it, recorded by a plan administrator."""

    recommendation_id: str
    status: InspectorateStatus
    status_on: date  # the inspectorate's date
    note: str
    recorded_by: str  # person id
    recorded_at: datetime
    source: str = "system"
    id: int | None = None  # set when stored

    @property
    def words(self) -> str:
        return INSPECTORATE_WORDS[self.status]

    @property
    def settled(self) -> bool:
        return self.status in INSPECTORATE_SETTLED


_MOST_WORDS = 4  # the longest alias ("closed by the inspectorate")


def _norm(words: Iterable[str]) -> str:
    return " ".join(w.lower().replace("-", " ").replace("_", " ") for w in words).strip()


def _match(words: Sequence[str], aliases: dict[str, tuple[str, ...]]) -> tuple[str, int] | None:
    """The value whose alias the first words spell (the longest such run of words), and how many it took."""
    names = {name: value for value, found in aliases.items() for name in found}
    best: tuple[str, int] | None = None
    for n in range(1, min(len(words), _MOST_WORDS) + 1):
        value = names.get(_norm(words[:n]))
        if value is not None:
            best = (value, n)
    return best


def read_assurance(words: Sequence[str]) -> tuple[Assurance, int]:
    """The rating the first word(s) give (`partly`, `partly assured`, `not`, …) and how many words it took.

    Raises:
        InvalidInput: `assurance.unknown_rating` with `typed` (when plainly a word) and the `ratings`.
    """
    found = _match(words, {k.value: v for k, v in _ASSURANCE_ALIASES.items()})
    if found is None:
        typed = words[0] if words else ""
        raise InvalidInput("assurance.unknown_rating", typed=typed if typed.isalpha() and len(typed) <= 20 else None,
                           ratings=[a.value for a in Assurance])
    return Assurance(found[0]), found[1]


def read_inspectorate_status(words: Sequence[str]) -> tuple[InspectorateStatus, int]:
    """The inspectorate status the first word(s) give and how many words it took.

    Raises:
        InvalidInput: `inspectorate.unknown_status` with `typed` and the `statuses` (keys and words).
    """
    found = _match(words, {k.value: v for k, v in _INSPECTORATE_ALIASES.items()})
    if found is None:
        typed = words[0] if words else ""
        raise InvalidInput("inspectorate.unknown_status",
                           typed=typed if typed.replace("-", "").isalpha() and len(typed) <= 20 else None,
                           statuses=[s.value for s in InspectorateStatus])
    return InspectorateStatus(found[0]), found[1]


def latest_by_recommendation(records: Iterable[AssuranceRecord]) -> dict[str, AssuranceRecord]:
    """The current rating of each recommendation: its newest record (records come oldest first)."""
    return {r.recommendation_id: r for r in records}


def current_statuses(records: Iterable[InspectorateRecord]) -> dict[str, InspectorateRecord]:
    """The inspectorate's current status of each recommendation: the latest by its own date, then by
    when it was recorded (a late-recorded older status does not override a newer one)."""
    out: dict[str, InspectorateRecord] = {}
    for r in records:
        held = out.get(r.recommendation_id)
        if held is None or (r.status_on, r.recorded_at) >= (held.status_on, held.recorded_at):
            out[r.recommendation_id] = r
    return out
