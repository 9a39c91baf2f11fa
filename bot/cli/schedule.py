"""`ncpi schedule` (a preview, sends nothing), `ncpi next`, and `ncpi tick` (send what is due, once)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.bootstrap import Core, build_core, build_slack_sender, build_teams_sender
from ncpi_core.config.schema import FIRST_PLATFORM, load_plan_file
from ncpi_core.domain.calendar import cycle_opening
from ncpi_core.domain.calendar import next_meetings as upcoming
from ncpi_core.domain.clocks import ClockKind, running_clocks
from ncpi_core.domain.deliveries import (
    Facts,
    clock_reminder_due,
    gold_deadline,
    working_days_before,
)
from ncpi_core.domain.models import Action, Body, Meeting
from ncpi_core.domain.preview import Planned, preview
from ncpi_core.errors import InvalidInput, NcpiError
from ncpi_core.ports import DeliveryPort
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.reports.common import CLOCK_LABEL, clock_line
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.ledger.dry_run import would_send
from ncpi_core.usecases.ledger.record import read_facts

# The preview shows what goes out on the platform ncpi.yaml's bare ids and channels are for.
PREVIEW_PLATFORM = FIRST_PLATFORM

KIND_LABEL = {
    "meeting": "MEETING", "prompt": "prompt", "nudge": "nudge (if no update)",
    "escalation": "escalation (if still none)", "silver_summary": "Silver summary post",
    "gold_reminder": "Gold reminder", "gold_summary": "Gold summary post",
    "clock": "PLAN CLOCK", "clock_reminder": "plan clock reminder", "challenge": "challenge (to its owner)",
}


def parse_when(value: str | None, tz: ZoneInfo, default: datetime) -> datetime:
    """An ISO date or date-time; without a zone it is the force's local time."""
    if not value:
        return default
    try:
        dt = datetime.fromisoformat(value) if "T" in value or " " in value else \
            datetime.combine(date.fromisoformat(value), time(0))
    except ValueError:
        raise InvalidInput("when.unreadable", typed=value) from None
    return (dt if dt.tzinfo else dt.replace(tzinfo=tz)).astimezone(UTC)


def _missing_sqlite_file(url: str) -> bool:
    """A SQLite URL (`sqlite:///ncpi.db`) whose file does not exist: opening it would create it."""
    scheme, sep, rest = url.partition(":///")
    name = rest.split("?", 1)[0]
    return bool(sep) and scheme.split("+")[0] == "sqlite" and name not in ("", ":memory:") and not Path(name).exists()


def _facts(core: Core) -> Facts:
    """The plan from the database, or from the plan file when none is loaded (no chat platform needed)."""
    try:
        if not _missing_sqlite_file(core.settings.database_url):  # a preview never creates a file
            with core.uow() as uow:
                facts = read_facts(uow, core.config, [])
            if facts.actions:
                return facts
    except NcpiError:  # the database is not there or has no schema yet: preview from the files
        pass
    plan = load_plan_file(core.settings.plan_file, core.config)
    actions = [Action(id=a.id, recommendation_id=r.id, title=a.title, owner=a.owner, deputy=a.deputy,
                      due=a.due, original_due=a.due) for r in plan.recommendations for a in r.actions]
    return Facts(actions=actions, people={p.id: p for p in core.config.persons()}, latest={},
                 published=plan.plan.published)


def _who(core: Core, p: Planned) -> str:
    if p.kind in ("meeting", "clock") or p.recipient is None:
        return ""
    if p.recipient.body is not None:
        return f"#{p.recipient.body}"
    person = core.config.person(p.to)
    return person.name if person else p.to


def _to(core: Core, p: Planned) -> str:
    """What `--format json` has always said: a person's id, a body's channel id, a meeting's body."""
    if p.recipient is not None and p.recipient.body is not None:
        return core.config.channel(p.recipient.body, PREVIEW_PLATFORM) or p.to
    return p.to


def _what(p: Planned) -> str:
    ids = list(dict.fromkeys(p.action_ids))
    if p.kind == "meeting":
        return f"{p.to.title()} meeting"
    if p.kind == "clock":
        return CLOCK_LABEL[ClockKind(p.to)]
    if not ids:
        return ""
    shown = ", ".join(ids[:8]) + (f" (+{len(ids) - 8} more)" if len(ids) > 8 else "")
    return f"{len(ids)} action(s): {shown}"


