"""Making user text safe for Slack mrkdwn, and keeping text inside Slack's limits."""

from __future__ import annotations

SECTION_LIMIT = 3000  # characters in a section block's text
HEADER_LIMIT = 150  # characters in a header block
PLAIN_OPTION_LIMIT = 75  # characters in an option's text
BUTTON_LIMIT = 75


def escape(text: str | None) -> str:
    """Escape &, < and > as Slack asks, so `<!channel>` or `<https://x|y>` in user text is inert."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int, marker: str = "…") -> str:
    """Shorten text to `limit` characters, visibly (never silently)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))] + marker


def chunk_lines(lines: list[str], limit: int = SECTION_LIMIT) -> list[str]:
    """Join lines into pieces each within `limit` characters, splitting only at line ends
    (a single over-long line is split at the limit)."""
    pieces: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
