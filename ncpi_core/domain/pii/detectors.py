"""Microsoft Presidio's pattern recognisers, run offline: NHS and National Insurance numbers (with
their checks), e-mails, phone numbers (Google's libphonenumber, via `phonenumbers`), UK postcodes,
IBANs and card numbers.

Presidio's AnalyzerEngine needs an NLP engine, and its default is a trained spaCy model that is
not on PyPI (it would be downloaded at run time). These recognisers need tokens only, so the
engine here is `spacy.blank("en")`: spaCy's English tokenizer, shipped in the spaCy wheel. Names,
which Presidio leaves to the trained model's NER, are found by `names` instead.

Built once, on first use or at start (`warm_up`), behind a lock; never per message.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from ncpi_core.domain.pii.kinds import BANK, EMAIL, NHS, NI_NUMBER, PHONE, POSTCODE

_ENTITY_KINDS = {"UK_NHS": NHS, "UK_NINO": NI_NUMBER, "EMAIL_ADDRESS": EMAIL, "PHONE_NUMBER": PHONE,
                 "UK_POSTCODE": POSTCODE, "IBAN_CODE": BANK, "CREDIT_CARD": BANK}
# Organisations' numbers are not a person's: freephone and helplines (Childline 0800 1111,
# Missing People 116 000), non-geographic 03/08/09 numbers, and the short numbers 101, 999, 111.
_SERVICE_NUMBER = re.compile(r"^(?:\+?44|0)?(?:80|84|87|9|3|116|118|500)")
# "S47 1st", "R10 2nd": an inward code written as a lower-case ordinal is not one
_ORDINAL_INWARD = re.compile(r"\d(?:st|nd|rd|th)$")
_lock = threading.Lock()
_analyzer: Any = None


def _build() -> Any:
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    class BlankEnglish(SpacyNlpEngine):
        """spaCy's tokenizer alone: nothing to download, no NER."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    # tldextract fetches the Public Suffix List from the internet on first use unless told not to;
    # the snapshot inside the package is used instead (no network, no cache written).
    offline_suffixes = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmail(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return offline_suffixes(pattern_text.rsplit("@", 1)[-1]).fqdn != ""

    engine = BlankEnglish()
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    # Ofcom's drama numbers (07700 900xxx) are "possible" but not "valid": leniency 0 finds them too
    for recogniser in (NhsRecognizer(), UkNinoRecognizer(), OfflineEmail(), UkPostcodeRecognizer(),
                       PhoneRecognizer(supported_regions=("GB",), leniency=0), IbanRecognizer(),
                       CreditCardRecognizer()):
        registry.add_recognizer(recogniser)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def analyzer() -> Any:
    """The one AnalyzerEngine of the process, built on first use."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                _analyzer = _build()
    return _analyzer


def _keep(kind: str, found: str) -> bool:
    if kind == PHONE:
        digits = re.sub(r"\D", "", found)
        starts = found.lstrip("( ")
        return (starts.startswith(("0", "+")) and 10 <= len(digits) <= 13
                and not _SERVICE_NUMBER.match(digits if not digits.startswith("0044") else digits[2:]))
    if kind == POSTCODE:
        return not _ORDINAL_INWARD.search(found)
    return True


def presidio_kinds(text: str, *, only: tuple[str, ...] = ()) -> list[str]:
    """The kinds Presidio's recognisers find in `text` (entities `only`, or all of ours)."""
    entities = list(only) or list(_ENTITY_KINDS)
    kinds: list[str] = []
    for result in analyzer().analyze(text=text, language="en", entities=entities):
        kind = _ENTITY_KINDS[result.entity_type]
        if kind not in kinds and result.score > 0 and _keep(kind, text[result.start:result.end]):
            kinds.append(kind)
    return kinds


def warm_up() -> None:
    """Build the analyzer now (at a bot's start) rather than on the first message."""
    presidio_kinds("warm up 07700 900123")
