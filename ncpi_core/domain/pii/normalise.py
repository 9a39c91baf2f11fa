"""Normalisation before matching: what someone does to slip a detail past a pattern, undone.

Unicode NFKC (full-width digits, ligatures), look-alike letters from other scripts (Cyrillic `а`
in `Jаyden`, from Unicode's confusables table via `confusable-homoglyphs`), zero-width and bidi
characters, accents, defanged addresses (`[.]`, `(at)`), e-mails written `jane dot doe at example
dot com`, digits written as words (`nine four three…`, `twelfth of March twenty fifteen`), and
letters or digits spaced out one by one (`J a y d e n`, `0 7 7 0 0…`).

Two views come out: `text` (all of the above) and `joined` (as `text`, with the separators inside
long runs of digits removed, so `999.526.0182` and `2200 0123 456` read as one number). Only
checksum- or format-validated detectors read `joined`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TLDS = ("com", "org", "net", "uk", "co", "gov", "police", "nhs", "sch", "ac", "io", "info", "biz", "me", "eu",
         "ie", "edu", "mil", "int", "scot", "wales", "cymru", "london", "email", "online", "app", "dev", "us")
_TLD = "(?:" + "|".join(_TLDS) + ")"


@dataclass(frozen=True)
class Views:
    """The text as written, normalised (`text`), and with runs of digits joined (`joined`)."""

    original: str
    text: str
    joined: str


@lru_cache(maxsize=1)
def _confusables() -> dict[int, str]:
    """Look-alike characters of other scripts → the ASCII letter or digit they imitate.

    From Unicode's confusables.txt as packaged by `confusable-homoglyphs` (kept up to date there).
    """
    from confusable_homoglyphs import (
        confusables,  # the table loads in ~30 ms: only when first needed
    )

    table: dict[int, str] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        for h in homoglyphs:
            if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum():
                table[ord(char)] = h["c"]
                break
    return table


def _strip_marks(text: str) -> str:
    """Drop accents (`Zoë` → `Zoe`) and every invisible format character (zero-width, bidi, soft hyphen)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Cf"))
    return unicodedata.normalize("NFC", kept)


# --- defanging and spelled-out e-mails ----------------------------------------------------------------
_DEFANG = [(re.compile(r"\s*[\[({<]\s*(?:\.|dot)\s*[\])}>]\s*", re.I), "."),
           (re.compile(r"\s*[\[({<]\s*(?:@|at)\s*[\])}>]\s*", re.I), "@"),
           (re.compile(r"\[:\]"), ":"),
           (re.compile(r"\bhxxp(s?)\b", re.I), r"http\1")]
_WORD_EMAIL = re.compile(r"\b([\w+-]+(?:\s+dot\s+[\w+-]+)*)\s+at\s+([\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+" + _TLD + r")\b",
                         re.I)
_SPACED_EMAIL = re.compile(r"\b([\w+-]+(?:\s*\.\s*[\w+-]+)*)\s*@\s*([\w-]+(?:\s*\.\s*[\w-]+)+)")


def _emails(text: str) -> str:
    for rx, repl in _DEFANG:
        text = rx.sub(repl, text)
    text = _WORD_EMAIL.sub(lambda m: re.sub(r"\s+dot\s+", ".", m.group(1), flags=re.I) + "@"
                           + re.sub(r"\s+dot\s+", ".", m.group(2), flags=re.I), text)
    return _SPACED_EMAIL.sub(lambda m: re.sub(r"\s+", "", m.group(0)), text)


# --- numbers written as words -------------------------------------------------------------------------
_UNITS = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_UNITS.update({"oh": 0, "nought": 0, "nil": 0})
_TENS = {w: 10 * (i + 2) for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_ORDINALS = {w: i + 1 for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"])}
_ORDINALS.update({"twentieth": 20, "thirtieth": 30})
_REPEAT = {"double": 2, "treble": 3, "triple": 3}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, *_ORDINALS, *_REPEAT, "hundred", "thousand", "and"], key=len,
                               reverse=True))
_SLASH_WORD = re.compile(r"(?<=\d)\s+(?:slash|stroke|forward slash)\s+(?=\d)", re.I)
_NUMBER_RUN = re.compile(r"\b(?:" + _NUMBER_WORD + r")(?:[\s-]+(?:" + _NUMBER_WORD + r"))*\b", re.I)


