"""The preview behind `ncpi schedule`: what the bot would send in a window if nobody replied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.calendar import local_to_utc, meetings_between
from ncpi_core.domain.clocks import plan_clocks
from ncpi_core.domain.deliveries import LOOKAHEAD, LOOKBACK, Facts, derive_owed
from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient, Sent


@dataclass(frozen=True)
class Planned:
    """One line of the preview: a meeting, or deliveries of one kind to one recipient at one moment."""

    at: datetime
    kind: str  # "meeting", "clock" (one of the plan's clocks, on its day) or a Kind value
    meeting: str
    to: str  # person id; a body ("silver", "gold") for a meeting or a channel post; a clock's kind
    action_ids: tuple[str, ...] = ()
    conditional: bool = False  # nudges and escalations happen only if nobody replies
    recipient: Recipient | None = None  # None for a meeting


def preview(config: ForceConfig, facts: Facts, start: datetime, end: datetime, platform: str) -> list[Planned]:
    """What the bot would send on `platform` between `start` and `end` if nobody replied (sends nothing).

    Runs the same derivation as the tick, pretending each prompt and nudge went out when due, so
    the preview cannot drift from what is really sent.
    """
    meetings = meetings_between(config, start - LOOKBACK, end + LOOKAHEAD)
    ledger: dict[str, Sent] = {}
    owed: dict[str, Owed] = {}
    sim = Facts(actions=facts.actions, people=facts.people, latest={}, absences=facts.absences, ledger=ledger,
                published=facts.published)
    for _ in range(config.timings.escalate_to_silver_chair_after_nudges + 2):
        for o in derive_owed(config, sim, end, platform, meetings):
            owed.setdefault(o.key, o)
            if o.kind in (Kind.PROMPT, Kind.NUDGE) and o.key not in ledger:
                ledger[o.key] = Sent(o.key, "sent", o.person, o.due_at, MessageRef("preview", "0"))
    out = [Planned(m.starts_at, "meeting", m.key, m.body.value) for m in meetings
           if start <= m.starts_at <= end]
    out += [Planned(at, "clock", "", c.kind.value) for c in plan_clocks(facts.published)
            if start <= (at := local_to_utc(c.due, time(0), config.tz)) <= end]
    grouped: dict[tuple[datetime, str, str, Recipient], list[str]] = {}
    for o in owed.values():
        if start <= o.due_at <= end:
            ids = grouped.setdefault((o.due_at, o.kind.value, o.meeting or "", o.recipient), [])
            if o.action_id:
                ids.append(o.action_id)
            ids += [m["action_id"] for m in o.payload.get("missing", [])]
            ids += o.payload.get("action_ids", [])
    for (at, kind, meeting, recipient), ids in grouped.items():
        to = recipient.person if recipient.person is not None else str(recipient.body)
        out.append(Planned(at, kind, meeting, to, tuple(ids), kind in (Kind.NUDGE, Kind.ESCALATION),
                           recipient))
    order = {"meeting": 9, "clock": 8}
    return sorted(out, key=lambda p: (p.at, order.get(p.kind, 0), p.kind, p.to))
