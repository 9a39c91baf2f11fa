"""Our own patterns, only for what no maintained library covers (each says why).

Presidio and phonenumbers cover NHS and National Insurance numbers, phone numbers, e-mails,
postcodes and bank details (see `detectors`). What is left is British policing and children's
services: dates of birth (Presidio's date recogniser finds every date, and a plan is full of
dates: only a date *of birth* is personal), crime and occurrence references (each force's own
formats), local authority and school record ids, addresses without a postcode, and the names of
schools and care homes. All run on the normalised text (see `normalise`).
"""

from __future__ import annotations

import re

from ncpi_core.domain.pii.kinds import ADDRESS, CRIME_REF, DOB, RECORD_ID, SCHOOL
from ncpi_core.domain.pii.lexicon import NOT_NAMES, words

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (r"(?:\d{1,2}[/.\- ]\d{1,2}[/.\- ]\d{2,4}"  # 12/03/2015, 12.03.15, 12 03 2015
         r"|\d{4}-\d{1,2}-\d{1,2}"  # 2015-03-12
         r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r",?\s+\d{2,4}"  # 3rd May 2015, 3 of May 2015
         r"|" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})")  # May 3, 2015
# why our own: only a date *of birth* is personal; the plan's own dates must pass
_DOB = re.compile(r"(?<![a-z])(?:dob|date\s+of\s+birth|born(?:\s+on)?(?:\s+the)?|birthday(?:\s+is)?)(?![a-z])"
                  r"[\s:.\-]*(?:on\s+)?(?:the\s+)?(?:is\s+)?\(?" + _DATE, re.I)

# why our own: crime, incident and occurrence references are each force's own formats
_CRIME_WORDS = (r"(?:crime|incident|occurrence|occ|log|ref(?:erence)?|cad|niche|athena|storm|case|custody(?:\s+record)?"
                r"|urn|serial|crime\s+no|job)")
_CODE = r"(?=[A-Z0-9/\-]*\d)[A-Z0-9]{2,}(?:[/\-][A-Z0-9]+)+"
_PAPER_BEFORE = re.compile(r"\b(?:document|doc|policy|paper|report|minutes?|agenda|item|version|procedure"
                           r"|decision|action|risk|register|file|request|course|bulletin)\s*$", re.I)
