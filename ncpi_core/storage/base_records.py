"""The storage port, continued: the governance records a summary shows beside the plan, and the
scrutiny from outside the force (the PCC's assurance, the inspectorate's status trail).

Part of the port (`ncpi_core.storage.base` re-exports these and gives the unit of work one of
each); kept apart only to hold each module to a readable length.
"""

from __future__ import annotations

import abc

from ncpi_core.domain.records import Challenge, DecisionRecord, Embedding
from ncpi_core.domain.scrutiny import AssuranceRecord, InspectorateRecord


class ChallengeRepository(abc.ABC):
    """The Silver chair's challenges on actions' updates."""

    @abc.abstractmethod
    def add(self, challenge: Challenge) -> Challenge:
        """Store a new challenge; returns it with its id."""

    @abc.abstractmethod
    def save(self, challenge: Challenge) -> None:
        """Write back the answer fields of a stored challenge."""

    @abc.abstractmethod
    def get(self, challenge_id: int) -> Challenge | None: ...

    @abc.abstractmethod
    def open(self, action_id: str | None = None) -> list[Challenge]:
        """Challenges not yet answered (of one action, or all), oldest first."""


class DecisionRepository(abc.ABC):
    """Gold's decision log: append-only."""

    @abc.abstractmethod
    def add(self, record: DecisionRecord) -> DecisionRecord:
        """Store a decision; returns it with its id."""

    @abc.abstractmethod
    def all(self, recommendation_id: str | None = None) -> list[DecisionRecord]:
        """Every decision (on one recommendation and its actions, or all), oldest first."""


class EmbeddingRepository(abc.ABC):
    """Delivered actions made embedded: one record per action."""

    @abc.abstractmethod
    def add(self, embedding: Embedding) -> Embedding:
        """Store; returns it with its id (an action is embedded once)."""

    @abc.abstractmethod
    def get(self, action_id: str) -> Embedding | None: ...

    @abc.abstractmethod
    def all(self) -> dict[str, Embedding]:
        """Every embedding, by action id."""


class AssuranceRepository(abc.ABC):
    """The PCC's assurance ratings: append-only (the newest of a recommendation is its rating)."""

    @abc.abstractmethod
    def add(self, record: AssuranceRecord) -> AssuranceRecord:
        """Store a rating; returns it with its id."""

    @abc.abstractmethod
    def all(self, recommendation_id: str | None = None) -> list[AssuranceRecord]:
        """Every rating (of one recommendation, or all), oldest first."""


class InspectorateRepository(abc.ABC):
    """The inspectorate's status trail of each recommendation: append-only."""

    @abc.abstractmethod
    def add(self, record: InspectorateRecord) -> InspectorateRecord:
        """Store one status; returns it with its id."""

    @abc.abstractmethod
    def all(self, recommendation_id: str | None = None) -> list[InspectorateRecord]:
        """Every status recorded (of one recommendation, or all), in the order recorded."""
