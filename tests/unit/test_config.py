"""Config and plan files: the public format loads, and every bad input names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ncpi_core.config.schema import (
    load_force_config,
    load_plan_file,
    parse_force_config,
    parse_plan_file,
)
from ncpi_core.config.yamlfile import parse_yaml
from ncpi_core.domain.models import Category, Role
from ncpi_core.errors import ValidationFailed

ROOT = Path(__file__).resolve().parents[2]


def test_north_yorkshire_config_and_plan_load() -> None:
    cfg = load_force_config(ROOT / "config" / "ncpi.yaml")
    plan = load_plan_file(ROOT / "config" / "action_plan.yaml", cfg)
    assert cfg.force == "North Yorkshire Police"
    assert len(plan.recommendations) == 10
    cats = [r.category for r in plan.recommendations]
    assert cats.count(Category.IMMEDIATE) == 5 and cats.count(Category.THREE_MONTHS) == 5
    assert all(2 <= len(r.actions) <= 4 for r in plan.recommendations)
    assert str(plan.plan.published) == "2022-03-29"
    bronze = {p.id for p in cfg.people if Role.BRONZE in p.roles}
    assert {a.owner for r in plan.recommendations for a in r.actions} <= bronze


def test_another_forces_plan_with_other_ids_and_six_months() -> None:
    d = ROOT / "tests" / "fixtures" / "other_force"
    cfg = load_force_config(d / "ncpi.yaml")
    plan = load_plan_file(d / "action_plan.yaml", cfg)
    assert [r.id for r in plan.recommendations][:2] == ["C1", "C2"]
    assert Category.SIX_MONTHS in {r.category for r in plan.recommendations}


CONFIG = """\
force: Test Force
channels: {silver: C0SILVER01, gold: C0GOLD0001}
people:
  - {id: a, name: A, slack_user: U0AAAAAAA1, roles: [bronze]}
  - {id: b, name: B, slack_user: U0BBBBBBB1, roles: [silver_chair]}
meetings:
  silver:
    - {rrule: "FREQ=WEEKLY;BYDAY=TU", start: 2022-02-08, time: 14:00}
"""

PLAN = """\
plan: {title: T, report: R, published: 2022-03-29}
recommendations:
  - id: R1
    title: One
    category: immediate
    due: 2022-03-29
    actions:
      - {id: R1.1, title: First, owner: a, due: 2022-04-30}
      - {id: R1.2, title: Second, owner: a, due: 2022-05-31}
"""


def _cfg():  # type: ignore[no-untyped-def]
    return parse_force_config(parse_yaml(CONFIG, "ncpi.yaml"))


def test_unquoted_time_is_read_as_a_time() -> None:
    assert str(_cfg().meetings.silver[0].time) == "14:00:00"


def _problems(plan_text: str) -> list[str]:
    with pytest.raises(ValidationFailed) as err:
        parse_plan_file(parse_yaml(plan_text, "action_plan.yaml"), _cfg())
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (("owner: a, due: 2022-05-31", "owner: nobody, due: 2022-05-31"),
         "action_plan.yaml, line 9, field 'recommendations.0.actions.1.owner': 'nobody' is not one of the people"),
        (("id: R1.2", "id: R1.1"), "line 9, field 'recommendations.0.actions.1.id': duplicate id 'R1.1' (first used on line 8)"),
        (("due: 2022-04-30", "due: 2022-02-30"), "line 8, field 'recommendations.0.actions.0.due'"),
        (("category: immediate", "category: someday"), "line 5, field 'recommendations.0.category'"),
        (("    title: One\n", ""), "field 'recommendations.0.title': this field is required"),
        (("title: First,", "titel: First,"), "field 'recommendations.0.actions.0.titel': unknown field"),
    ],
)
def test_bad_plan_names_file_line_and_field(change: tuple[str, str], expect: str) -> None:
    problems = _problems(PLAN.replace(*change))
    assert any(expect in p for p in problems), problems


def test_yaml_syntax_error_names_the_line() -> None:
    problems = _problems(PLAN.replace("  - id: R1\n", "  - id: [R1\n"))
    assert "action_plan.yaml, line" in problems[0] and "not valid YAML" in problems[0]


def test_config_duplicate_people_and_chat_ids_are_refused() -> None:
    bad = CONFIG.replace("id: b, name: B, slack_user: U0BBBBBBB1", "id: a, name: B, slack_user: U0AAAAAAA1")
    with pytest.raises(ValidationFailed) as err:
        parse_force_config(parse_yaml(bad, "ncpi.yaml"))
    text = str(err.value)
    assert "ncpi.yaml, line 5, field 'people.1.id': duplicate person id 'a'" in text
    assert "field 'people.1.slack_user': duplicate slack_user id 'U0AAAAAAA1'" in text


def test_the_core_keeps_any_chat_id_as_an_opaque_string() -> None:
    # a platform's id format is checked by its front end (`ncpi check`), never by the core
    odd = CONFIG.replace("slack_user: U0BBBBBBB1", 'slack_user: not-an-id, teams_user: "29:1a-B/c=="')
    cfg = parse_force_config(parse_yaml(odd, "ncpi.yaml"))
    b = cfg.person("b")
    assert b is not None and b.identities == {"slack": "not-an-id", "teams": "29:1a-B/c=="}
    assert cfg.person_by_identity("slack", "not-an-id") == b
    assert cfg.person_by_identity("teams", "29:1a-B/c==") == b
    assert cfg.person_by_identity("slack", "29:1a-B/c==") is None
    # a person with no chat id at all is still a person of the plan
    bare = parse_force_config(parse_yaml(CONFIG.replace(", slack_user: U0BBBBBBB1", ""), "ncpi.yaml"))
    assert bare.person("b") is not None and bare.person("b").identities == {}  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed, match="slack_user"):
        parse_force_config(parse_yaml(CONFIG.replace("slack_user: U0BBBBBBB1", 'slack_user: ""'), "ncpi.yaml"))


def test_config_bad_rrule_and_zone() -> None:
    bad = CONFIG.replace("FREQ=WEEKLY;BYDAY=TU", "EVERY TUESDAY").replace("force: Test Force",
                                                                          "force: F\ntimezone: Mars/Base")
    with pytest.raises(ValidationFailed) as err:
        parse_force_config(parse_yaml(bad, "ncpi.yaml"))
    text = str(err.value)
    assert "unknown time zone 'Mars/Base'" in text and "RFC 5545" in text


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as err:
        load_force_config(tmp_path / "nope.yaml")
    assert "file not found" in str(err.value)
