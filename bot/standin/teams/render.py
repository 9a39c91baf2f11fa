"""A message as it would read in Teams, in plain text: the Adaptive Card's text, facts, images (by
their alternative text), inputs and buttons, in order (for `ncpi demo --platform teams`)."""

from __future__ import annotations

from typing import Any

from bot.standin.teams.tenant import Posted

CIRCLES = {"good": "🟢", "warning": "🟠", "attention": "🔴", "accent": "🔵"}


def _inline(runs: list[Any]) -> str:
    out = []
    for run in runs:
        if isinstance(run, str):
            out.append(run)
        elif isinstance(run, dict):
            text = str(run.get("text", ""))
            out.append(f"`{text}`" if run.get("fontType") == "Monospace" else
                       f"**{text}**" if run.get("weight") == "Bolder" else text)
    return "".join(out)


def render_element(element: dict[str, Any], depth: int = 0) -> list[str]:
    """The lines one card element shows."""
    kind = element.get("type")
    pad = "  " * depth
    if element.get("isVisible") is False:
        return []
    if kind == "TextBlock":
        return [pad + line for line in str(element.get("text", "")).splitlines()]
    if kind == "RichTextBlock":
        return [pad + line for line in _inline(element.get("inlines") or []).splitlines()]
    if kind == "FactSet":
        return [f"{pad}{f.get('title', '')}  {f.get('value', '')}" for f in element.get("facts") or []]
    if kind == "Image":
        return [f"{pad}[image: {element.get('altText') or 'no alternative text!'}]"]
    if kind in ("Container", "Column"):
        return [line for item in element.get("items") or [] for line in render_element(item, depth)]
    if kind == "ColumnSet":
        return [line for column in element.get("columns") or [] for line in render_element(column, depth)]
    if kind == "ActionSet":
        return render_actions(element.get("actions") or [], pad)
    if isinstance(kind, str) and kind.startswith("Input."):
        label = element.get("label") or element.get("placeholder") or element.get("id")
        value = element.get("value")
        return [f"{pad}[{label}: {value if value not in (None, '') else '…'}]"]
    return []


def render_actions(actions: list[dict[str, Any]], pad: str = "") -> list[str]:
    buttons = [f"[ {a.get('title', '?')} ]" for a in actions]
    return [pad + " ".join(buttons)] if buttons else []


def render_card(card: dict[str, Any]) -> list[str]:
    lines = [line for element in card.get("body") or [] for line in render_element(element)]
    return lines + render_actions(card.get("actions") or [])


def render_posted(message: Posted) -> str:
    """Text and card of one message, as lines."""
    lines = [message.text] if message.text and message.card() is None else []
    for attachment in message.attachments:
        content = attachment.get("content")
        if isinstance(content, dict) and content.get("type") == "AdaptiveCard":
            lines += render_card(content)
    return "\n".join(lines)
