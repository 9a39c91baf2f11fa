"""Errors a person can act on: a stable code and the facts the words need, never the words.

The core says *what* went wrong (`action.not_found`, with the id that was typed and a few ids
that exist); each front end's message catalogue (`bot/copy.py`) says it in that front end's
words, with its own command hints and markup. `str(error)` is for logs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class NcpiError(Exception):
    """Base class for every error the core raises on purpose (never shown as a traceback).

    Attributes:
        code: a stable dotted name (`area.what`), the key of the message catalogue.
        params: plain values (str, int, date, lists of them) the catalogue's words use.
    """

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code} " + ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))


@dataclass(frozen=True)
class Problem:
    """One problem in a file: where it is and what is wrong (plain English, for the file's author)."""

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
        super().__init__("file.invalid", problems=[str(p) for p in problems])
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class NotFound(NcpiError):
    """An id (action, recommendation, person) that the plan does not know."""


class PermissionDenied(NcpiError):
    """The person may not do this; the params say who can."""


class InvalidInput(NcpiError):
    """A command or reply that could not be read; the catalogue shows what works."""


class InvalidTransition(NcpiError):
    """A workflow step out of order (approve what nobody proposed, sign off what Silver has not accepted)."""


class PersonalDataRefused(NcpiError):
    """Text that looks like personal data about a child or a case; it is not stored."""


class StorageUnavailable(NcpiError):
    """The database did not answer; the caller should say 'try again shortly'."""

    def __init__(self, code: str = "storage.unavailable", /, **params: Any) -> None:
        super().__init__(code, **params)


class SchemaMissing(NcpiError):
    """The database has no ncpi tables (or an old schema): `ncpi db upgrade` is the fix."""

    def __init__(self, code: str = "storage.schema_missing", /, **params: Any) -> None:
        super().__init__(code, **params)


class ConfigurationError(NcpiError):
    """A setting or environment problem found at the edge (a database URL, a missing token)."""
