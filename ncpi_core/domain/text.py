"""Free text from people: how long it may be, and the personal-data guard in front of storage.

`MAX_NARRATIVE` is domain policy (a short summary and a link, not a report); each front end also
enforces its own input limits where it collects text. Refusals carry codes and the field's name,
never the text itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from ncpi_core.domain.pii import find_personal_data
from ncpi_core.errors import InvalidInput, PersonalDataRefused

MAX_NARRATIVE = 3000  # characters in one narrative, reason or piece of evidence


def refuse_personal_data(fields: Mapping[str, str]) -> None:
    """Raise PersonalDataRefused(`text.personal_data`) naming each field and kind that looks personal.

    `findings` is a list of [field, kind] pairs (kinds as in `ncpi_core.domain.pii`).
    """
    findings = find_personal_data(dict(fields))
    if findings:
        raise PersonalDataRefused("text.personal_data", findings=[[f.field, f.kind] for f in findings])


def check_free_text(field: str, text: str, *, required: bool, example: str, **example_params: str) -> str:
    """Strip, require, bound and guard one piece of free text; return it cleaned.

    Args:
        field: what the text is (`evidence`, `reason`): named in every refusal.
        text: as the person gave it.
        required: refuse it empty (`text.missing`).
        example: which worked example the refusal shows (a key of the front end's catalogue,
            e.g. `complete`), with `example_params` (the action id, a date) to fill it in.

    Raises:
        InvalidInput: `text.missing` or `text.too_long` (params field, length, limit).
        PersonalDataRefused: `text.personal_data`.
    """
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput("text.missing", field=field, example=example, **example_params)
    if len(text) > MAX_NARRATIVE:
        raise InvalidInput("text.too_long", field=field, length=len(text), limit=MAX_NARRATIVE)
    refuse_personal_data({field: text})
    return text