def _run_to_digits(words: list[str]) -> str | None:
    """A run of number words as digits, or None to leave it as written."""
    while words and words[-1] == "and":
        words = words[:-1]
    while words and words[0] == "and":
        words = words[1:]
    if not words or (len(words) == 1 and words[0] in ("one", "oh", "nil", "and", "double", "treble", "triple")):
        return None  # "one of the actions", "oh": not numbers anybody hides
    if all(w in _UNITS and _UNITS[w] < 10 or w in _REPEAT for w in words):
        out, repeat = "", 1
        for w in words:  # spelled digit by digit: "oh seven seven double oh nine"
            if w in _REPEAT:
                repeat = _REPEAT[w]
                continue
            out += str(_UNITS[w]) * repeat
            repeat = 1
        return out
    if "thousand" in words or "hundred" in words:  # "two thousand and ten"
        total = current = 0
        for w in words:
            if w == "hundred":
                current = (current or 1) * 100
            elif w == "thousand":
                total, current = total + (current or 1) * 1000, 0
            elif w in _TENS:
                current += _TENS[w]
            elif w in _UNITS or w in _ORDINALS:
                current += _UNITS.get(w, _ORDINALS.get(w, 0))
            elif w != "and":
                return None
        return str(total + current)
    groups: list[int] = []  # numbers under 100: "twenty first" is one, "twenty fifteen" two
    for w in words:
        if w in _REPEAT or w == "and":
            return None
        value = _TENS.get(w, _UNITS.get(w, _ORDINALS.get(w, 0)))
        joins = bool(groups) and groups[-1] >= 20 and groups[-1] % 10 == 0 and 0 < value < 10
        if joins:
            groups[-1] += value
        else:
            groups.append(value)
    if len(groups) == 2 and groups[0] in (19, 20):  # "twenty fifteen", "nineteen ninety nine": a year
        return f"{groups[0]}{groups[1]:02d}"
    return " ".join(str(g) for g in groups)


def _number_words(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        words = [w.lower() for w in re.split(r"[\s-]+", m.group(0)) if w]
        digits = _run_to_digits(words)
        return m.group(0) if digits is None else digits

    text = _NUMBER_RUN.sub(repl, text)
    return _SLASH_WORD.sub("/", text)


# --- things spaced out one by one ---------------------------------------------------------------------
# three or more single letters or digits with the same one separator between each: "J a y d e n",
# "0 7 7 0 0", "1 2 / 0 3 / 2 0 1 5", "j-a-y-d-e-n", "d.o.b" (a double space keeps two words apart)
_SPACED = [re.compile(r"(?<![\w/.-])[A-Za-z](?:-[A-Za-z]){2,}(?![\w/-])"),
           re.compile(r"(?<![\w/.-])[A-Za-z](?:\.[A-Za-z]){2,}\.?(?![\w/-])"),
           re.compile(r"(?<![\w/.-])[A-Za-z0-9/](?: [A-Za-z0-9/]){2,}(?![\w/-])")]
_SLASH_SPACES = re.compile(r"(?<=\d) *([/]) *(?=\d)")
_DIGIT_RUN = re.compile(r"(?<![\w/.])\+?\(?\d[\d .\-()]{7,}\d(?![\w/])")


def _unspace(text: str) -> str:
    for rx in _SPACED:
        text = rx.sub(lambda m: re.sub(r"[ .\-]", "", m.group(0)), text)
    return text


def _join_digits(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"[^\d+]", "", m.group(0))
        return digits if 10 <= len(digits.lstrip("+")) <= 13 else m.group(0)

    return _DIGIT_RUN.sub(repl, text)


def normalise(text: str) -> Views:
    """The views the detectors read (see the module's docstring)."""
    clean = unicodedata.normalize("NFKC", text)
    clean = _strip_marks(clean.translate(_confusables()))
    clean = _unspace(clean)
    clean = _emails(clean)
    clean = _number_words(clean)
    clean = _unspace(clean)
    clean = _SLASH_SPACES.sub(r"\1", clean)
    return Views(original=text, text=clean, joined=_join_digits(clean))
