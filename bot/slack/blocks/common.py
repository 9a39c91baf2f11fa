"""Core results as Block Kit: the update modal, confirmations, `/ncpi my`, App Home, help.

Every piece of user or plan text goes through `escape` before it is put in mrkdwn, and every
message stays inside Slack's limits (50 blocks a message, 100 a view, 3,000 characters a section).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import copy
from bot.slack.payloads import (
    BLOCKERS_BLOCK,
    EVIDENCE_BLOCK,
    FIELD_BLOCKS,
    NARRATIVE_BLOCK,
    PROGRESS_BLOCK,
    RAG_BLOCK,
    ModalMetadata,
)
from bot.slack.text import HEADER_LIMIT, SECTION_LIMIT, chunk_lines, clip, escape
from ncpi_core.domain.models import RAG, RAG_MEANING, Action, ActionStatus, Update
from ncpi_core.errors import InvalidInput, NcpiError, PersonalDataRefused

Block = dict[str, Any]
UPDATE_MODAL = "ncpi_update_modal"
ON_TRACK, UPDATE_OPEN, PROPOSE_COMPLETE = "ncpi_on_track", "ncpi_update_open", "ncpi_propose_complete"
MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100

RAG_EMOJI = {RAG.RED: ":red_circle:", RAG.AMBER: ":large_orange_circle:",
             RAG.GREEN: ":large_green_circle:", RAG.BLUE: ":large_blue_circle:"}
STATUS_WORDS = {ActionStatus.PROPOSED: "awaiting Silver review", ActionStatus.ACCEPTED:
                "awaiting Gold sign-off", ActionStatus.CLOSED: "closed", ActionStatus.SUPERSEDED:
                "superseded"}


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_LIMIT)}


def rag_label(rag: RAG | None) -> str:
    if rag is None:
        return ":white_circle: No update yet"
    return f"{RAG_EMOJI[rag]} {rag.value.capitalize()} ({RAG_MEANING[rag]})"


def progress_label(progress: int | None) -> str:
    return "" if progress is None else f"{progress} %"


def short_date(d: date | datetime | None, tz: ZoneInfo | None = None) -> str:
    if d is None:
        return "–"
    if isinstance(d, datetime):
        d = d.astimezone(tz).date() if tz else d.date()
    return f"{d.day} {d.strftime('%b %Y')}"


def section_lines(lines: list[str]) -> list[Block]:
    """Lines as as few sections as fit (each within 3,000 characters, split at line ends)."""
    return [mrkdwn(piece) for piece in chunk_lines(lines, SECTION_LIMIT)]


# --- the update modal ---------------------------------------------------------------------------
def _option(rag: RAG) -> dict[str, Any]:
    return {"text": plain(f"{rag.value.capitalize()} ({RAG_MEANING[rag]})"), "value": rag.value}


def update_modal(action: Action, latest: Update | None, meta: ModalMetadata) -> dict[str, Any]:
    """The update form for one action, filled with its latest RAG and progress."""
    rag_select: dict[str, Any] = {"type": "static_select", "action_id": RAG_BLOCK,
                                  "placeholder": plain("How is it going?"),
                                  "options": [_option(r) for r in (RAG.GREEN, RAG.AMBER, RAG.RED, RAG.BLUE)]}
    if latest is not None:
        rag_select["initial_option"] = _option(latest.rag)
    progress: dict[str, Any] = {"type": "number_input", "action_id": PROGRESS_BLOCK,
                                "is_decimal_allowed": False, "min_value": "0", "max_value": "100"}
    if latest is not None and latest.progress is not None:
        progress["initial_value"] = str(latest.progress)
    last = ""
    if latest is not None:
        last = (f"\nLast update {short_date(latest.created_at)}: {rag_label(latest.rag)}"
                f"{', ' + progress_label(latest.progress) if latest.progress is not None else ''}")
        if latest.narrative:
            last += f"\n>{escape(clip(latest.narrative, 500))}"

    def text_input(block_id: str, label: str, hint: str, multiline: bool, optional: bool) -> Block:
        return {"type": "input", "block_id": block_id, "optional": optional,
                "label": plain(label, 2000), "hint": plain(hint, 2000),
                "element": {"type": "plain_text_input", "action_id": block_id, "multiline": multiline,
                            "max_length": 3000}}

    return {
        "type": "modal",
        "callback_id": UPDATE_MODAL,
        "private_metadata": meta.dumps(),
        "title": plain(f"Update {action.id}", 24),
        "submit": plain("Save update"),
        "close": plain("Cancel"),
        "blocks": [
            mrkdwn(f"*{escape(action.id)} {escape(action.title)}*\nDue {short_date(action.due)}{last}"),
            {"type": "input", "block_id": RAG_BLOCK, "label": plain("RAG status"), "element": rag_select},
            {"type": "input", "block_id": PROGRESS_BLOCK, "optional": True,
             "label": plain("Progress (%)"), "element": progress},
            text_input(NARRATIVE_BLOCK, "What has happened since the last update?",
                       "Progress only: never names or details of a child or a case.", True, False),
            text_input(BLOCKERS_BLOCK, "Blockers", "Anything Silver or Gold should unblock.", True, True),
            text_input(EVIDENCE_BLOCK, "Evidence", "A link to a document, or where the evidence is kept.",
                       False, True),
        ],
    }


def input_blocks(view: dict[str, Any]) -> list[str]:
    """The block ids of a view's input blocks: the only places Slack shows a modal's errors."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    return [str(b["block_id"]) for b in blocks or []
            if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")]


