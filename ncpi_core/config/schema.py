"""The two hand-written files: `ncpi.yaml` (force, people, channels, meetings, timings) and `action_plan.yaml`."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from ncpi_core.config.yamlfile import YamlDoc, problems_from_pydantic, read_yaml
from ncpi_core.domain.models import Body, Category, ItemType, Person, PlanInfo, Role
from ncpi_core.errors import Problem, ValidationFailed

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"


def _time_of(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 10:00 as the base-60 integer 600; read it back as a time.
    if isinstance(value, int) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


LocalTime = Annotated[time, BeforeValidator(_time_of)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ncpi.yaml names a person's chat accounts with one key per platform; the core keeps them as
# opaque strings under the platform's name and never reads their format (each front end's
# `ncpi check` does). These keys, and a bare channel id meaning the first platform's channel,
# are the only places the core names a platform: the file format predates the others.
IDENTITY_KEYS = {"slack_user": "slack", "teams_user": "teams"}
FIRST_PLATFORM = "slack"


class PersonConfig(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    slack_user: str | None = Field(default=None, min_length=1)
    teams_user: str | None = Field(default=None, min_length=1)
    roles: list[Role] = Field(min_length=1)

    def identities(self) -> dict[str, str]:
        """Platform name -> this person's id there."""
        return {platform: value for key, platform in IDENTITY_KEYS.items()
                if (value := getattr(self, key)) is not None}

    def to_person(self) -> Person:
        return Person(id=self.id, name=self.name, roles=frozenset(self.roles), identities=self.identities())


def _channel_addresses(value: Any) -> Any:
    # `silver: C0SILVER01` (the first platform's channel, as ncpi.yaml has always said) or
    # `silver: {slack: C0SILVER01, teams: "19:…@thread.tacv2"}`
    if isinstance(value, str):
        return {FIRST_PLATFORM: value}
    return value


ChannelAddresses = Annotated[dict[str, Annotated[str, Field(min_length=1)]], BeforeValidator(_channel_addresses)]


class SummaryPosts(_Strict):
    """More conversations where a person may share a summary on demand, by level (opaque addresses
    of any platform); the body's own channel always may."""

    silver: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    gold: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)


class Channels(_Strict):
    """Where each body's summaries are posted, per platform (opaque addresses)."""

    silver: ChannelAddresses
    gold: ChannelAddresses
    summary_posts: SummaryPosts = Field(default_factory=SummaryPosts)

    def address(self, body: Body | str, platform: str) -> str | None:
        return (self.silver if Body(body) == Body.SILVER else self.gold).get(platform)


class RecurringMeeting(_Strict):
    rrule: str
    start: date
    until: date | None = None
    time: LocalTime

    @field_validator("rrule")
    @classmethod
    def _valid_rrule(cls, v: str) -> str:
        from dateutil.rrule import rrulestr

        try:
            rrulestr(v.removeprefix("RRULE:"), dtstart=None)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"not an RFC 5545 rule ({exc}); for example FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"
            ) from None
        return v.removeprefix("RRULE:")


class ExtraMeeting(_Strict):
    body: Body
    date: date
    time: LocalTime


class CancelledMeeting(_Strict):
    body: Body
    date: date


class Meetings(_Strict):
    gold: list[RecurringMeeting] = Field(default_factory=list)
    silver: list[RecurringMeeting] = Field(default_factory=list)
    extra: list[ExtraMeeting] = Field(default_factory=list)
    cancelled: list[CancelledMeeting] = Field(default_factory=list)


BANK_HOLIDAY_REGIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR", "none": ""}


class Timings(_Strict):
    prompt_working_days_before_silver: int = Field(default=5, ge=0, le=60)
    nudge_after_working_days: int = Field(default=2, ge=1, le=30)
    escalate_to_silver_chair_after_nudges: int = Field(default=1, ge=1, le=10)
    gold_reminder_working_days_before: int = Field(default=5, ge=0, le=60)
    gold_summary_working_days_before: int = Field(default=1, ge=0, le=30)
    silver_summary_hours_before: int = Field(default=2, ge=0, le=240)
    send_time: LocalTime = time(9, 0)
    bank_holidays: str = "england-and-wales"
    # the plan's clocks (six-week action plan, 56-day PCC response): reminders this many working days before
    clock_reminder_working_days_before: int = Field(default=5, ge=0, le=60)
    # a Green kept by updates with no words for more than this many cycles is marked unverified
    unverified_green_after_cycles: int = Field(default=1, ge=0, le=52)
    # a delivered action may be made embedded this many days after Gold signed it off
    demonstration_period_days: int = Field(default=90, ge=0, le=730)

    @field_validator("bank_holidays")
    @classmethod
    def _known_region(cls, v: str) -> str:
        if v not in BANK_HOLIDAY_REGIONS:
            raise ValueError(f"unknown calendar '{v}'; use one of {', '.join(BANK_HOLIDAY_REGIONS)}")
        return v