def schedule(args: argparse.Namespace) -> int:
    core = build_core()
    tz = core.tz
    start = parse_when(args.from_, tz, datetime.combine(core.today(), time(0), tzinfo=tz).astimezone(UTC))
    end = parse_when(args.to, tz, start + timedelta(weeks=6))
    if args.to and "T" not in args.to:
        end += timedelta(days=1) - timedelta(seconds=1)  # --to is inclusive of its day
    if end < start:
        raise InvalidInput("when.reversed")
    items = preview(core.config, _facts(core), start, end, PREVIEW_PLATFORM)
    if args.format == "json":
        print(json.dumps([{"at": p.at.isoformat(), "local": p.at.astimezone(tz).isoformat(), "kind": p.kind,
                           "meeting": p.meeting, "to": _to(core, p), "who": _who(core, p),
                           "actions": list(dict.fromkeys(p.action_ids)), "conditional": p.conditional}
                          for p in items], indent=2))
        return 0
    print(f"What ncpi will send, {start.astimezone(tz):%a %d %b %Y} to {end.astimezone(tz):%a %d %b %Y} "
          f"({core.config.timezone}); nudges and escalations only if no update arrives. Sends nothing.")
    for p in items:
        local = p.at.astimezone(tz)
        when = f"{local:%a %d %b %Y} (day)" if p.kind == "clock" else f"{local:%a %d %b %Y %H:%M}"
        line = f"{when}  {KIND_LABEL.get(p.kind, p.kind):<27} {_who(core, p):<36} {_what(p)}"
        big = p.kind in ("meeting", "clock")
        print(("\n" if big else "") + line.rstrip() + ("\n" if big else ""))
    return 0


def deadlines(core: Core, m: Meeting) -> list[tuple[str, datetime]]:
    t = core.config.timings
    if m.body == Body.SILVER:
        return [("prompts go out", cycle_opening(m, core.config)),
                ("updates by (Silver summary posted)", m.starts_at - timedelta(hours=t.silver_summary_hours_before))]
    return [("Gold reminders go out", working_days_before(m, t.gold_reminder_working_days_before, core.config)),
            ("updates by (Gold summary posted)", gold_deadline(m, core.config))]


def next_lines(core: Core, now: datetime, count: int = 4) -> list[str]:
    tz = core.tz
    lines = []
    for m in upcoming(core.config, now, count=count):
        lines.append(f"{m.body.value.title()} — {m.starts_at.astimezone(tz):%a %d %b %Y %H:%M}")
        for label, at in deadlines(core, m):
            flag = " (done)" if at <= now else ""
            lines.append(f"    {label}: {at.astimezone(tz):%a %d %b %H:%M}{flag}")
    lines = lines or ["No meetings in the next year: check `meetings` in ncpi.yaml."]
    return lines + clock_lines(core, now)


def clock_lines(core: Core, now: datetime) -> list[str]:
    """The plan's clocks not yet passed, each with when its reminder goes (none: no publication date)."""
    today = now.astimezone(core.tz).date()
    clocks = running_clocks(_facts(core).published, today)
    lines = ["Plan clocks (from the report's publication)"] if clocks else []
    for c in clocks:
        remind = clock_reminder_due(c, core.config)
        flag = " (sent)" if remind <= now else ""
        lines.append(f"    {clock_line(c, today)}")
        lines.append(f"        reminder to the Gold chair and administrators: "
                     f"{remind.astimezone(core.tz):%a %d %b %H:%M}{flag}")
    return lines


def next_meetings(args: argparse.Namespace) -> int:
    core = build_core()
    now = parse_when(getattr(args, "now", None), core.tz, core.now())
    print("\n".join(next_lines(core, now)))
    return 0


# `ncpi tick --now` a little ahead of the clock is a clock skew, not a time travel
FUTURE_TOLERANCE = timedelta(minutes=1)


def tick(args: argparse.Namespace) -> int:
    """Send what is due now, once; `--dry-run` prints it instead; a future `--now` needs `--force`."""
    core = build_core()
    dry_run, force = getattr(args, "dry_run", False), getattr(args, "force", False)
    sender: DeliveryPort | None = None
    if dry_run:
        pass
    elif getattr(args, "platform", "slack") == "teams":
        sender = build_teams_sender(core)  # the Azure Bot's credentials checked before anything is read
    else:
        sender = build_slack_sender(core)  # SLACK_BOT_TOKEN checked before anything is read
    real_now = core.now()
    now = parse_when(args.now, core.tz, real_now)
    if now > real_now + FUTURE_TOLERANCE and not (dry_run or force):
        # sending now what is only owed then would surprise everyone who gets it
        raise InvalidInput("tick.future", when=f"{now.astimezone(core.tz):%a %d %b %Y %H:%M}",
                           now=f"{real_now.astimezone(core.tz):%a %d %b %Y %H:%M}")
    if sender is None:
        return _dry_run(core, now, getattr(args, "platform", PREVIEW_PLATFORM))
    result = run_tick(core.uow, core.config, sender, now, draw_chart=render_chart_png)
    print(" ".join(f"{k}={v}" for k, v in result.as_dict().items()))
    return 0


def _dry_run(core: Core, now: datetime, platform: str = PREVIEW_PLATFORM) -> int:
    """Print what a tick at `now` would send (on `platform`); nothing is sent or recorded."""
    tz = core.tz
    items = would_send(core.uow, core.config, platform, now)
    print(f"Dry run at {now.astimezone(tz):%a %d %b %Y %H:%M} ({core.config.timezone}): "
          f"{len(items)} message(s) would be sent; nothing is sent or recorded.")
    for o in items:
        if o.recipient.body is not None:
            who = f"#{o.recipient.body}"
        else:
            person = core.config.person(o.recipient.person or "")
            who = person.name if person else str(o.recipient)
        what = o.action_id or o.meeting or ""
        print(f"{o.due_at.astimezone(tz):%a %d %b %H:%M}  {o.kind.value:<16} {who:<36} {what}".rstrip())
    return 0
