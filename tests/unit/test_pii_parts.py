"""The guard's parts: each normalisation, names with and without context (and the staff,
organisations and places that must pass), Presidio run offline, loading once and lazily."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ncpi_core.domain import pii
from ncpi_core.domain.pii import detectors, kinds_in
from ncpi_core.domain.pii.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("written", "read"), [
    ("NHS \uff19\uff19\uff19\uff15\uff12\uff16\uff10\uff11\uff18\uff12", "NHS 9995260182"),  # full-width digits (NFKC)
    ("J\u0430yden Sm\u0456th", "Jayden Smith"),  # Cyrillic а and і inside Latin words
    ("\u039flivia", "Olivia"),  # a Greek capital omicron
    ("Jay\u200bden Sm\u200cith", "Jayden Smith"),  # zero-width space and non-joiner
    ("\u202eJayden\u202c", "Jayden"),  # bidi override
    ("Zo\u00eb", "Zoe"),  # accents
    ("nine nine nine five two six zero one eight two", "9995260182"),  # digits as words
    ("oh seven seven double oh nine double oh one two three", "07700900123"),  # oh, double
    ("twelfth of March twenty fifteen", "12 of March 2015"),  # ordinals and a year in words
    ("twenty first of june two thousand and ten", "21 of june 2010"),
    ("crime number one two slash three four five six seven slash two two", "crime number 12/34567/22"),
    ("J a y d e n  S m i t h", "Jayden  Smith"),  # letters spaced out
    ("j-a-y-d-e-n", "jayden"),
    ("0 7 7 0 0 9 0 0 1 2 3", "07700900123"),  # digits spaced out
    ("1 2 / 0 3 / 2 0 1 5", "12/03/2015"),
    ("crime ref 12 / 34567 / 22", "crime ref 12/34567/22"),
    ("jane dot doe at example dot co dot uk", "jane.doe@example.co.uk"),  # at/dot e-mails
    ("jane.doe [at] example [dot] com", "jane.doe@example.com"),
    ("jane(at)example(dot)com", "jane@example.com"),
    ("jane . doe @ example . com", "jane.doe@example.com"),
    ("see example[.]com", "see example.com"),  # defanged
    ("hxxps://example[.]com/x", "https://example.com/x"),
])
def test_normalisation_undoes_each_disguise(written: str, read: str) -> None:
    assert normalise(written).text == read


@pytest.mark.parametrize("text", ["version 1.2.3", "R3.2 amber 60% training slots delayed to June", "Q1 2022/23",
                                  "12.03.2022", "https://intranet/policy/123", "meeting at 10:00 on 15/06/2022"])
def test_normalisation_leaves_plan_language_as_it_is(text: str) -> None:
    assert normalise(text).text == text and kinds_in(text) == []


def test_split_numbers_are_read_whole_only_for_the_checked_kinds() -> None:
    views = normalise("NHS 999.526.0182 and occurrence 2200 0123 456, 12.03.2015, 1,234 cases")
    assert "9995260182" in views.joined and "22000123456" in views.joined
    assert "12.03.2015" in views.joined and "1,234" in views.joined


@pytest.mark.parametrize("text", [
    "Jayden Smith 14 went missing", "jayden smith 14 went missing", "JAYDEN SMITH 14 WENT MISSING",
    "Chloe Barker (12) not seen", "chloe barker, aged 12,", "harvey, 15, arrested", "JS 14yo still missing",
    "child JS (14)", "K.M. (15) disclosed", "13-year-old maisie turner", "Kayleigh's brother Connor",
    "mum of Aaliyah Khan", "kian and his brother lewis", "Dylan Price was reported missing",
    "Evie Robinson returned home", "Jayden Smith", "olivia grant", "Ch1oe B4rker (12)", "DA victim Ms Jones",
    "girl aged 14 named Amy", "Mrs Okafor rang the control room", "spoke to ava-grace thompson",
    "Mohammed Iqbal and his sister", "Oskar Nowak, 16, CCE concerns",
])
def test_names_with_context_or_in_full_are_refused(text: str) -> None:
    assert pii.CHILD_NAME in kinds_in(text)


@pytest.mark.parametrize("text", [
    "DS Okoro is leading the review", "Insp. Walsh and PC Reid delivered the briefing", "ACC Mills chaired Gold",
    "Operation Hydrant briefing shared", "the Education Act 2002 s175 duties", "event at Trinity Church hall",
    "Head of Crime Kate Lindley agreed the resourcing", "Jane Smith (Head of Safeguarding) agreed",
    "Sarah Jones, L&D manager, booked the rooms", "Sarah Hughes from L&D is rewriting the module",
    "Supt Patel signed off v4.0", "T/ACC Fielding approved", "DCI Forsyth and DS Kaur reviewing",
    "Chief Superintendent Adele Harrington chairs Silver", "the Lucy Faithfull Foundation sessions",
    "Sarah's Law and Clare's Law applications", "Arthur Labinjo-Hughes and Star Hobson review",
    "Child A was seen within the timescale", "training will start in June", "mark the action as complete",
    "may need to extend the due date", "Grace period for the old form ends", "R3 and R4 are now Amber",
    "Boy Scouts and Girl Guides", "Victim Support referral pathway agreed", "Missing Person Coordinator in post",
])
def test_staff_organisations_places_and_plan_words_pass(text: str) -> None:
    assert kinds_in(text) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("mum's mobile is 07700-900-123", pii.PHONE), ("+44 7700 900456", pii.PHONE), ("(0113) 496 0999", pii.PHONE),
    ("NHS no 999 526 0182", pii.NHS), ("NI number AB 12 34 56 C", pii.NI_NUMBER),
    ("email kim.lee@example.co.uk", pii.EMAIL), ("lives in yo30 4xz", pii.POSTCODE),
    ("card 4111 1111 1111 1111", pii.BANK), ("IBAN GB82 WEST 1234 5698 7654 32", pii.BANK),
    ("lives at 14 Elm Grove", pii.ADDRESS), ("lives at 3 The Crescent", pii.ADDRESS),
    ("trap house on Burnholme Drive", pii.ADDRESS), ("attends York High School", pii.SCHOOL),
    ("placed at Riverside Children's Home", pii.SCHOOL), ("LCS ID 4471829", pii.RECORD_ID),
    ("UPN H801200001001", pii.RECORD_ID), ("occurrence no. 2200 0456 781", pii.CRIME_REF),
])
def test_each_kind_is_found(text: str, kind: str) -> None:
    assert kind in kinds_in(text)


@pytest.mark.parametrize("text", [
    "posters with the Childline 0800 1111 number", "officers will call 101 or 999", "Missing People 116 000",
    "NCPI non-emergency line 0300 123 4567", "S47 1st strategy meeting", "R10 2nd review", "NI number QQ123456C",
    "1234567890 records", "College of Policing guidance", "a local primary school", "pupils at all secondary schools",
    "a 5 minute walk from the station", "2022 slots green",
])
def test_organisations_numbers_and_generic_places_pass(text: str) -> None:
    assert kinds_in(text) == []


def test_presidio_runs_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh analyzer, built and used with every connection refused: nothing is downloaded
    (no spaCy model, no Public Suffix List), and the e-mail check still works."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard tried to reach the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    analyzer = detectors._build()
    found = analyzer.analyze(text="write to jane.doe@example.co.uk", language="en", entities=["EMAIL_ADDRESS"])
    assert [r.entity_type for r in found] == ["EMAIL_ADDRESS"]


def test_the_analyzer_is_built_once() -> None:
    pii.warm_up()
    first = detectors.analyzer()
    kinds_in("child Tom DOB 12/03/2015")
    assert detectors.analyzer() is first


@pytest.mark.parametrize("argv", [["--help"], ["summary"]])
def test_help_and_summary_load_no_model(tmp_path: Path, argv: list[str]) -> None:
    """`ncpi --help` and `ncpi summary` store no text: they never load Presidio, spaCy or the name lists."""
    probe = (f"import sys\nfrom bot.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
             "from ncpi_core.domain.pii.tokens import name_ranks\n"
             "heavy = {m.split('.')[0] for m in sys.modules} & {'presidio_analyzer', 'spacy', 'phonenumbers', "
             "'confusable_homoglyphs', 'tldextract'}\n"
             "print(sorted(heavy) or 'none', name_ranks.cache_info().currsize)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "", "NCPI_CONFIG_DIR": str(ROOT / "config"),
                                 "NCPI_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    assert result.stdout.strip().splitlines()[-1] == "none 0", result.stdout + result.stderr


@pytest.mark.slow
def test_the_name_lists_are_what_the_build_script_makes() -> None:
    """The committed lists match names-dataset (where it is installed: `pip install -e .[dev]`)."""
    pytest.importorskip("names_dataset")
    pytest.importorskip("english_words")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_name_lists.py"), "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
