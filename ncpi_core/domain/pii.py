"""Personal-data guard: text that looks like case details about a child is refused, not stored.

All the patterns live here. A finding names the *kind* of data (a code such as `dob`, worded by
each front end's catalogue), never the text it matched, so a refusal can be shown anywhere
without repeating the suspected personal data.

The guard leans towards refusing: a person can always rephrase, but personal data once stored
and posted to a channel cannot be taken back. It must still let ordinary action-plan language
through ("R3.2 amber 60% training slots delayed to June", "Child Protection Conference guidance
published", "dip-sample of 50 cases in May 2022", "https://intranet/policy/123", "2022/23
figures"), so each pattern is paired with the plan phrases it must not catch in the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# the kinds of personal data the guard finds (codes: the words are the front end's)
DOB = "dob"
CRIME_REF = "crime_ref"
NHS = "nhs_number"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode"
CHILD_NAME = "child_name"
KINDS = (DOB, CRIME_REF, NHS, PHONE, EMAIL, POSTCODE, CHILD_NAME)

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"  # 12/03/2015, 12.03.15
         r"|\d{4}-\d{1,2}-\d{1,2}"  # 2015-03-12
         r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r",?\s+\d{2,4}"  # 3rd May 2015
         r"|" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})")  # May 3, 2015
_CRIME_WORDS = (r"(?:crime|incident|occurrence|log|ref(?:erence)?|cad|niche|athena|storm|case|custody"
                r"|urn|serial)")
# A reference is a code with a digit in it, in parts joined by / or - (12/34567/22, NY-220312-0045)
_CODE = r"(?=[A-Z0-9/\-]*\d)[A-Z0-9]{2,}(?:[/\-][A-Z0-9]+)+"
# Words that may follow "child", "victim", … in a name; matched case-insensitively
_PERSON_WORDS = (r"(?:child|children|victim|boy|girl|young\s+person|yp|cyp|pupil|baby|infant|toddler"
                 r"|teenager|son|daughter|sibling|brother|sister|suspect|offender|missing\s+person|misper"
                 r"|mother|father|mum|dad|parent|carer)")
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (DOB, re.compile(r"\b(?:dob|d\.o\.b|date\s+of\s+birth|born(?:\s+on)?)(?!\w)\.?[\s:\-]*(?:on\s+)?" + _DATE,
                     re.I)),
    (CRIME_REF, re.compile(r"\b" + _CRIME_WORDS + r"\s*(?:no\.?|number|ref|#)?\s*[:#]?\s*(?P<code>" + _CODE
                           + r"|\d{6,})(?![\w/\-])", re.I)),
    (CRIME_REF, re.compile(r"\b(?P<code>[0-9]{2}[/-][0-9]{4,8}[/-][0-9]{2,4})\b")),
    # "incident 245 of 12/03/2022", "log 245 12/03/22": a serial number and a day
    (CRIME_REF, re.compile(r"\b(?:incident|log|cad|serial|storm)\s*(?:no\.?|number|#)?\s*\d{1,5}\s+(?:of\s+)?"
                           r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b", re.I)),
    (NHS, re.compile(r"(?<![\w/\-.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w/\-]|\.\d)")),
    (PHONE, re.compile(r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?7\d{3}|\(?07\d{3}\)?)\s?\d{3}\s?\d{3}\b|"
                       r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:1\d{2,4}|2\d|3\d{2})\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    (EMAIL, re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    # an inward code written as a lower-case ordinal is not one: "S47 1st", "Q2 3rd week"
    (POSTCODE, re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?(?!\d(?-i:st|nd|rd|th)\b)\d[ABD-HJLNP-UW-Z]{2})\b",
                          re.I)),
    # "child Tom", "victim, Sarah,", "Victim: Jane Smith", "girl aged 14 named Amy", "child J.S."
    (CHILD_NAME, re.compile(r"\b(?i:" + _PERSON_WORDS + r")(?:'s)?(?:\s*[,:\-(]\s*|\s+(?i:called|named|known\s+as"
                            r"|is|was)\s+|\s+)(?P<name>" + _NAME + r"(?:\s+" + _NAME + r")?)\b")),
    (CHILD_NAME, re.compile(r"\b(?i:" + _PERSON_WORDS + r")\b(?:\s+[\w']+){0,4}?\s+(?i:called|named|known\s+as)"
                            r"\s+(?P<name>" + _NAME + r")\b")),
    (CHILD_NAME, re.compile(r"\b(?i:" + _PERSON_WORDS + r")\s+(?P<name>[A-Z]\.\s?[A-Z]\.?)(?!\w)")),
]

# Capitalised words that commonly follow "child"/"victim"/… in plan language and are not names.
# Months and weekdays are here too, so "children May 2022" passes; a child named May or June
# after such a word is missed (a known limit: names that are also calendar words).
_NOT_NAME_WORDS = """
Protection Safeguarding Exploitation Abuse Services Service Sexual Criminal Strategy Centre Centred
Care Team Teams Unit Board Plan Plans Policy Code Support Voice Panel Contact Risk Referral Referrals
Focus Focused First The A An And In On Of For To With At By Is Was Officers Officer Liaison Champion
Champions Leads Lead Assessment Assessments Guidance Training Review Reviews Death Deaths Overview
Practice Friendly Arrest Arrests Trafficking Satisfaction Right Rights Personal Statement Statements
Impact Navigator Navigators Journey Journeys Experience Experiences Needs Need Advocate Advocates
Witness Witnesses Hub Hubs Case Cases Information Conference Conferences Protocol Protocols Act
Health Welfare Sexually Missing Person Persons People Return Interview Interviews Coordinator
Coordinators Management Disclosure Scheme Schemes Led Related Bail Custody Detention Detained Sexual
Online Internet Images Image Criminality County Lines Neglect Domestic Violence Partnership
Partnerships Commissioner Commissioners Data Record Records Recording Recordings Account Accounts
Interviewing Engagement Participation Consultation Survey Surveys Feedback Outcome Outcomes Offer
Offers Services Pathway Pathways Process Processes Procedure Procedures Standard Standards Group
Groups Forum Forums Meeting Meetings Coordination Contacts Profile Profiles Problem Profiling
Management Matters Centre Centres Sexual Harm Harmed Harms Exploited Safety Safe Safer Wellbeing
Mental Emotional Physical Emergency Emergencies Response Responses Pack Packs Leaflet Leaflets
Card Cards Form Forms Template Templates Checklist Checklists Dashboard Dashboards Report Reports
Portal App Apps Line Lines Helpline Helplines Network Networks Charter Charters Promise Strategy
Framework Frameworks Tool Tools Toolkit Model Models Approach Approaches Law Legislation Court Courts
Family Families Relative Relatives Friend Friends Young Adult Adults Boys Girls Children Victims Suspects
Offenders Offending Behaviour Behaviours Perpetrator Perpetrators Survivor Survivors Care Leaver Leavers
Looked After Act Acts Sections Section Order Orders Notice Notices Warning Warnings Identification
Awareness Week Month Day Year Month Quarter Q1 Q2 Q3 Q4 Police Policing Force Forces Authority
Authorities Council Councils Social Worker Workers Work Education School Schools College NHS GP
Child Victim Pupil Baby Infant Toddler Teenager Son Daughter Sibling Brother Sister Suspect
Offender Mother Father Mum Dad Parent Parents Misper Cyp CYP Yp YP Person
Gold Silver Bronze January February March April May June July August September October November
December Monday Tuesday Wednesday Thursday Friday Saturday Sunday
Boy Girl Scouts Scout Guides Guide Brigade Carer Carers Agency Agencies Organisation Organisations
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())

