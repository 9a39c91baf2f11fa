"""Reading a Gold decision as typed: the decision, then its rationale after "because" (or "rationale:").

`decision R7 fund the screening tool from the reserve because procurement slipped to July` is
(decision "fund the screening tool from the reserve", rationale "procurement slipped to July").
The first marker splits; the rest of the text, markers and all, is the rationale.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"(?:^|\s+|[,;:.—–-]\s*)(?:because|rationale\s*:|reason\s*:)\s*", re.IGNORECASE)


def split_rationale(text: str) -> tuple[str, str]:
    """(decision, rationale) from one line of text; the rationale is "" when no marker is found."""
    text = (text or "").strip()
    m = _MARKER.search(text)
    if m is None:
        return text, ""
    return text[:m.start()].strip(), text[m.end():].strip()
