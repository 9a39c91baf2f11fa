"""The Teams side of the reliability harness: the generated force with Teams identities, the
environment of an `ncpi … --platform teams` child, and how a delivery is recognised at the stand-in.

Teams keeps nothing of ours on a message (no metadata), so a delivery is recognised by what its
notification announces (the activity's `summary`: "Update needed for R1.3 before Silver on …"), per
conversation: the same announcement twice in one chat is a duplicate.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import yaml

from bot.standin.teams import Posted, TeamsStandIn
from reliability.harness import child_env, write_force


def teams_id(person_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ncpi-reliability:{person_id}"))


def write_teams_force(folder: Path, leads: int, *, gold: bool = True) -> Path:
    """`write_force`'s force, everyone with a teams_user and the bodies with Teams channels."""
    write_force(folder, leads, gold=gold)
    doc = yaml.safe_load((folder / "ncpi.yaml").read_text(encoding="utf-8"))
    for person in doc["people"]:
        person["teams_user"] = teams_id(person["id"])
    doc["channels"] = {body: {"slack": address, "teams": f"19:reliability0{body}@thread.tacv2"}
                       for body, address in doc["channels"].items()}
    (folder / "ncpi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def teams_env(standin: TeamsStandIn, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in child_env(**overrides).items() if not k.startswith(("MICROSOFT_", "CONNECTIONS__"))}
    env.update(standin.settings())
    env.update(overrides)
    return env


def announced(messages: list[Posted], prefix: str) -> Counter[tuple[str, str]]:
    """How often each (conversation, announcement) starting with `prefix` was posted by the bot."""
    return Counter((m.conversation, m.summary) for m in messages if m.kind == "bot" and m.summary.startswith(prefix))
