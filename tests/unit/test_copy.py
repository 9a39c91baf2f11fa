"""The message catalogue: every code the core (and the bot) raises or returns has words, in any voice."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import copy
from ncpi_core.domain.notices import Notice, Outcome
from ncpi_core.errors import InvalidInput, NcpiError, NotFound, PermissionDenied, StorageUnavailable

ROOT = Path(__file__).resolve().parents[2]
ERROR_TYPES = {"NcpiError", "NotFound", "PermissionDenied", "InvalidInput", "InvalidTransition",
               "PersonalDataRefused", "StorageUnavailable", "SchemaMissing", "ConfigurationError"}


def _first_string_args(names: set[str], roots: tuple[str, ...] = ("ncpi_core", "bot")) -> set[tuple[str, str]]:
    """(code, where) of every call to one of `names` whose first argument is a string literal."""
    found = set()
    for root in roots:
        for path in (ROOT / root).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    func = node.func
                    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                    if name in names:
                        found.add((node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


def test_every_error_code_raised_has_words() -> None:
    raised = _first_string_args(ERROR_TYPES)
    assert len(raised) > 40
    assert sorted(f"{where}: {code}" for code, where in raised if code not in copy.ERRORS) == []


def test_every_outcome_notice_and_reply_problem_has_words() -> None:
    outcomes = _first_string_args({"Outcome"}, ("ncpi_core",))
    assert sorted(code for code, _ in outcomes if code not in copy.OUTCOMES) == []
    # a notice's code is the third argument of `tell(config, people, code, …)`
    told: set[str] = set()
    for path in (ROOT / "ncpi_core" / "usecases").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "tell" and len(node.args) > 2:
                arg = node.args[2]
                assert isinstance(arg, ast.Constant), f"{path}:{node.lineno}: a notice code is a literal"
                told.add(arg.value)
    assert len(told) >= 10 and sorted(told - set(copy.NOTICES)) == []
    problems = _first_string_args({"ReplyProblem"}, ("ncpi_core",))
    assert {code for code, _ in problems} == set(copy.REPLY_PROBLEMS)


def test_the_core_raises_codes_not_sentences() -> None:
    for code, where in _first_string_args(ERROR_TYPES, ("ncpi_core",)):
        assert code.replace("_", "").replace(".", "").isalnum() and code == code.lower() and "." in code, where


TEAMS = copy.Voice(command="", account="Teams account", platform="Teams")


@pytest.mark.parametrize(("voice", "hint"), [
    (copy.SLACK, "Nothing was saved. Look at it again (`/ncpi history R3.2`) and retry if it is still needed."),
    (TEAMS, "Nothing was saved. Look at it again (`history R3.2`) and retry if it is still needed."),
    (copy.CLI, "Nothing was saved. Look at it again (`ncpi history R3.2`) and retry if it is still needed."),
])
def test_a_voice_says_how_commands_are_written(voice: copy.Voice, hint: str) -> None:
    assert copy.error_parts(NcpiError("action.changed_meanwhile", action_id="R3.2"), voice) == (
        "R3.2 was changed by someone else a moment ago.", hint)


def test_a_voice_names_the_platform_and_its_accounts() -> None:
    stranger = PermissionDenied("person.unknown")
    assert copy.error_text(stranger, copy.SLACK).endswith("add your Slack id to config/ncpi.yaml.")
    assert copy.error_text(stranger, TEAMS).endswith("add your Teams account to config/ncpi.yaml.")
    form = InvalidInput("form.unavailable", instead="complete", action_id="R3.2")
    assert copy.error_parts(form, TEAMS) == ("Teams did not send what is needed to open a form here.",
                                             "Use `complete R3.2` and a link to the evidence instead.")


def test_outcomes_and_notices_in_another_voice() -> None:
    out = Outcome("absence.recorded", {"self": False, "name": "Head of Crime", "first": "2022-05-09",
                                       "last": "2022-05-20", "replaced": 0, "covered": [], "uncovered": ["R2.1"]})
    assert copy.outcome_text(out, TEAMS).endswith("name one with `away FROM TO @deputy` if they need updates "
                                                  "meanwhile.")
    notice = Notice("tacc", "due.requested", {"by": "A", "action_id": "R3.2", "title": "T", "due": "2022-06-30",
                                              "new_due": "2022-07-31", "original_due": "2022-06-30", "reason": "r"},
                    "review_due", "R3.2")
    assert copy.notice_text(notice, TEAMS).endswith("Approve with `approve R3.2 due` or reject with "
                                                    "`reject R3.2 due <reason>`.")


def test_storage_errors_and_a_code_nobody_worded_are_still_one_clear_line() -> None:
    assert copy.error_text(StorageUnavailable(), copy.CLI) == "The database did not answer. Please try again shortly."
    assert copy.error_text(NotFound("something.new", x=1), copy.SLACK) == "That could not be done (something.new)."


def refuse_summary(args: object) -> int:
    raise NotFound("action.not_found", action_id="R9", examples=["R1.1"], more=False)


def test_the_cli_prints_core_errors_through_the_catalogue(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import cli

    monkeypatch.setitem(cli.HANDLERS, "summary", f"{__name__}:refuse_summary")
    assert cli.main(["summary"]) == 1
    assert capsys.readouterr().err == ("ncpi summary: There is no action 'R9' in the plan. "
                                       "Action ids look like R1.1.\n")