_CRIME = [
    re.compile(r"\b" + _CRIME_WORDS + r"\s*(?:no\.?|num(?:ber)?|ref\.?|#)?\s*[:#]?\s*(?P<code>" + _CODE
               + r"|[A-Z]{0,3}\s?\d{6,}|(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{8,})(?![\w/\-])", re.I),
    re.compile(r"(?<![\w/.-])(?P<code>[0-9]{2}[/-][0-9]{4,8}[/-][0-9]{2,4})(?![\w/-])"),
    # "incident 245 of 12/03/2022", "log 245 12/03/22": a serial number and a day
    re.compile(r"\b(?:incident|log|cad|serial|storm)\s*(?:no\.?|number|#)?\s*\d{1,5}\s+(?:of\s+)?"
               r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b", re.I),
]
# why our own: council, school and health record ids have no public checksum or shape but the UPN's
_RECORD = [
    re.compile(r"\b(?:lcs|mosaic|liquid\s?logic|ehm|ics|carefirst|eclipse|capita|synergy|sims|paris"
               r"|social\s+care|child(?:'s)?|client|family|person|case|hospital|mrn|chi|la)\s*"
               r"(?:id|no\.?|num(?:ber)?|ref(?:erence)?|record)?\s*[:#]?\s*(?P<code>\d{5,}|[A-Z]{1,3}\d{5,})\b", re.I),
    re.compile(r"\b(?:upn|uln|unique\s+pupil\s+number)\s*(?:is\s*)?[:#]?\s*[A-Z]?\d{9,12}[A-Z0-9]?\b", re.I),
    re.compile(r"\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b"),  # a unique pupil number's shape
]
_STREET = (r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|grove|gardens|gdns|crescent|cres|court|ct"
           r"|place|terrace|row|square|sq|mews|walk|rise|view|parade|vale|wynd|gate|yard|fold|garth|croft|green|hill"
           r"|park|meadows?|fields?|heights|bank|end|side|estate)")
_STREET_TITLE = "(?:" + "|".join(w.capitalize() for w in re.findall(r"[a-z]+(?:\?)?", _STREET[3:-1])
                                 if not w.endswith("?")) + "|Meadows?|Fields?)"
_NOT_STREET_WORDS = words("minute minutes hour hours day days week weeks month months year years mile miles "
                              "working more new other of and all per cent percent times")
# why our own: an address without a postcode is a number and a street, or a place someone lives at
_ADDRESS = [
    re.compile(r"\b(?:flat|apartment|apt|maisonette)\s*\d+[a-z]?\b", re.I),
    # "14 Elm Grove", "41a Bishopthorpe Road"; in lower case only the unmistakable street words
    re.compile(r"(?<![\w/.,£$%-])(?P<num>\d{1,3}[a-zA-Z]?),?\s+(?P<words>(?:[A-Z][A-Za-z'’]*\s+){1,3})"
               + _STREET_TITLE + r"\b"),
    re.compile(r"(?<![\w/.,£$%-])(?P<num>\d{1,3}[a-z]?),?\s+(?P<words>(?:[a-z'’]+\s+){1,3})"
               r"(?:road|street|avenue|lane|grove|crescent|gardens|terrace|mews|close|drive)\b"),
    re.compile(r"\b(?:lives?|living|resides?|residing|staying|stays|placed|moved|address(?:\s+is)?|house|flat|home"
               r"|property)\s+(?:at|on|in|to)\s+(?:the\s+)?(?P<words>(?:[A-Z][\w'’]*\s+){1,3})" + _STREET_TITLE + r"\b"),
    re.compile(r"\b(?:lives?|living|resides?|residing|staying|placed)\s+(?:at|on)\s+(?P<words>[A-Z][\w'’]+"
               r"(?:\s+[A-Z][\w'’]+){0,2})"),
]
_SCHOOL_TYPE = (r"(?:primary|infants?|juniors?|academy|high\s+school|high|grammar|nursery|pre-?school|school"
                r"|comprehensive|secondary|sixth\s+form(?:\s+college)?|(?:children'?s|care|residential|nursing)\s+home"
                r"|pupil\s+referral\s+unit)")
# why our own: a named school or care home says where a child is; "schools" in general must pass
_SCHOOL = [
    re.compile(r"(?P<words>(?:\b(?:St\.?|[A-Z][\w'’.]*|[A-Z]{1,3})\s+){1,4})(?i:" + _SCHOOL_TYPE + r")\b(?!\s+trust)"),
    re.compile(r"\b(?:at|from)\s+(?P<words>(?:[a-z'’.]+\s+){1,3})" + _SCHOOL_TYPE + r"\b", re.I),
    # after a word of attending, any name but a generic one: "attends York High School"
    re.compile(r"\b(?:attends?|attending|attended|goes\s+to|go\s+to|went\s+to|pupils?\s+at|excluded\s+from"
               r"|year\s+\d+\s+at|placed\s+at|enrolled\s+at)\s+(?P<any>(?:[a-z'’.]+\s+){1,3})" + _SCHOOL_TYPE + r"\b",
               re.I),
]
_GENERIC = words("the a an all our his her their its local each every any some primary secondary high special "
                     "independent state faith catholic mainstream new same another different other partner "
                     "designated of in at to for and with by from police training school schools academy "
                     "infant junior nursery community church ce rc c of e")


def _is_year_or_date(code: str) -> bool:
    """Financial years (2022/23, 2021-2022) and plain dates are plan language, not references."""
    return bool(re.fullmatch(r"(?:19|20)\d{2}[/\-](?:\d{2}|(?:19|20)\d{2})"
                             r"|\d{1,2}[/\-]\d{1,2}[/\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}", code))


def _crime(text: str) -> bool:
    for rx in _CRIME:
        for m in rx.finditer(text):
            code = m.groupdict().get("code")
            if code and (_is_year_or_date(code.strip()) or re.fullmatch(r"(?:19|20)\d{2}", code.strip())):
                continue
            if _PAPER_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
                continue
            return True
    return False


def _address(text: str) -> bool:
    for rx in _ADDRESS:
        for m in rx.finditer(text):
            said = (m.groupdict().get("words") or "").split()
            lowered = [w.lower() for w in said]
            if any(w in _NOT_STREET_WORDS for w in lowered) or (
                    lowered and all(w in NOT_NAMES for w in lowered) and not all(w[0].isupper() for w in said)):
                continue
            return True
    return False


def _school(text: str) -> bool:
    for rx in _SCHOOL:
        for m in rx.finditer(text):
            before = [w.strip(".'’").lower() for w in (m.groupdict().get("words") or m.group("any")).split()]
            named = [w for w in before if w not in _GENERIC and w != "st"
                     and (w not in NOT_NAMES or m.groupdict().get("any"))]
            if named or (before and before[-1] == "st"):
                return True
    return False


def own_rule_kinds(text: str, joined: str) -> list[str]:
    """The kinds our own rules find in the normalised `text` (references also in `joined`)."""
    kinds = []
    if _DOB.search(text):
        kinds.append(DOB)
    if _crime(text) or (joined != text and _crime(joined)):
        kinds.append(CRIME_REF)
    if any(rx.search(text) for rx in _RECORD) or (joined != text and any(rx.search(joined) for rx in _RECORD)):
        kinds.append(RECORD_ID)
    if _address(text):
        kinds.append(ADDRESS)
    if _school(text):
        kinds.append(SCHOOL)
    return kinds
