"""Words of a normalised text with what the name rules need to know about each: case, place, lists.

What replaces a trained named-entity model (spaCy's English models are not on PyPI, and a force's
network may not reach where they are): the first names and surnames ranked in Great Britain or
Ireland by names-dataset (`data/*.tsv`, see tools/build_name_lists.py), read once, and the case and
position of each word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ncpi_core.domain.pii.lexicon import EVERYDAY_NAMES, NOT_NAMES

# initials (J.S., K.M.), words with their apostrophes and hyphens (O'Connell, Tyler-Jay, Jayden's),
# ids and numbers (R3.2, 60%, 12/03/2015), and single punctuation marks
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,3}|[A-Za-z0-9@$][\w@$'’\-&/.%]*[\w%]|[A-Za-z0-9]|[^\sA-Za-z0-9]")
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_NOT_LEET = re.compile(r"^[a-z]?\d+(?:st|nd|rd|th|yo|yrs?|am|pm|s|k|m|x)?$|^[a-z]{1,2}\d+(?:\.\d+)*[a-z]?$", re.I)
_SENTENCE_BREAK = re.compile(r"[.!?:;\-–—(\[\"]")


@lru_cache(maxsize=1)
def name_ranks() -> tuple[dict[str, int], dict[str, int]]:
    """{first name: rank}, {surname: rank}, lower case, read once from the package's data."""

    def read(filename: str) -> dict[str, int]:
        ranks: dict[str, int] = {}
        text = resources.files("ncpi_core.domain.pii").joinpath("data", filename).read_text(encoding="utf-8")
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, rank = line.split("\t")
                ranks.setdefault(name.lower(), int(rank))
        return ranks

    return read("first_names.tsv"), read("surnames.tsv")


@dataclass
class Token:
    """One word, number or mark of the text, and where it is."""

    text: str
    start: int
    end: int
    lower: str = ""
    base: str = ""  # without a possessive 's, lower case, look-alike digits read as letters
    possessive: bool = False
    shape: str = "other"  # title | lower | upper | initials | number | punct | other
    sentence_start: bool = False

    @property
    def is_word(self) -> bool:
        return self.shape in ("title", "lower", "upper")


def _shape(text: str) -> str:
    if re.fullmatch(r"(?:[A-Za-z]\.){2,3}", text):
        return "initials"
    if not text[0].isalnum():
        return "punct"
    if re.fullmatch(r"[\d.,/%:-]+", text):
        return "number"
    word = re.sub(r"['’](?:s|S)?$", "", text)
    letters = re.sub(r"[^A-Za-z]", "", word)
    if not letters or any(c.isdigit() for c in word):
        return "other"
    if word.isupper() and len(letters) > 1:
        return "upper"
    if word[0].isupper():
        return "title"
    return "lower" if word.islower() else "other"


def _base(text: str) -> tuple[str, bool]:
    word = text
    possessive = bool(re.search(r"['’](?:s|S)?$", word))
    word = re.sub(r"['’](?:s|S)?$", "", word).lower()
    if any(c.isdigit() for c in word) and re.search(r"[a-z].*[a-z]", word) and not _NOT_LEET.match(word):
        word = word.translate(_LEET)  # Ch1oe, B4rker, Ll0yd
    return word, possessive


def tokenise(text: str) -> list[Token]:
    """The text's tokens, each with its case, its base word and whether it starts a sentence."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        base, possessive = _base(word)
        tok = Token(word, m.start(), m.end(), word.lower(), base, possessive, _shape(word))
        if tok.shape == "other" and base.isalpha():
            tok.shape = "title" if word[0].isupper() else "lower"  # a word that was written in leet
        prev = tokens[-1] if tokens else None
        tok.sentence_start = (prev is None or bool(_SENTENCE_BREAK.search(text[prev.start:m.start()]))
                              or prev.shape in ("number", "other") or prev.lower in ("red", "amber", "green", "blue"))
        tokens.append(tok)
    return tokens


def caseless(tokens: list[Token]) -> bool:
    """True when case tells nothing: the words are all lower case or all capitals."""
    words = [t for t in tokens if t.is_word and len(t.text) > 1]
    return bool(words) and (all(t.shape == "lower" for t in words) or all(t.shape == "upper" for t in words))


# Further down, the lists hold ordinary words too ("staff", "day", "home", "quality"), so a word
# counts as a first name only when it is among the more popular ones: more popular still when
# it is not capitalised (or starts a sentence, where every word is).
TITLE_CASE_RANK = 8000
LOWER_CASE_RANK = 1500


def first_rank(tok: Token, *, titled: bool, lower_case_rank: int = LOWER_CASE_RANK) -> int | None:
    """The token's rank as a first name, if it reads as one here.

    `titled`: the token is capitalised in text whose case means something, not at a sentence's start.
    """
    firsts, _ = name_ranks()
    parts = _name_parts(tok.base)
    limit = TITLE_CASE_RANK if titled else lower_case_rank
    ranks = [firsts[p] for p in parts if p in firsts and p not in NOT_NAMES and firsts[p] <= limit
             and (p not in EVERYDAY_NAMES or titled)]
    return min(ranks) if ranks else None


def titled(tok: Token, caseless_text: bool) -> bool:
    """Capitalised where capitals mean a proper noun: not in all-lower or all-capital text, not first in a sentence."""
    return tok.shape == "title" and not caseless_text and not tok.sentence_start


def surname_rank(tok: Token) -> int | None:
    """The token's rank as a surname (hyphenated: its best part), if it is one and not a plan word."""
    _, surnames = name_ranks()
    if tok.base in NOT_NAMES:
        return None
    ranks = [surnames[p] for p in _name_parts(tok.base) if p in surnames and p not in NOT_NAMES]
    return min(ranks) if ranks else None


def _name_parts(base: str) -> list[str]:
    """The forms a name may be listed under: each part of a double-barrelled name, and a name with an
    apostrophe (O'Connor, D'Souza, N'Diaye) both written without it (the lists' spelling) and bare."""
    forms: list[str] = []
    for part in (p for p in base.split("-") if p):
        pieces = [q for q in re.split(r"['’]", part) if q]
        forms.append("".join(pieces))
        if len(pieces) > 1 and len(pieces[0]) <= 2:
            forms.append(pieces[-1])
    return forms
