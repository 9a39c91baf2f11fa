"""How a recommendation rolls up from its actions: its position, RAG, progress and one line for Gold.

The rules, in order (the README says the same under "How a recommendation rolls up"):

1. **Complete** when every action is embedded or superseded (shown Blue).
2. **Delivered** when every action is delivered (signed off by Gold), embedded or superseded, but
   not all are embedded yet (shown Blue, not complete).
3. **Overdue** when its due date has passed and any action is not delivered: shown **Red**,
   whatever its actions say.
4. **Not started** when no action has an update and none has been delivered.
5. Otherwise the **worst** of its open actions, where an action with no update counts as Amber
   (nobody has said it is on track), a Green kept for too long by clicks with no words (unverified)
   as Amber too (nobody has said in words that it is), an overdue action as Red, and one its owner
   reported Blue (complete, not yet signed off) as Green. So it is Green only when every open
   action's latest update says Green, none is unverified and none is overdue.

Progress is the mean over all its actions, 0 % included: delivered, embedded and superseded ones
count 100 %, an open action its latest progress (none yet: 0 %).
"""

from __future__ import annotations

from datetime import date

from ncpi_core.domain.deadlines import recommendation_overdue
from ncpi_core.domain.models import RAG, ActionStatus
from ncpi_core.domain.summaries.model import BUCKET_ORDER, RAG_SEVERITY, ActionLine, RollUp

ROLLUP_RAG = {RollUp.COMPLETE: RAG.BLUE, RollUp.DELIVERED: RAG.BLUE, RollUp.OVERDUE: RAG.RED,
              RollUp.NOT_STARTED: None, RollUp.RED: RAG.RED, RollUp.AMBER: RAG.AMBER, RollUp.GREEN: RAG.GREEN}


def counted_as(a: ActionLine) -> RAG:
    """What an open action counts as in its recommendation's roll-up (rule 5)."""
    if a.overdue:
        return RAG.RED
    if a.rag is None or (a.rag == RAG.GREEN and a.unverified is not None):
        return RAG.AMBER
    return RAG.GREEN if a.rag == RAG.BLUE else a.rag


def rollup(actions: list[ActionLine], due: date, today: date) -> RollUp:
    """The recommendation's position (rules 1 to 5 above)."""
    if not actions:
        return RollUp.NOT_STARTED
    if all(a.is_done for a in actions):
        return RollUp.COMPLETE
    if all(a.is_closed for a in actions):
        return RollUp.DELIVERED
    if recommendation_overdue(due, [a.status for a in actions], today):
        return RollUp.OVERDUE
    open_ = [a for a in actions if not a.is_closed]
    if all(a.rag is None for a in open_) and not any(a.is_delivered for a in actions):
        return RollUp.NOT_STARTED
    worst = max((counted_as(a) for a in open_), key=lambda r: RAG_SEVERITY[r])
    return RollUp(worst.value)


def progress_of(a: ActionLine) -> int:
    if a.is_closed:
        return 100
    return a.progress or 0


def progress(actions: list[ActionLine]) -> int:
    """The mean progress of the actions (0 for none), delivered ones counting 100 %."""
    return round(sum(progress_of(a) for a in actions) / len(actions)) if actions else 0


def counts(actions: list[ActionLine]) -> dict[str, int]:
    out = {b.value: 0 for b in BUCKET_ORDER}
    for a in actions:
        out[a.bucket.value] += 1
    return out


def position(actions: list[ActionLine], state: RollUp) -> str:
    """One line for Gold: how many actions stand where, and what awaits whom."""
    open_ = [a for a in actions if not a.is_closed]
    by_status = {s: sum(1 for a in actions if a.status == s) for s in ActionStatus}
    if state is RollUp.COMPLETE:
        done = ((by_status[ActionStatus.EMBEDDED], "embedded"), (by_status[ActionStatus.SUPERSEDED], "superseded"))
        return "complete: " + ", ".join(f"{k} {w}" for k, w in done if k)
    said = {rag: sum(1 for a in open_ if a.rag == rag) for rag in RAG}
    parts = [(said[RAG.RED], "red"), (said[RAG.AMBER], "amber"), (said[RAG.GREEN], "green"),
             (said[RAG.BLUE], "reported complete"), (sum(1 for a in open_ if a.rag is None), "not started"),
             (by_status[ActionStatus.CLOSED], "delivered"), (by_status[ActionStatus.EMBEDDED], "embedded"),
             (by_status[ActionStatus.SUPERSEDED], "superseded"),
             (sum(1 for a in open_ if a.unverified is not None), "unverified"),
             (sum(1 for a in actions if a.overdue), "overdue"),
             (by_status[ActionStatus.ACCEPTED], "awaiting sign-off"),
             (by_status[ActionStatus.PROPOSED], "awaiting review")]
    head = "delivered, to be embedded: " if state is RollUp.DELIVERED else ""
    return head + ", ".join(f"{k} {w}" for k, w in parts if k)
