"""The personal-data guard: what it refuses, what it must let through, and that it never echoes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.copy import PII_KINDS, SLACK, error_parts, error_text, finding_text
from bot.copy.errors import PII_INSTEAD
from ncpi_core.domain import pii
from ncpi_core.domain.models import RAG, Source
from ncpi_core.domain.pii import find_personal_data
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import PersonalDataRefused
from ncpi_core.usecases.updates import UpdateCommand, check_text


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data({"narrative": text})]


TRUE_POSITIVES = [
    # dates of birth, in the ways people write them
    ("DOB 12/03/2015", pii.DOB),
    ("d.o.b. 01.02.2010", pii.DOB),
    ("DOB: 1 Jan 2012", pii.DOB),
    ("born 12/03/2015", pii.DOB),
    ("born on 3rd May 2015", pii.DOB),
    ("DOB 3rd of May 2015", pii.DOB),
    ("date of birth 2015-03-12", pii.DOB),
    ("Date of Birth: May 3, 2015", pii.DOB),
    # crime and incident references
    ("crime ref 12/34567/22", pii.CRIME_REF),
    ("crime number 12345678/22", pii.CRIME_REF),
    ("Crime ref: NY-220312-0045", pii.CRIME_REF),
    ("incident 1234 of 12/03/2022", pii.CRIME_REF),
    ("log 245 12/03/22", pii.CRIME_REF),
    ("CAD 1234 12/03/22", pii.CRIME_REF),
    ("Occurrence 22000123456", pii.CRIME_REF),
    ("see 12/345678/22 for detail", pii.CRIME_REF),
    ("Niche ref 1234/22/XY", pii.CRIME_REF),
    # NHS numbers (valid check digit)
    ("NHS no 9434765919", pii.NHS),
    ("NHS 943 476 5919", pii.NHS),
    ("nhs number 943-476-5919", pii.NHS),
    # UK phone numbers
    ("call 07700 900123", pii.PHONE),
    ("+44 7700 900123", pii.PHONE),
    ("07700900123", pii.PHONE),
    ("tel 01904 123456", pii.PHONE),
    ("(01904) 618691", pii.PHONE),
    ("call 020 7946 0000", pii.PHONE),
    ("ring +44 (0)1904 618691", pii.PHONE),
    # email addresses
    ("jane.doe@northyorkshire.police.uk", pii.EMAIL),
    ("email j@x.co", pii.EMAIL),
    # postcodes
    ("YO1 7HH", pii.POSTCODE),
    ("lives at yo30 4xz", pii.POSTCODE),
    ("postcode YO10 5DD", pii.POSTCODE),
    # a child's (or victim's) name after the words that introduce one
    ("child Tom Smith", pii.CHILD_NAME),
    ("child called Tom", pii.CHILD_NAME),
    ("Victim Jane said", pii.CHILD_NAME),
    ("the victim, Sarah, said", pii.CHILD_NAME),
    ("Victim: Jane Smith", pii.CHILD_NAME),
    ("victim named Ella", pii.CHILD_NAME),
    ("girl aged 14 named Amy", pii.CHILD_NAME),
    ("Child Jack went missing", pii.CHILD_NAME),
    ("the boy, Liam, was", pii.CHILD_NAME),
    ("daughter Chloe", pii.CHILD_NAME),
    ("misper Kayleigh found", pii.CHILD_NAME),
    ("the child (Tom) said", pii.CHILD_NAME),
    ("child J.S. seen", pii.CHILD_NAME),
    ("DA victim Ms Jones", pii.CHILD_NAME),
]


@pytest.mark.parametrize(("text", "kind"), TRUE_POSITIVES)
def test_personal_data_is_found(text: str, kind: str) -> None:
    assert kind in kinds(text)


# Ordinary action-plan language: every line here must pass untouched.
PLAN_LANGUAGE = [
    "R3.2 amber 60% training slots delayed to June",
    "Child Protection Conference guidance published",
    "dip-sample of 50 cases in May 2022",
    "https://intranet/policy/123",
    "https://intranet.nyp/policy/2022/05/guidance",
    "see https://nypolice.sharepoint.com/sites/ncpi/R3.2",
    "Victim Support referral pathway agreed",
    "child Sexual Exploitation team in place",
    "child sexual exploitation and child criminal exploitation",
    "Log 1234 of 2022",
    "Boy Scouts and Girl Guides visits",
    "Boy Girl ratio in custody",
    "child in care reviews",
    "Child A was seen within the timescale",  # the anonymised convention of practice reviews
    "case file 2022/05 reviewed",
    "policy v2/3 approved",
    "see incident-2022-05",
    "Children Act 1989 s47",
    "born 2015",
    "officers will call 101",
    "Meeting 15/06/2022 at 10:00",
    "Published 29/03/2022",
    "on 2022-05-03 the board agreed",
    "training delivered to 1200 officers",
    "95% of 3000 staff",
    "MASH review 12/34",
    "Section 47 s47 strategy",
    "S47 1st strategy meeting held within 24 hours",
    "in Q2 3rd week",
    "R10 2nd review",
    "Operation Encompass notifications to schools",
    "Victim Code compliance 85%",
    "1234567890 records",
    "the child's voice is recorded",
    "Voice of the Child audit",
    "Children and Young People strategy",
    "Children's Services agreed the protocol",
    "victim Personal Statement uptake",
    "victim Satisfaction Survey results",
    "Victim Right to Review scheme",
    "Care Plan updated",
    "log 2022-23 figures",
    "custody 2021-22 figures",
    "1,234 incidents in 2021/22",
    "incident 2021/22 volumes down",
    "ref 2022/05",
    "document ref NCPI-2022-01",
    "Child Centred Policing approach",
    "Child Death Overview Panel",
    "Child Friendly custody suites",
    "Child Arrest Protocol signed",
    "Parent Carer Forum consulted",
    "Missing Person Coordinator in post",
    "young person Focused Deterrence",
    "CYP Strategy",
    "child Safeguarding Practice Review",
    "suspect interviews within 28 days",
    "22 of 30 officers trained (73%)",
    "version 1.2.3",
    "budget £120,000 agreed",
    "custody record audit of 100 records",
    "Dip sample 12 of 40 (30%)",
    "Q1 2022/23",
    "Teams meeting on 12/05/2022",
    "Crime Data Integrity audit",
    "Born Free charity",
    "Rape and Serious Sexual Offences",
    "figures 2021 to 2022",
    "Action R1.2 due 2022-05-31, moved to 2022-07-31",
]


@pytest.mark.parametrize("text", PLAN_LANGUAGE)
def test_plan_language_passes(text: str) -> None:
    assert kinds(text) == []


def test_the_plan_itself_passes(plan_file) -> None:  # type: ignore[no-untyped-def]
    """Every title and text in the shipped plan is ordinary plan language."""
    texts = [plan_file.plan.title]
    for rec in plan_file.recommendations:
        texts += [rec.title, rec.text] + [a.title for a in rec.actions]
    flagged = {t: kinds(t) for t in texts if kinds(t)}
    assert flagged == {}


def test_finding_names_field_and_kind_never_the_text() -> None:
    findings = find_personal_data({"narrative": "fine", "blockers": "victim Jane, DOB 12/03/2015",
                                   "evidence": ""})
    assert {(f.field, f.kind) for f in findings} == {("blockers", pii.DOB), ("blockers", pii.CHILD_NAME)}
    for f in findings:
        described = finding_text(f.field, f.kind)
        assert "Jane" not in described and "2015" not in described
        assert described.startswith("the blockers looks like it contains ")


def test_each_kind_reported_once_per_field() -> None:
    assert kinds("call 07700 900123 or 07700 900456") == [pii.PHONE]


def test_update_refusal_names_field_and_kind_without_echo() -> None:
    cmd = UpdateCommand(action_id="R3.2", rag=RAG.AMBER, narrative="victim Jane Smith DOB 12/03/2015",
                        source=Source.DM)
    with pytest.raises(PersonalDataRefused) as err:
        check_text(cmd)
    text = error_text(err.value, SLACK)
    assert "narrative" in text and "date of birth" in text and "child's name" in text
    assert "Jane" not in text and "12/03/2015" not in text


@pytest.mark.parametrize("field", ["evidence", "reason"])
def test_workflow_text_refusal_names_field(field: str) -> None:
    with pytest.raises(PersonalDataRefused) as err:
        check_free_text(field, "email jane.doe@example.org", required=True, example="complete", action_id="R3.2")
    assert f"the {field} looks like it contains an email address" in error_parts(err.value, SLACK)[0]
    assert "jane.doe" not in error_text(err.value, SLACK) and "jane.doe" not in str(err.value)


# --- properties ------------------------------------------------------------------------------------
_FIRST_NAMES = ["Tom", "Jane", "Amelia", "Oliver", "Liam", "Chloe", "Kayleigh", "Mohammed", "Aisha", "Jack"]
_INTROS = ["child", "Child", "victim", "Victim", "the child", "the victim,", "girl", "boy", "daughter",
           "young person", "child called", "victim named", "misper"]
_PLAN_WORDS = ["training", "slots", "delayed", "to", "June", "amber", "green", "60%", "officers", "guidance",
               "published", "R3.2", "dip-sample", "of", "50", "cases", "in", "May", "2022", "Child",
               "Protection", "Conference", "Victim", "Support", "Silver", "Gold", "agreed", "policy",
               "https://intranet/policy/123", "2021/22", "Q2", "on", "track", "partners", "MASH",
               "strategy", "meetings", "audit", "review", "s47", "Section", "47", "custody", "suites",
               "referrals", "(30%)", "12", "the", "and", "Voice", "children", "Care", "Plan"]


def _nhs(draw_digits: list[int]) -> str | None:
    total = sum(d * (10 - i) for i, d in enumerate(draw_digits))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10:
        return None
    return "".join(map(str, draw_digits)) + str(check)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PLAN_WORDS), min_size=1, max_size=25))
def test_property_sentences_of_plan_words_pass(words: list[str]) -> None:
    assert kinds(" ".join(words)) == []


@settings(max_examples=100)
@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2022, 12, 31)),
       st.sampled_from(["DOB", "dob:", "D.O.B.", "date of birth", "born", "born on"]),
       st.sampled_from(["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]),
       st.sampled_from(["", "Seen with ", "Update: "]))
def test_property_any_date_of_birth_is_found(day: date, word: str, fmt: str, prefix: str) -> None:
    assert pii.DOB in kinds(f"{prefix}{word} {day.strftime(fmt)} and more text")


@settings(max_examples=100)
@given(st.lists(st.integers(0, 9), min_size=9, max_size=9), st.sampled_from(["", " ", "-"]),
       st.sampled_from(["", "NHS ", "nhs no "]))
def test_property_valid_nhs_numbers_found(digits: list[int], sep: str, prefix: str) -> None:
    number = _nhs(digits)
    if number is None:
        return
    spaced = sep.join([number[:3], number[3:6], number[6:]])
    assert pii.NHS in kinds(f"{prefix}{spaced}")


@settings(max_examples=100)
@given(st.integers(100_000, 999_999), st.sampled_from(["07700 ", "07700", "+44 7700 ", "01904 ", "020 7"]))
def test_property_phone_numbers_found(n: int, start: str) -> None:
    assert pii.PHONE in kinds(f"please ring {start}{n}")


@settings(max_examples=100)
@given(st.sampled_from(_INTROS), st.sampled_from(_FIRST_NAMES), st.sampled_from(["", " Smith"]),
       st.sampled_from([" said", " was seen", ".", " went missing"]))
def test_property_names_after_intros_found(intro: str, name: str, surname: str, tail: str) -> None:
    assert pii.CHILD_NAME in kinds(f"Update: {intro} {name}{surname}{tail}")


@settings(max_examples=100)
@given(st.text("abcdefghijklmnopqrstuvwxyz.", min_size=1, max_size=12).filter(lambda t: t.strip(".") == t),
       st.text("abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=10).filter(lambda t: t.strip("-") == t),
       st.sampled_from(["org", "co.uk", "police.uk", "com", "nhs.net"]))
def test_property_emails_found(local: str, domain: str, tld: str) -> None:
    assert pii.EMAIL in kinds(f"contact {local}@{domain}.{tld} for detail")


@settings(max_examples=100)
@given(st.from_regex(r"[A-PR-UWYZ][A-HK-Y]?", fullmatch=True), st.integers(1, 99), st.integers(0, 9),
       st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2))
def test_property_postcodes_found(area: str, district: int, sector: int, unit: str) -> None:
    # the letters a postcode area may have (Royal Mail's rules, as Presidio's recogniser reads them)
    assert pii.POSTCODE in kinds(f"moved to {area}{district} {sector}{unit} last week")


@settings(max_examples=100)
@given(st.text(max_size=300))
def test_property_never_crashes_and_findings_are_known_kinds(text: str) -> None:
    known = set(pii.KINDS)
    for f in find_personal_data({"narrative": text}):
        assert f.kind in known and f.field == "narrative"


def test_every_kind_is_a_code_with_words() -> None:
    assert set(pii.KINDS) == set(PII_KINDS) == set(PII_INSTEAD)
    assert all(kind.isidentifier() and kind.islower() for kind in pii.KINDS)

