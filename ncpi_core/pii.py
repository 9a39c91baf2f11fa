"""Personal-data guard: text that looks like case details about a child is refused, not stored.

All the patterns live here. A finding names the *kind* of data, never the text it matched, so a
refusal can be shown anywhere without repeating the suspected personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("a date of birth", re.compile(
        r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\b[\s:]*"
        r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r"\s+\d{2,4})",
        re.I)),
    ("a crime or incident reference", re.compile(
        r"\b(?:crime|incident|occurrence|log|ref(?:erence)?|cad|niche|case|custody)\s*(?:no\.?|number|ref|#|:)?\s*"
        r"[:#]?\s*(?=[A-Z0-9/\-]*\d)[A-Z0-9]{2,}(?:[/\-][A-Z0-9]+)+\b",
        re.I)),
    ("a crime or incident reference", re.compile(r"\b[0-9]{2}[/-][0-9]{4,8}[/-][0-9]{2,4}\b")),
    ("an NHS number", re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")),
    ("a phone number", re.compile(r"(?<![\w/])(?:\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}\b|"
                                  r"(?<![\w/])(?:\+44\s?|0)(?:1\d{2,4}|2\d)\s?\d{3,4}\s?\d{3,4}\b")),
    ("an email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("a postcode", re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.I)),
    ("a child's name", re.compile(
        r"\b(?:child|victim|boy|girl|young person|yp|pupil|baby|infant|teenager|son|daughter|suspect|"
        r"missing person|misper)\s*(?:called|named|is|was|:|-)?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b")),
]

# Capitalised words that commonly follow "child"/"victim" in plan language and are not names.
_NOT_NAMES = {
    "Protection", "Safeguarding", "Exploitation", "Abuse", "Services", "Sexual", "Criminal", "Strategy",
    "Centre", "Care", "Team", "Teams", "Unit", "Board", "Plan", "Plans", "Policy", "Code", "Support",
    "Voice", "Panel", "Contact", "Risk", "Referral", "Referrals", "Focus", "First", "The", "A", "An",
    "And", "In", "On", "Of", "For", "To", "With", "At", "By", "Is", "Was", "Officers", "Officer",
    "Liaison", "Champion", "Leads", "Lead", "Assessment", "Guidance", "Training", "Review", "Reviews",
}


@dataclass(frozen=True)
class Finding:
    field: str
    kind: str

    def describe(self) -> str:
        return f"the {self.field} looks like it contains {self.kind}"


def find_personal_data(fields: dict[str, str]) -> list[Finding]:
    """Return what looks personal in each named field (empty when nothing does)."""
    findings: list[Finding] = []
    for name, text in fields.items():
        if not text:
            continue
        kinds: list[str] = []
        for kind, rx in PATTERNS:
            for m in rx.finditer(text):
                if kind == "a child's name":
                    words = m.group(0).split()
                    if words and words[-1] in _NOT_NAMES or any(w in _NOT_NAMES for w in words[1:]):
                        continue
                if kind == "an NHS number" and not _nhs_checksum_ok(re.sub(r"\D", "", m.group(0))):
                    continue
                if kind not in kinds:
                    kinds.append(kind)
                break
        findings.extend(Finding(name, k) for k in kinds)
    return findings


def _nhs_checksum_ok(digits: str) -> bool:
    if len(digits) != 10:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])
