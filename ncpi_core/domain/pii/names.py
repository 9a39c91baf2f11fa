"""A person's name: next to an age, a relationship, a care/missing/placement word, or alone as a
first name and surname, in any case; while staff named with their rank or role, organisations,
places, policies and operations pass.

No maintained library does this offline for British names (Presidio leaves names to a trained
NER model; spaCy's are not on PyPI), so these rules read the name lists of `tokens` and the words
of `lexicon`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ncpi_core.domain.pii.lexicon import (
    ACRONYMS,
    CARE_WORDS,
    EVERYDAY_NAMES,
    NOT_NAMES,
    OPERATION_WORDS,
    ORG_WORDS,
    PERSON_PHRASES,
    PERSON_WORDS,
    PUBLIC_NAMES,
    RANKS,
    RELATIONS,
    ROLES_AFTER,
    words,
)
from ncpi_core.domain.pii.tokens import Token, caseless, first_rank, surname_rank, titled, tokenise

# departments a member of staff is "from": "Sarah Hughes from L&D", "Emma from Business Insight"
_DEPARTMENTS = words("business learning people communications comms legal ict it hr finance estates training "
                         "corporate professional standards insight performance public protection force")
_INTRO_GLUE = words(", : - ( called named known as aka is was mr mrs ms miss mx master")
_TITLES = words("mr mrs ms miss mx master")
_AGE_AFTER = re.compile(
    r"\s*(?:\(\s*(?:aged?\s*)?(?P<a>\d{1,2})\s*(?:yo|y/o|yrs?|years?(?:\s+old)?|months?(?:\s+old)?|m)?\s*[),]"
    r"|,\s*(?:aged?\s*)?(?P<b>\d{1,2})\s*(?:yo|yrs?|years?(?:\s+old)?)?\s*(?:[,)\-–]|$)"
    r"|[\s,\-–(]*(?:aged?)\s*(?P<c>\d{1,2})\b"
    r"|\s*[,\-–]?\s*(?P<d>\d{1,2})\s*(?:yo|y/o|yrs?|years?\s+old|year\s+old|months?\s+old)\b"
    r"|\s+(?P<e>\d{1,2})\s+(?=(?:and|went|was|is|has|had|were|not|still|missing|found|disclosed|arrested|placed"
    r"|seen|needs|told|said|ran|returned|lives|attends|now|missed|injuries|in)\b))", re.I)
_AGE_BEFORE = re.compile(r"\b(?P<a>\d{1,2})[\s-]*(?:year|yr)s?[\s-]*old\s*$|\b(?P<b>\d{1,2})\s*yo\s*$", re.I)
_MAX_AGE = 18


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # spaCy's list (maintained with its tokenizer)

    return frozenset(STOP_WORDS)


def _nameish(tok: Token, caseless_text: bool, *, initials: bool = True, unknown: bool = True) -> bool:
    """Could this token be (part of) a person's name here?"""
    if tok.shape == "initials":
        return initials
    if (tok.shape == "upper" and 2 <= len(tok.base) <= 3 and tok.base.isalpha() and tok.base not in ACRONYMS
            and tok.base not in _stop_words() and tok.base not in NOT_NAMES):
        return initials
    if not tok.is_word or tok.base in NOT_NAMES or tok.base in _stop_words() or tok.base in RANKS:
        return False
    proper = titled(tok, caseless_text)
    if first_rank(tok, titled=proper) is not None:
        return True
    rank = surname_rank(tok)
    if rank is not None and (proper or (rank <= 3000 and tok.base not in EVERYDAY_NAMES)):
        return True
    return unknown and proper and tok.base.isalpha() and len(tok.base) >= 3 and tok.base not in ORG_WORDS


def _rank_before(tokens: list[Token], i: int) -> bool:
    """A rank or role before the name: "DS Okoro", "Insp. Walsh", "Head of Crime Kate Lindley"."""
    j = i - 1
    while j >= 0 and i - j <= 5:
        t = tokens[j]
        if t.lower.rstrip(".") in RANKS or t.lower in RANKS:
            return True
        if t.shape in ("title", "upper", "initials") or t.lower in ("of", "&", "the", "for", "."):
            j -= 1
            continue
        return False
    return False


def _role_or_org_after(tokens: list[Token], j: int) -> bool:
    """An organisation word, a role or a department after the name: "Trinity Church hall",
    "Jane Smith (Head of Safeguarding)", "Sarah Hughes from L&D"."""
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    after = tokens[j + 2] if j + 2 < len(tokens) else None
    if nxt is None:
        return False
    if nxt.base in ORG_WORDS and not nxt.possessive:
        return True
    third = tokens[j + 3] if j + 3 < len(tokens) else None
    if nxt.text in ("(", ",") and after is not None and after.base not in ("of", "at", "from"):
        if after.lower.rstrip(".") in RANKS | ROLES_AFTER:  # "Jane Smith (Head of Safeguarding)", ", DSL"
            return True
        # "Sarah Jones, L&D manager", "(MASH sergeant)"
        return (after.shape == "upper" or "&" in after.text) and third is not None and third.base in RANKS
    if nxt.lower == "from" and after is not None:
        return after.base in _DEPARTMENTS or (after.shape == "upper" and len(after.base) >= 2) or "&" in after.text
    return False


