"""Adaptive Card 1.5 building blocks for Teams, and how a card becomes a message.

Text from people and from the plan (titles, narratives, names, reasons) only ever goes into a
`RichTextBlock`'s `TextRun`s, which Teams never reads as Markdown: `**`, `[x](…)` or `<at>` in a
narrative are shown as typed and link or mention nothing. Our own fixed words may use a TextBlock's
Markdown. RAG is always a word beside its colour. Every card is 1.5 with nothing Teams-only in it
(`msteams` is not in the schema), and a message stays inside Teams' 40 KB (UTF-16, base64
images aside): `MAX_CARD_CHARS` of JSON leaves room for the envelope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from ncpi_core.domain.models import RAG, RAG_MEANING

Card = dict[str, Any]
Element = dict[str, Any]
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_CARD_CHARS = 16_000  # JSON characters (≈32 KB as UTF-16) of one card, data URIs aside
MAX_TEXT = 2_000  # characters of one piece of text in a card (the rest is in the export)
PART_NOTE = 700  # what "Part i of n" and a card's fallback text may add to a part
DATA_URI = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")

RAG_COLOUR = {RAG.RED: "attention", RAG.AMBER: "warning", RAG.GREEN: "good", RAG.BLUE: "accent"}
RAG_CIRCLE = {RAG.RED: "🔴", RAG.AMBER: "🟠", RAG.GREEN: "🟢", RAG.BLUE: "🔵"}


@dataclass(frozen=True)
class Run:
    """A piece of text in a RichTextBlock: never read as Markdown."""

    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False
    color: str | None = None
    subtle: bool = False

    def json(self) -> Element:
        run: Element = {"type": "TextRun", "text": self.text}
        if self.bold:
            run["weight"] = "Bolder"
        if self.italic:
            run["italic"] = True
        if self.mono:
            run["fontType"] = "Monospace"
        if self.color:
            run["color"] = self.color
        if self.subtle:
            run["isSubtle"] = True
        return run


Part = str | Run


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text` shortened visibly (…) when over `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rich(*parts: Part, separator: bool = False, spacing: str | None = None) -> Element:
    """One paragraph of runs (strings are plain runs); never Markdown."""
    runs = [Run(clip(p)) if isinstance(p, str) else Run(clip(p.text), p.bold, p.italic, p.mono, p.color, p.subtle)
            for p in parts if (p if isinstance(p, str) else p.text)]
    block: Element = {"type": "RichTextBlock", "inlines": [r.json() for r in runs] or [Run(" ").json()]}
    if separator:
        block["separator"] = True
    if spacing:
        block["spacing"] = spacing
    return block


def said(text: str) -> list[Part]:
    """The catalogue's words as runs: `code` spans (commands, examples) in monospace."""
    parts: list[Part] = []
    for i, piece in enumerate(text.split("`")):
        if piece:
            parts.append(Run(piece, mono=True) if i % 2 else piece)
    return parts


def words(text: str, **kwargs: Any) -> list[Element]:
    """The catalogue's words (several lines) as paragraphs."""
    return [rich(*said(line), **kwargs) for line in text.splitlines() if line.strip()] or [rich(" ")]


def heading(text: str, size: str = "Medium") -> Element:
    """A heading of our own words (may be plan text: shown as a run, bold and large)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": clip(text, 200), "weight": "Bolder",
                                                  "size": size}]}


def note(text: str) -> Element:
    """A small, subtle line of our own words (Markdown-free)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": clip(text), "isSubtle": True,
                                                  "size": "Small"}], "spacing": "Medium"}


def rag_runs(rag: RAG | None, progress: int | None = None) -> list[Part]:
    """RAG as a coloured word with its meaning (never colour alone), and the progress."""
    if rag is None:
        return [Run("⚪ No update yet", bold=True)]
    parts: list[Part] = [Run(f"{RAG_CIRCLE[rag]} {rag.value.capitalize()}", bold=True, color=RAG_COLOUR[rag]),
                         f" ({RAG_MEANING[rag]})"]
    if progress is not None:
        parts.append(f", {progress}%")
    return parts


def execute(title: str, verb: str, data: dict[str, Any], style: str | None = None,
            inputs: bool = False) -> Element:
    """A button that invokes the bot (`adaptiveCard/action`); the card it answers with replaces this one."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": data,
                       "associatedInputs": "auto" if inputs else "none"}
    if style:
        action["style"] = style
    return action


def card(body: Sequence[Element], actions: Sequence[Element] = (), fallback: str = "") -> Card:
    c: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": list(body)}
    if actions:
        c["actions"] = list(actions)
    if fallback:
        c["fallbackText"] = clip(fallback, 300)
    return c


def size_of(c: Card) -> int:
    """Characters of the card's JSON, base64 images aside (as Teams counts a message)."""
    return len(DATA_URI.sub("data:", json.dumps(c, ensure_ascii=False)))


def pack(head: Sequence[Element], items: Iterable[Element], title: str,
         limit: int = MAX_CARD_CHARS) -> list[Card]:
    """`head` then `items` as as few cards as keep each within `limit`, never cutting an item;
    later cards say which part they are."""
    room = limit - PART_NOTE  # each card keeps room for its "Part i of n" and its fallback text
    groups: list[list[Element]] = [list(head)]
    for item in items:
        if size_of(card(groups[-1] + [item])) > room and len(groups[-1]) > (len(head) if len(groups) == 1 else 0):
            groups.append([])
        groups[-1].append(item)
    n = len(groups)
    if n == 1:
        return [card(groups[0], fallback=title)]
    return [card(g + [note(f"Part {i} of {n}" + (" · continued below" if i < n else ""))],
                 fallback=f"{title} (part {i} of {n})") for i, g in enumerate(groups, start=1)]


def message(c: Card, summary: str) -> Activity:
    """A message carrying one card; `summary` is what notifications and screen readers announce."""
    return Activity(type=ActivityTypes.message, summary=clip(summary, 250),
                    attachments=[Attachment(content_type=CARD_TYPE, content=c)])


def when(dt: datetime, tz: ZoneInfo) -> str:
    """`Tue 8 Mar at 14:00` in the force's local time."""
    local = dt.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"