_NOT_NAME_SUFFIXES = ("ing", "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ship", "ised", "ized",
                      "ology", "ics", "ism")


def _looks_like_name(name: str) -> bool:
    first = name.split()[0].strip(".")
    if "." in name:  # initials
        return True
    if first in _NOT_NAMES or any(w in _NOT_NAMES for w in name.split()):
        return False
    return not (len(first) > 5 and first.lower().endswith(_NOT_NAME_SUFFIXES))


# "document ref NCPI-2022-01", "agenda item 4/2": the plan's own papers have references too
_PAPER_BEFORE = re.compile(r"\b(?:document|doc|policy|paper|report|minutes?|agenda|item|version|procedure"
                           r"|decision|action|risk|register|file)\s*$", re.I)


def _is_year_or_date(code: str) -> bool:
    """Financial years (2022/23, 2021-2022) and plain dates are plan language, not references."""
    return bool(re.fullmatch(r"(?:19|20)\d{2}[/\-](?:\d{2}|(?:19|20)\d{2})"
                             r"|\d{1,2}[/\-]\d{1,2}[/\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}", code))


@dataclass(frozen=True)
class Finding:
    """Which field looks personal, and what kind of data it seems to hold (one of KINDS)."""

    field: str
    kind: str


def _kinds_in(text: str) -> list[str]:
    kinds: list[str] = []
    for kind, rx in PATTERNS:
        if kind in kinds:
            continue
        for m in rx.finditer(text):
            groups = m.groupdict()
            if kind == CHILD_NAME and not _looks_like_name(groups["name"]):
                continue
            if kind == CRIME_REF and groups.get("code") and (
                    _is_year_or_date(groups["code"]) or _PAPER_BEFORE.search(text[max(0, m.start() - 20):m.start()])):
                continue
            if kind == NHS and not _nhs_checksum_ok(re.sub(r"\D", "", m.group(0))):
                continue
            kinds.append(kind)
            break
    return kinds


def find_personal_data(fields: dict[str, str]) -> list[Finding]:
    """Return what looks personal in each named field (empty when nothing does)."""
    findings: list[Finding] = []
    for name, text in fields.items():
        if text:
            findings.extend(Finding(name, k) for k in _kinds_in(text))
    return findings


def _nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's modulus-11 check digit (so most 10-digit counts are not mistaken for one)."""
    if len(digits) != 10:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])