_PUBLIC = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in PUBLIC_NAMES) + r")\b")


def _public(lower: str, tok: Token) -> bool:
    return any(m.start() <= tok.start < m.end() for m in _PUBLIC.finditer(lower, max(0, tok.start - 30),
                                                                             tok.end + 30))


def _exempt(tokens: list[Token], i: int, j: int, lower: str) -> bool:
    prev = tokens[i - 1] if i > 0 else None
    return (_rank_before(tokens, i) or _role_or_org_after(tokens, j) or _public(lower, tokens[i])
            or (prev is not None and prev.base in OPERATION_WORDS))


def _full_name(a: Token, b: Token, text: str, caseless_text: bool) -> bool:
    """A first name and a surname side by side (in any case)."""
    if not (a.is_word and b.is_word) or text[a.end:b.start].strip() or a.possessive:
        return False
    if (b.base in NOT_NAMES or b.base in _stop_words() or a.lower.rstrip(".") in RANKS or b.base in RANKS
            or a.base in ACRONYMS):
        return False
    both = not caseless_text and a.shape == "title" and b.shape == "title"
    first = first_rank(a, titled=both and not a.sentence_start, lower_case_rank=3000)
    if first is None:
        return False
    surname = surname_rank(b)
    if both:
        return (first <= 8000 and surname is not None) or (
            first <= 2000 and surname is None and b.base.isalpha() and len(b.base) >= 3 and b.base not in ORG_WORDS)
    return surname is not None and surname <= 10000 and b.base not in EVERYDAY_NAMES


def _age_near(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """An age right after the name (skipping one initial: "Noah F (6 months)") or right before it."""
    end = tokens[j].end
    if j + 1 < len(tokens) and tokens[j + 1].shape == "title" and len(tokens[j + 1].base) == 1:
        end = tokens[j + 1].end
    m = _AGE_AFTER.match(text, end)
    if m and int(next(v for v in m.groupdict().values() if v)) <= _MAX_AGE:
        return True
    b = _AGE_BEFORE.search(text[max(0, tokens[i].start - 20):tokens[i].start])
    return bool(b and int(next(v for v in b.groupdict().values() if v)) <= _MAX_AGE)


def _relation_near(tokens: list[Token], i: int, j: int) -> bool:
    """A family relation owned by or owning the name: "Jayden's mum", "mother of Jayden",
    "Olivia Grant and her foster carer"."""
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if tokens[j].possessive and nxt is not None and (nxt.base in RELATIONS or nxt.base in PERSON_WORDS
                                                     or nxt.base in ("social", "foster", "step")):
        return True
    if i >= 2 and tokens[i - 1].lower in ("of", "to") and (tokens[i - 2].base in RELATIONS
                                                            or tokens[i - 2].base in PERSON_WORDS):
        return True
    rest = [t.base for t in tokens[j + 1:j + 4]]
    return len(rest) == 3 and rest[0] == "and" and rest[1] in ("his", "her", "their") and rest[2] in RELATIONS


def _introduced(tokens: list[Token], i: int, lower: str) -> bool:
    """A person word before the name: "child Tom", "the victim, Sarah", "misper Kayleigh", "child JS"."""
    k = i - 1
    glue = 0
    while k >= 0 and tokens[k].lower in _INTRO_GLUE and glue < 2:
        k -= 1
        glue += 1
    if k < 0:
        return False
    if i >= 1 and tokens[i - 1].lower in ("called", "named", "aka", "as") and any(  # "girl aged 14 named Amy"
            t.base in PERSON_WORDS for t in tokens[max(0, i - 7):i - 1]):
        return True
    word = tokens[k]
    if word.base in PERSON_WORDS or word.base.rstrip("s") in PERSON_WORDS:
        return True
    before = lower[max(0, word.start - 14):word.end]
    return any(before.endswith(p) for p in PERSON_PHRASES)


def _care_near(tokens: list[Token], i: int, j: int) -> bool:
    lo, hi = max(0, i - 4), min(len(tokens), j + 5)
    window = [t for t in tokens[lo:hi] if t.text not in (".", ";")]
    return any(t.base in CARE_WORDS for t in window)


def has_name(text: str) -> bool:
    """Whether the (normalised) text names a person in a way a child-protection plan never needs."""
    tokens = tokenise(text)
    if not tokens:
        return False
    lower = text.lower()
    flat = caseless(tokens)
    for i, tok in enumerate(tokens):
        pair = i + 1 < len(tokens) and _full_name(tok, tokens[i + 1], text, flat)
        j = i + 1 if pair else i
        if pair and not _exempt(tokens, i, j, lower):
            return True
        if not _nameish(tok, flat):
            continue
        initials_only = tok.shape in ("initials", "upper")
        if _exempt(tokens, i, j, lower):
            continue
        if i > 0 and tokens[i - 1].base.rstrip(".") in _TITLES and surname_rank(tok) is not None:
            return True  # "Mrs Barker": a parent or a victim (staff come with their role)
        if _introduced(tokens, i, lower) or _age_near(text, tokens, i, i) or _relation_near(tokens, i, i):
            return True
        if not initials_only and first_rank(tok, titled=titled(tok, flat)) is not None and _care_near(tokens, i, i):
            return True
    return False