class ForceConfig(_Strict):
    """`config/ncpi.yaml`."""

    force: str = Field(min_length=1)
    timezone: str = "Europe/London"
    channels: Channels
    people: list[PersonConfig] = Field(min_length=1)
    meetings: Meetings = Field(default_factory=Meetings)
    timings: Timings = Field(default_factory=Timings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{v}'; for example Europe/London") from None
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def persons(self) -> list[Person]:
        return [p.to_person() for p in self.people]

    def person(self, person_id: str) -> Person | None:
        for p in self.people:
            if p.id == person_id:
                return p.to_person()
        return None

    def person_by_identity(self, platform: str, value: str) -> Person | None:
        """The person whose id on `platform` is `value` (the edge resolves an actor once)."""
        for p in self.people:
            if p.identities().get(platform) == value:
                return p.to_person()
        return None

    def holders(self, role: Role) -> list[Person]:
        """Everyone with `role`, in file order."""
        return [p.to_person() for p in self.people if role in p.roles]

    def channel(self, body: Body | str, platform: str) -> str | None:
        """The address of a body's channel on `platform` (None: not configured there)."""
        return self.channels.address(body, platform)


class ActionIn(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    deputy: str | None = None
    due: date


class RecommendationIn(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    text: str = ""
    category: Category
    due: date
    # optional: a plan holding several reports names each item's report (a short id: NCPI, VSA, PEEL)
    # and its type; a plan of one report needs neither
    report: str = Field(default="", pattern=r"^$|" + ID_PATTERN, max_length=32)
    type: ItemType = ItemType.RECOMMENDATION
    # plain English the administrator marks publishable: the public and PCC packs print it
    public_summary: str = ""
    actions: list[ActionIn] = Field(min_length=1)


class PlanFile(_Strict):
    """`config/action_plan.yaml`."""

    plan: PlanInfo
    recommendations: list[RecommendationIn] = Field(min_length=1)


def _validate(model: type[BaseModel], doc: YamlDoc) -> Any:
    if not isinstance(doc.data, dict):
        raise ValidationFailed([Problem(doc.name, 1, "", "expected a mapping of fields at the top of the file")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from_pydantic(doc, exc)) from None


def _duplicates(doc: YamlDoc, items: list[tuple[str, tuple[str | int, ...]]], what: str) -> list[Problem]:
    seen: dict[str, tuple[str | int, ...]] = {}
    problems = []
    for value, path in items:
        if value in seen:
            first = doc.line_of(seen[value])
            problems.append(
                Problem(doc.name, doc.line_of(path), ".".join(map(str, path)),
                        f"duplicate {what} '{value}' (first used on line {first}); each must be unique")
            )
        else:
            seen[value] = path
    return problems


def parse_force_config(doc: YamlDoc) -> ForceConfig:
    """Validate a parsed `ncpi.yaml`; raise ValidationFailed naming every problem."""
    cfg: ForceConfig = _validate(ForceConfig, doc)
    problems = _duplicates(doc, [(p.id, ("people", i, "id")) for i, p in enumerate(cfg.people)], "person id")
    for key in IDENTITY_KEYS:
        problems += _duplicates(
            doc, [(v, ("people", i, key)) for i, p in enumerate(cfg.people) if (v := getattr(p, key))],
            f"{key} id")
    for i, m in enumerate(cfg.meetings.gold + cfg.meetings.silver):
        if m.until is not None and m.until < m.start:
            body = "gold" if i < len(cfg.meetings.gold) else "silver"
            j = i if body == "gold" else i - len(cfg.meetings.gold)
            problems.append(Problem(doc.name, doc.line_of(("meetings", body, j, "until")),
                                    f"meetings.{body}.{j}.until", "'until' is before 'start'"))
    if problems:
        raise ValidationFailed(problems)
    return cfg


def _raw_plan_checks(doc: YamlDoc, config: ForceConfig | None) -> list[Problem]:
    """Duplicate ids and unknown people, read from the raw data so they are reported
    even when other fields fail validation (one run shows every problem)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    raw_recs = data.get("recommendations")
    recs: list[Any] = raw_recs if isinstance(raw_recs, list) else []
    ids: list[tuple[str, tuple[str | int, ...]]] = []
    people_refs: list[tuple[str, tuple[str | int, ...]]] = []
    for i, r in enumerate(recs):
        if not isinstance(r, dict):
            continue
        if isinstance(r.get("id"), str | int):
            ids.append((str(r["id"]), ("recommendations", i, "id")))
        raw_actions = r.get("actions")
        actions: list[Any] = raw_actions if isinstance(raw_actions, list) else []
        for j, a in enumerate(actions):
            if not isinstance(a, dict):
                continue
            if isinstance(a.get("id"), str | int):
                ids.append((str(a["id"]), ("recommendations", i, "actions", j, "id")))
            for fld in ("owner", "deputy"):
                if isinstance(a.get(fld), str):
                    people_refs.append((a[fld], ("recommendations", i, "actions", j, fld)))
    problems = _duplicates(doc, ids, "id")
    if config is not None:
        known = {p.id: p for p in config.people}
        for who, path in people_refs:
            if who not in known:
                problems.append(Problem(doc.name, doc.line_of(path), ".".join(map(str, path)),
                                        f"'{who}' is not one of the people in ncpi.yaml ({_sample(set(known))})"))
            elif known[who].to_person().read_only:
                roles = " and ".join(r.value for r in known[who].roles)
                problems.append(Problem(doc.name, doc.line_of(path), ".".join(map(str, path)),
                                        f"'{who}' is {roles} only in ncpi.yaml: they read the plan but never "
                                        "own or cover an action (give the action to a Bronze lead)"))
    return problems


def parse_plan_file(doc: YamlDoc, config: ForceConfig | None) -> PlanFile:
    """Validate a parsed `action_plan.yaml` against the people of `config`; every problem is named."""
    problems = _raw_plan_checks(doc, config)
    try:
        plan: PlanFile = _validate(PlanFile, doc)
    except ValidationFailed as exc:
        problems = exc.problems + problems
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: (p.line or 0, p.field)))
    return plan


def _sample(ids: set[str]) -> str:
    names = sorted(ids)
    return ", ".join(names[:8]) + (", …" if len(names) > 8 else "")


def load_force_config(path: Path) -> ForceConfig:
    return parse_force_config(read_yaml(path))


def load_plan_file(path: Path, config: ForceConfig | None) -> PlanFile:
    return parse_plan_file(read_yaml(path), config)


ACTION_ID_RE = re.compile(ID_PATTERN)
