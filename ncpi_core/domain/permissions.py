"""Who may do what, from the roles in ncpi.yaml. Refusals carry codes and say who can."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import Action, Body, Person, Role
from ncpi_core.errors import PermissionDenied

READERS = (Role.SILVER, Role.SILVER_CHAIR, Role.GOLD, Role.GOLD_CHAIR, Role.ADMIN, Role.PCC, Role.OBSERVER)


def read_only_refusal(person: Person, what: str) -> PermissionDenied:
    """`role.read_only`: an observer or the PCC's office tried a step of the workflow; the words
    say what they can do instead (`roles`: theirs)."""
    return PermissionDenied("role.read_only", what=what, roles=sorted(r.value for r in person.roles))


def require_person(person: Person | None) -> Person:
    """The person an edge resolved, or `person.unknown` for someone not in ncpi.yaml."""
    if person is None:
        raise PermissionDenied("person.unknown")
    return person


def may_update(person: Person, action: Action, covering_for: set[str] | frozenset[str] = frozenset()) -> bool:
    """Owner, the action's deputy, an admin, or someone covering for the owner while away."""
    return (
        person.id in (action.owner, action.deputy)
        or person.has(Role.ADMIN)
        or action.owner in covering_for
    )


def not_owner(action: Action, what: str, name_of: Callable[[str], str] | None = None,
              cover: bool = False) -> PermissionDenied:
    """`action.not_owner`: the refusal naming who may `what` the action (by name with `name_of`).

    `cover` says whether the refusal mentions someone covering for an absent owner.
    """
    name = name_of or (lambda pid: pid)
    return PermissionDenied("action.not_owner", what=what, action_id=action.id, owner=name(action.owner),
                            deputy=name(action.deputy) if action.deputy else None, cover=cover)


def require_update(person: Person, action: Action, covering_for: set[str] | frozenset[str] = frozenset(),
                   name_of: Callable[[str], str] | None = None) -> None:
    """Raise `action.not_owner` (what `update`) unless the person may update the action
    (`role.read_only` for an observer or the PCC's office)."""
    if person.read_only:
        raise read_only_refusal(person, "update")
    if not may_update(person, action, covering_for):
        raise not_owner(action, "update", name_of)


def may_read_summary(person: Person) -> bool:
    return person.has(*READERS)


def require_read_summary(person: Person) -> None:
    if not may_read_summary(person):
        raise PermissionDenied("summary.readers_only")


# A Silver summary carries narratives, blockers and evidence: it goes to Silver's channel only. The
# Gold summary is the roll-up; Silver's members see all of it already, so it may go to either.
SUMMARY_BODIES = {"silver": (Body.SILVER,), "gold": (Body.GOLD, Body.SILVER)}


def summary_post_places(config: ForceConfig, level: str, platform: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Where a summary of `level` may be shared on `platform`: (body, its channel) pairs, then the
    extra conversations ncpi.yaml allows under `channels.summary_posts`."""
    bodies = [(b.value, config.channel(b, platform)) for b in SUMMARY_BODIES.get(level, ())]
    return bodies, list(getattr(config.channels.summary_posts, level, []))


def require_post_summary(config: ForceConfig, level: str, platform: str, conversation: str) -> None:
    """Raise `summary.post_here` (naming where it may go) unless `conversation` may show the summary."""
    bodies, others = summary_post_places(config, level, platform)
    if conversation and (conversation in others or conversation in [a for _, a in bodies if a]):
        return
    raise PermissionDenied("summary.post_here", level=level, bodies=bodies, others=others)


def require_role(person: Person, roles: tuple[Role, ...], what: str,
                 holders: Sequence[str] | None = None) -> None:
    """Raise `role.required` unless the person holds one of `roles`.

    Args:
        what: what they tried (a code the catalogue words, e.g. `closure.approve`).
        holders: names of the people who hold the roles, to say whom to ask (None: not said).
    """
    if not person.has(*roles) and person.read_only:
        raise read_only_refusal(person, what)
    if not person.has(*roles):
        raise PermissionDenied("role.required", roles=[r.value for r in roles], what=what,
                               holders=None if holders is None else list(holders))
