"""A command typed with words missing (`command.incomplete`): the refusal and its worked example,
the same in every front end."""

from __future__ import annotations

from ncpi_core.errors import InvalidInput

# commands whose usage line has no obvious filling: a whole sentence instead
WORKED = {"challenge": "challenge R3.2 what does the dip-sample show?",
          "embed": "embed R3.2 2022-09-01 re-audit of 50 cases: 48 met the standard",
          "decision": "decision R7 fund the screening tool because procurement slipped to July",
          "assurance": "assurance R4 partly training is done but the audit is not",
          "inspectorate": "inspectorate R4 closed 2022-12-01 revisit found it met"}


def worked_example(usage: str) -> str:
    """`usage` with its placeholders filled in: no <placeholders> in an answer (Slack reads them as markup)."""
    return WORKED.get(usage.split()[0]) or (
        usage.replace("<evidence link or text>", "https://intranet/policy/123")
        .replace("<reason>", "training slots moved to June")
        .replace("YYYY-MM-DD YYYY-MM-DD", "2022-05-09 2022-05-20").replace("YYYY-MM-DD", "2022-07-31")
        .replace("[@deputy]", "@deputy").replace(" [due]", ""))


def require_words(args: list[str], count: int, usage: str) -> None:
    """Refuse a command given fewer than `count` words, naming it and showing a worked example.

    Raises:
        InvalidInput: `command.incomplete`.
    """
    if len(args) < count:
        raise InvalidInput("command.incomplete", command=usage.split()[0], example=worked_example(usage))
