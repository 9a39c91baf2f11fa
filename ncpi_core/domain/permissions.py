"""Who may do what, from the roles in ncpi.yaml. Refusals say who can."""

from __future__ import annotations

from collections.abc import Callable

from ncpi_core.domain.models import Action, Person, Role
from ncpi_core.errors import PermissionDenied

READERS = (Role.SILVER, Role.SILVER_CHAIR, Role.GOLD, Role.GOLD_CHAIR, Role.ADMIN)


def stranger(slack_user: str) -> PermissionDenied:
    return PermissionDenied(
        "You are not in this plan's list of people, so ncpi cannot show or change anything for you.",
        "Ask the plan administrator to add your Slack id to config/ncpi.yaml.",
    )


def require_person(person: Person | None, slack_user: str) -> Person:
    if person is None:
        raise stranger(slack_user)
    return person


def may_update(person: Person, action: Action, covering_for: set[str] | frozenset[str] = frozenset()) -> bool:
    """Owner, the action's deputy, an admin, or someone covering for the owner while away."""
    return (
        person.id in (action.owner, action.deputy)
        or person.has(Role.ADMIN)
        or action.owner in covering_for
    )


def require_update(person: Person, action: Action, covering_for: set[str] | frozenset[str] = frozenset(),
                   name_of: Callable[[str], str] | None = None) -> None:
    """Raise a polite refusal naming who can update the action (by name when `name_of` is given)."""
    if not may_update(person, action, covering_for):
        name = name_of or (lambda pid: pid)
        who = f"its owner ({name(action.owner)})"
        if action.deputy:
            who += f", its deputy ({name(action.deputy)})"
        raise PermissionDenied(
            f"Sorry, you cannot update {action.id}.",
            f"Only {who} or a plan administrator can.",
        )


def may_read_summary(person: Person) -> bool:
    return person.has(*READERS)


def require_read_summary(person: Person) -> None:
    if not may_read_summary(person):
        raise PermissionDenied(
            "Sorry, summaries are for Silver and Gold members.",
            "Use `/ncpi my` to see your own actions.",
        )


def require_role(person: Person, roles: tuple[Role, ...], what: str) -> None:
    if not person.has(*roles):
        names = " or ".join(r.value.replace("_", " ") for r in roles)
        raise PermissionDenied(f"Sorry, only the {names} can {what}.")