def modal_errors(error: BaseException, text: str, view: dict[str, Any]) -> dict[str, str]:
    """Turn a refusal into `response_action: errors` on input blocks this view has, or {}.

    A refusal about a field goes on that field (personal data on each field it was found in,
    naming the kind and never the text); any other refusal of the core (not the owner, the
    action closed, the database down) on the form's first field, so the person can change it or
    try again. An unexpected error is no refusal the form can show: {} (the caller closes the
    form and tells the person plainly). Slack refuses errors on a block the view does not have.
    """
    inputs = input_blocks(view)
    if not isinstance(error, NcpiError) or not inputs:
        return {}
    if isinstance(error, PersonalDataRefused):
        findings = error.params.get("findings") or []
        errors = {FIELD_BLOCKS[name]: copy.field_refusal(kind) for name, kind in findings
                  if name in FIELD_BLOCKS and FIELD_BLOCKS[name] in inputs}
        if errors:
            return errors
        return {NARRATIVE_BLOCK if NARRATIVE_BLOCK in inputs else inputs[0]: clip(text, 2000)}
    field = FIELD_BLOCKS.get(str(error.params.get("field"))) if isinstance(error, InvalidInput) else None
    return {field if field in inputs else inputs[0]: clip(text, 2000)}


# --- confirmations --------------------------------------------------------------------------------
def recorded_message(action: Action, update: Update, by_button: bool = False) -> tuple[str, list[Block]]:
    """What was recorded, as the person will read it back (their text escaped)."""
    head = f"Recorded for *{escape(action.id)} {escape(action.title)}*: {rag_label(update.rag)}"
    if update.progress is not None:
        head += f", {progress_label(update.progress)}"
    lines = [head]
    if update.narrative:
        lines.append(f">{escape(update.narrative)}".replace("\n", "\n>"))
    if update.blockers:
        lines.append(f"*Blockers:* {escape(update.blockers)}")
    if update.evidence:
        lines.append(f"*Evidence:* {escape(update.evidence)}")
    fallback = f"Recorded for {action.id}: {update.rag.value}"
    if update.progress is not None:
        fallback += f" {update.progress}%"
    tail = "To correct it, send another update; the latest one counts."
    if by_button:
        tail = "Progress kept as before. " + tail
    return escape(fallback), [*section_lines(lines), context(tail)]


