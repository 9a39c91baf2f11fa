"""Reading a plain-text update such as `R3.2 amber 60% training slots delayed to June`.

The head of the reply holds the action id (optional inside a prompt's thread), a RAG word and an
optional percentage, in any order; whatever follows is the narrative. The parser knows the plan's
own ids (any force's scheme: `R3.2`, `C6.2`, `1.2a`), forgives case, extra spaces and punctuation,
and answers anything it cannot read with a problem code and a short example that works (a front
end's catalogue words the problem). It never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ncpi_core.domain.models import RAG

EXAMPLE_NARRATIVE = "training slots delayed to June"

# Every way people say a RAG status, lower case, spaces and hyphens normalised to one space.
RAG_WORDS: dict[str, RAG] = {
    "green": RAG.GREEN, "on track": RAG.GREEN, "ontrack": RAG.GREEN, "on target": RAG.GREEN,
    "amber": RAG.AMBER, "at risk": RAG.AMBER, "atrisk": RAG.AMBER, "yellow": RAG.AMBER,
    "orange": RAG.AMBER,
    "red": RAG.RED, "off track": RAG.RED, "offtrack": RAG.RED,
    "blue": RAG.BLUE, "complete": RAG.BLUE, "completed": RAG.BLUE, "done": RAG.BLUE,
    "finished": RAG.BLUE,
    # the coloured circles (a front end turns its own emoji names into these characters)
    "🟢": RAG.GREEN, "🟡": RAG.AMBER, "🟠": RAG.AMBER, "🔴": RAG.RED, "🔵": RAG.BLUE,
}
# Single letters are RAG only when nothing but a percentage, punctuation or the end follows,
# so that "a bit late" in a thread is not read as amber.
RAG_LETTERS: dict[str, RAG] = {"g": RAG.GREEN, "a": RAG.AMBER, "r": RAG.RED, "b": RAG.BLUE}

# Words people put in front of a value ("RAG: amber", "progress 60%", "status green").
FILLER_WORDS = {"rag", "status", "progress", "is", "now", "update", "action"}
# Said after a percentage ("60% done") these describe the percentage, not a Blue status.
COMPLETION_WORDS = {"done", "complete", "completed", "finished"}

_SEP = r"[\s,;:|–—\-]"  # what may sit between the parts of the head
_PERCENT = re.compile(r"(\d{1,4}(?:\.\d+)?)\s*(?:%|percent\b|per\s*cent\b|pc\b)", re.I)
_MARKUP = "*_~`"
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")  # an emoji written by name; _MARKUP: bold / italic / strike / code


@dataclass(frozen=True)
class ParsedReply:
    """A reply that was read: the action, its RAG, the progress if given, and the narrative."""

    action_id: str
    rag: RAG
    progress: int | None
    narrative: str


@dataclass(frozen=True)
class ReplyProblem:
    """A reply that could not be read: what was wrong (a code and its facts) and a reply that works.

    Codes: `reply.empty`, `reply.no_plan`, `reply.unknown_action` (typed, examples, more),
    `reply.no_action_id`, `reply.no_rag` (action_id), `reply.bad_progress` (said).
    """

    code: str
    params: dict[str, Any]
    example: str  # a reply in the same grammar that would be accepted


def example_for(action_id: str | None, in_thread: bool = False) -> str:
    """A reply that would be accepted, for the given action (or a generic one)."""
    if in_thread:
        return f"amber 60% {EXAMPLE_NARRATIVE}"
    return f"{action_id or 'R3.2'} amber 60% {EXAMPLE_NARRATIVE}"


def _norm_words(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.strip().lower())


class _Reader:
    """Consumes the head of a reply from the left, one part at a time."""

    def __init__(self, text: str, ids: dict[str, str]) -> None:
        self.text = text
        self.pos = 0
        self.ids = ids
        # longest first, so R3.20 wins over R3.2 and "on track" over "on"
        self.id_keys = sorted(ids, key=len, reverse=True)
        self.rag_keys = sorted(RAG_WORDS, key=len, reverse=True)

    def skip_separators(self) -> None:
        while self.pos < len(self.text) and (
            re.match(_SEP, self.text[self.pos]) or self.text[self.pos] in _MARKUP
        ):
            if _EMOJI.match(self.text, self.pos):
                return  # an emoji's name is part of the text, not a colon before it
            self.pos += 1

    def rest(self) -> str:
        return self.text[self.pos:]

    def _ends_word(self, end: int) -> bool:
        """True when a word ending at `end` is not glued to more letters or digits."""
        if end >= len(self.text):
            return True
        nxt = self.text[end]
        if nxt.isalnum():
            return False
        # a dot followed by more of an id ("R3.2" inside "R3.2.1") does not end the word
        return not (nxt == "." and end + 1 < len(self.text) and self.text[end + 1].isalnum())

    def take_id(self) -> str | None:
        low = self.rest().lower()
        for key in self.id_keys:
            if low.startswith(key) and self._ends_word(self.pos + len(key)):
                self.pos += len(key)
                return self.ids[key]
        return None

    def take_rag(self) -> RAG | None:
        rest = self.rest()
        low = rest.lower()
        for key in self.rag_keys:
            # compare with runs of spaces/hyphens inside the phrase forgiven ("on-track", "at  risk")
            pattern = r"[\s\-]*".join(re.escape(w) for w in key.split(" "))
            m = re.match(pattern, low)
            if m and (not key[0].isalnum() or self._ends_word(self.pos + m.end())):
                self.pos += m.end()
                return RAG_WORDS[key]
        m = re.match(r"([garb])(?=$|[\s,;:|.!\-]*(?:$|\d{1,4}\s*%|[,;:|\-]))", low)
        if m:
            self.pos += 1
            return RAG_LETTERS[m.group(1)]
        return None

    def take_percent(self) -> tuple[float, str] | None:
        m = _PERCENT.match(self.rest())
        if m and (m.group(0).endswith("%") or self._ends_word(self.pos + m.end())):
            self.pos += m.end()
            return float(m.group(1)), m.group(0)
        return None

    def take_filler(self, id_wanted: bool) -> bool:
        """Skip a word like "RAG:" or "progress" only when a value follows it."""
        m = re.match(r"([a-z]+)(?=$|[\s:|=\-])", self.rest().lower())
        if not m or m.group(1) not in FILLER_WORDS:
            return False
        start = self.pos
        self.pos += m.end()
        self.skip_separators()
        while self.pos < len(self.text) and self.text[self.pos] == "=":
            self.pos += 1
        self.skip_separators()
        after = self.pos
        if (id_wanted and self.take_id()) or self.take_rag() or self.take_percent():
            self.pos = after  # the value itself is read by the caller
            return True
        self.pos = start
        return False

    def looks_like_id(self) -> str | None:
        """The first word, if it looks like an action id the plan does not know (e.g. R3.9)."""
        m = re.match(r"#?([A-Za-z]{0,4}\d+(?:[.\-/_]\w+)*[a-z]?)(?=$|[\s:,;.])", self.rest())
        return m.group(1) if m else None


def parse_reply(text: str, known_action_ids: Iterable[str],
                action_id: str | None = None) -> ParsedReply | ReplyProblem:
    """Read one plain-text update.

    Args:
        text: The message as a person typed it (the chat's markup already turned into plain text).
        known_action_ids: The plan's action ids, in the plan's own spelling.
        action_id: The action a prompt's thread is about; then the id may be left out.

    Returns:
        ParsedReply with the id in the plan's spelling, or ReplyProblem saying what was wrong
        with an example that works. Never raises.
    """
    ids = {str(i).lower(): str(i) for i in known_action_ids if str(i).strip()}
    in_thread = action_id is not None
    if action_id is not None:
        action_id = ids.get(action_id.lower(), action_id)
    reader = _Reader(text or "", ids)
    reader.skip_separators()
    if not reader.rest().strip():
        return ReplyProblem("reply.empty", {}, example_for(action_id or _first(ids), in_thread))

    found_id: str | None = None
    rag: RAG | None = None
    percent: tuple[float, str] | None = None
    # the head: id, RAG and percentage in any order, with filler words and separators between
    last = ""
    for _ in range(12):
        reader.skip_separators()
        start = reader.pos
        if found_id is None and (got := reader.take_id()) is not None:
            found_id, last = got, "id"
        elif (got_rag := reader.take_rag()) is not None:
            word = _norm_words(reader.text[start:reader.pos])
            if last == "percent" and word in COMPLETION_WORDS and percent and percent[0] < 100:
                reader.pos = start  # "60% done" describes the percentage; it is not Blue
                break
            if rag is not None and got_rag != rag:
                reader.pos = start  # "green red tape is the blocker": the narrative has begun
                break
            rag, last = got_rag, "rag"
        elif percent is None and (got_pc := reader.take_percent()) is not None:
            percent, last = got_pc, "percent"
        elif not reader.take_filler(found_id is None):
            break
        if reader.pos == start:  # nothing consumed: stop rather than loop
            break
    reader.skip_separators()
    narrative = re.sub(r"[ \t]+", " ", reader.rest()).strip()

    target = found_id or action_id
    example_id = target or _first(ids)
    if target is None:
        unknown = reader.looks_like_id() if rag is None else None
        if not ids:
            return ReplyProblem("reply.no_plan", {}, example_for(None))
        if unknown is not None:
            known = list(ids.values())
            return ReplyProblem("reply.unknown_action",
                                {"typed": unknown, "examples": known[:3], "more": len(known) > 3},
                                example_for(example_id))
        return ReplyProblem("reply.no_action_id", {}, example_for(example_id))
    if rag is None:
        return ReplyProblem("reply.no_rag", {"action_id": target},
                            example_for(target, in_thread and found_id is None))
    progress: int | None = None
    if percent is not None:
        value, said = percent
        if value > 100 or value != int(value):
            return ReplyProblem("reply.bad_progress", {"said": said.strip()},
                                example_for(target, in_thread and found_id is None))
        progress = int(value)
    return ParsedReply(action_id=target, rag=rag, progress=progress, narrative=narrative)


def _first(ids: dict[str, str]) -> str | None:
    return next(iter(ids.values()), None)
