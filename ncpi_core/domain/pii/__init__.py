"""Personal-data guard: text that looks like details of a child or a case is refused, not stored.

A finding names the *kind* of data (a code such as `dob`, worded by each front end's catalogue),
never the text it matched, so a refusal can be shown anywhere without repeating it. The text is
normalised first (`normalise`), then read by Microsoft Presidio's recognisers (`detectors`), by
name rules over British name lists (`names`) and by our own rules for what no library covers
(`rules`). The guard leans towards refusing: a person can always rephrase, but personal data once
stored and posted to a channel cannot be taken back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ncpi_core.domain.pii.detectors import presidio_kinds
from ncpi_core.domain.pii.detectors import warm_up as _warm_detectors
from ncpi_core.domain.pii.kinds import (
    ADDRESS,
    BANK,
    CHILD_NAME,
    CRIME_REF,
    DOB,
    EMAIL,
    KINDS,
    NHS,
    NI_NUMBER,
    PHONE,
    POSTCODE,
    RECORD_ID,
    SCHOOL,
)
from ncpi_core.domain.pii.names import has_name
from ncpi_core.domain.pii.normalise import normalise
from ncpi_core.domain.pii.rules import own_rule_kinds
from ncpi_core.domain.pii.tokens import name_ranks

__all__ = ["ADDRESS", "BANK", "CHILD_NAME", "CRIME_REF", "DOB", "EMAIL", "KINDS", "NHS", "NI_NUMBER", "PHONE",
           "POSTCODE", "RECORD_ID", "SCHOOL", "Finding", "find_personal_data", "kinds_in", "warm_up"]


@dataclass(frozen=True)
class Finding:
    """Which field looks personal, and what kind of data it seems to hold (one of KINDS)."""

    field: str
    kind: str


def kinds_in(text: str) -> list[str]:
    """The kinds of personal data in one text, in the order of KINDS (empty when none)."""
    views = normalise(text)
    found = set(presidio_kinds(views.text))
    if views.joined != views.text:  # 999.526.0182, 2200 0123 456: numbers split to slip past
        found.update(presidio_kinds(views.joined, only=("UK_NHS", "PHONE_NUMBER")))
    found.update(own_rule_kinds(views.text, views.joined))
    if has_name(views.text):
        found.add(CHILD_NAME)
    return [k for k in KINDS if k in found]


def find_personal_data(fields: dict[str, str]) -> list[Finding]:
    """Return what looks personal in each named field (empty when nothing does)."""
    findings: list[Finding] = []
    for name, text in fields.items():
        if text and text.strip():
            findings.extend(Finding(name, k) for k in kinds_in(text))
    return findings


def warm_up() -> None:
    """Load everything the guard reads (Presidio, spaCy's tokenizer, the name lists) now, once."""
    _warm_detectors()
    name_ranks()
    kinds_in("warm up: Jayden Smith 14")
