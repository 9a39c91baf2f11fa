"""Errors a person can act on: each names what was wrong and, where it can, what would work."""

from __future__ import annotations

from dataclasses import dataclass


class NcpiError(Exception):
    """Base class for every error the core raises on purpose (never shown as a traceback)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


@dataclass(frozen=True)
class Problem:
    """One problem in a file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        field = f", field '{self.field}'" if self.field else ""
        return f"{where}{field}: {self.message}"


class ValidationFailed(NcpiError):
    """A configuration or plan file was refused as a whole; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        text = "\n".join(str(p) for p in problems)
        super().__init__(text)


class NotFound(NcpiError):
    """An id (action, recommendation, person) that the plan does not know."""


class PermissionDenied(NcpiError):
    """The person may not do this; the hint says who can."""


class InvalidInput(NcpiError):
    """A command or reply that could not be read; the hint shows what works."""


class InvalidTransition(NcpiError):
    """A workflow step out of order (approve what nobody proposed, sign off what Silver has not accepted)."""


class PersonalDataRefused(NcpiError):
    """Text that looks like personal data about a child or a case; it is not stored."""


class StorageUnavailable(NcpiError):
    """The database did not answer; the caller should say 'try again shortly'."""


class SchemaMissing(NcpiError):
    """The database has no ncpi tables (or an old schema): `ncpi db upgrade` is the fix."""