# --- /ncpi my and App Home ------------------------------------------------------------------------
def action_line(action: Action, latest: Update | None, today: date) -> str:
    """One action with its latest update, for `/ncpi my` and App Home."""
    status = rag_label(latest.rag if latest else None)
    if latest is not None and latest.progress is not None:
        status += f", {progress_label(latest.progress)}"
    if action.status in STATUS_WORDS:
        status += f" · _{STATUS_WORDS[action.status]}_"
    due = f"due {short_date(action.due)}"
    if action.is_overdue(today):
        due = f"*overdue* (was due {short_date(action.due)})"
    elif action.due != action.original_due:
        due += f" (originally {short_date(action.original_due)})"
    line = f"*{escape(action.id)}* {escape(action.title)}\n{status} · {due}"
    if latest is not None:
        line += f" · updated {short_date(latest.created_at)}"
        if latest.narrative:
            line += f"\n>{escape(clip(latest.narrative.splitlines()[0], 200))}"
    return line


def update_button(action_id: str) -> dict[str, Any]:
    return {"type": "button", "action_id": UPDATE_OPEN, "value": action_id, "text": plain("Update")}


def my_actions_message(actions: list[Action], latest: dict[str, Update], today: date,
                       name: str) -> tuple[str, list[Block]]:
    """`/ncpi my`: the caller's actions, each with its latest update and an Update button."""
    if not actions:
        return ("You own no actions in the plan.",
                [mrkdwn("You own no actions in the plan, so there is nothing for you to update.")])
    blocks: list[Block] = [mrkdwn(f"*Your actions, {escape(name)}* ({len(actions)})")]
    blocks += action_blocks(actions, latest, today, MESSAGE_BLOCKS - 2,
                            "; open the bot's Home tab for them all.")
    return f"Your actions ({len(actions)})", blocks


def action_blocks(actions: list[Action], latest: dict[str, Update], today: date, room: int,
                  where_the_rest_are: str) -> list[Block]:
    """A line per action with an Update button (open ones), at most `room`, then how many more."""
    blocks: list[Block] = []
    for a in actions[:room]:
        block = mrkdwn(action_line(a, latest.get(a.id), today))
        if not a.is_closed:
            block["accessory"] = update_button(a.id)
        blocks.append(block)
    if len(actions) > room:
        blocks.append(context(f"…and {len(actions) - room} more{where_the_rest_are}"))
    return blocks


def home_view(name: str, actions: list[Action], latest: dict[str, Update], today: date,
              position: list[str] | None) -> dict[str, Any]:
    """App Home: the person's own actions, and the plan's position for Silver and Gold."""
    blocks: list[Block] = [header(f"ncpi: {name}")]
    if position is not None:
        blocks.append(mrkdwn("*Plan position at a glance*"))
        blocks.extend(section_lines(position)[:6])
        blocks.append({"type": "divider"})
    blocks.append(mrkdwn(f"*Your actions* ({len(actions)})" if actions
                         else "*Your actions*\nYou own no actions in the plan."))
    blocks += action_blocks(actions, latest, today, VIEW_BLOCKS - len(blocks) - 2,
                            ": `/ncpi my` lists them all.")
    example = next((a.id for a in actions if not a.is_closed), "R3.2")
    blocks.append(context(f"Reply to a prompt in its thread, or DM me `{escape(example)} amber 60% what "
                          "changed`. `/ncpi help` for everything else."))
    return {"type": "home", "blocks": blocks}


def stranger_home() -> dict[str, Any]:
    return {"type": "home", "blocks": [mrkdwn(
        "You are not in this plan's list of people, so there is nothing to show you here. "
        "Ask the plan administrator to add your Slack id to `config/ncpi.yaml`.")]}


def help_message(lines: list[str]) -> tuple[str, list[Block]]:
    intro = ("*ncpi* runs the action plan's Gold/Silver/Bronze cycle. You can also DM me an update "
             "such as `R3.2 amber 60% training slots delayed to June`, or reply in a prompt's thread.")
    return "ncpi commands", [mrkdwn(intro), *section_lines(lines)]
