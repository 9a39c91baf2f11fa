"""Free text from people: how long it may be, and the personal-data guard in front of storage.

`MAX_NARRATIVE` is domain policy (a short summary and a link, not a report); each front end also
enforces its own input limits where it collects text. Refusals carry codes and the field's name,
never the text itself.

Every text that is stored or posted goes through `refuse_personal_data` (most through
`check_free_text`): updates, closure evidence, every reason, a deputy named in `away`, and the
titles and texts of a plan loaded from a file (`refuse_personal_data_in_plan`). A new feature that
stores text calls one of them before it opens a unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping

from ncpi_core.config.schema import PlanFile
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


def refuse_personal_data_in_plan(plan: PlanFile) -> None:
    """Refuse a whole plan file (nothing of it is stored) if any title or text looks personal.

    The fields are named by the item they belong to ("title of R3.2", "text of R3").
    """
    fields = {"plan title": plan.plan.title, "plan report": plan.plan.report}
    for rec in plan.recommendations:
        fields[f"title of {rec.id}"] = rec.title
        fields[f"text of {rec.id}"] = rec.text
        fields[f"public summary of {rec.id}"] = rec.public_summary
        for act in rec.actions:
            fields[f"title of {act.id}"] = act.title
    refuse_personal_data(fields)
