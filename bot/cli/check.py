"""`ncpi check`: configuration, plan, database and (with a token) Slack — each problem on one line with its fix."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import copy
from bot.settings import Settings
from bot.slack.gateway import build_web_client
from bot.slack.ids import PLATFORM, id_problems, is_channel_id, is_user_id
from bot.teams.ids import id_problems as teams_id_problems
from ncpi_core.config.schema import ForceConfig, load_plan_file, parse_force_config
from ncpi_core.config.yamlfile import read_yaml
from ncpi_core.domain.calendar import WorkingDays, meetings_between
from ncpi_core.domain.deadlines import late_actions
from ncpi_core.domain.models import Body
from ncpi_core.errors import NcpiError, ValidationFailed
from ncpi_core.storage.errors import parse_url, safe_url
from ncpi_core.storage.health import probe_url
from ncpi_core.usecases.plan import LoadReport

# what each part of ncpi needs; see config/slack_manifest.yaml
REQUIRED_SCOPES = {
    "chat:write": "post prompts, summaries and answers",
    "commands": "the /ncpi command",
    "im:history": "read the Bronze leads' DM replies",
    "im:write": "open DMs with the Bronze leads",
    "users:read": "check each person's Slack id",
    "channels:read": "check the bot is in the Silver and Gold channels",
    "channels:history": "see which parts of a long summary are already posted, so none goes twice",
    "files:write": "attach the chart and long summaries",
}

Line = tuple[bool | None, str]  # passed (True), a warning (None) or a problem (False), and what to say


class MalformedAnswer(Exception):
    """Slack (or whatever answers at SLACK_API_URL) gave an answer not in the documented shape."""


def _part(answer: object, key: str) -> dict[str, Any]:
    """`answer[key]` when it is a JSON object, as Slack documents; else `MalformedAnswer`."""
    try:
        part = answer.get(key)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        part = None
    if not isinstance(part, dict):
        raise MalformedAnswer(key)
    return part


def _malformed(method: str, what: str) -> str:
    return (f"Slack: the answer to {method} had no {what} in the shape Slack documents: check that "
            "SLACK_API_URL is Slack's Web API (or a proxy that passes its answers whole), then run "
            "`ncpi check` again")


def _load_config(settings: Settings, platform: str = PLATFORM) -> tuple[ForceConfig | None, list[Line]]:
    """ncpi.yaml as the bot reads it, with the Slack (or Teams) id formats the core does not check."""
    try:
        doc = read_yaml(settings.config_file)
        config = parse_force_config(doc)
    except ValidationFailed as exc:
        problems: list[Line] = [(False, str(p)) for p in exc.problems]
        if not settings.config_file.exists():  # say where ncpi looked, and how to point it elsewhere
            problems[0] = (False, f"{problems[0][1]}: ncpi reads ncpi.yaml and action_plan.yaml from "
                               f"{settings.config_file.parent}/ (NCPI_CONFIG_DIR; default config/ in the current "
                               "folder): run ncpi where config/ is, or set NCPI_CONFIG_DIR to their folder")
        return None, problems
    lines: list[Line] = [(True, f"{settings.config_file}: {config.force}, {len(config.people)} people")]
    if platform == "teams":
        lines += [(False, str(p)) for p in teams_id_problems(config, doc)]
        lines += [(None, f"{p.id} ({p.name}) has no teams_user in {settings.config_file}: ncpi cannot reach them "
                         "in Teams") for p in config.people if p.teams_user is None]
        return config, lines
    lines += [(False, str(p)) for p in id_problems(config, doc)]
    lines += [(None, f"{p.id} ({p.name}) has no slack_user in {settings.config_file}: ncpi cannot reach them "
                     "in Slack") for p in config.people if p.slack_user is None]
    return config, lines


def _config_checks(settings: Settings, config: ForceConfig) -> Iterator[Line]:
    try:
        plan = load_plan_file(settings.plan_file, config)
    except ValidationFailed as exc:
        for p in exc.problems:
            yield False, str(p)
    else:
        acts = sum(len(r.actions) for r in plan.recommendations)
        yield True, f"{settings.plan_file}: {len(plan.recommendations)} recommendations, {acts} actions"
        late = late_actions((r.id, r.due, [(a.id, a.due) for a in r.actions]) for r in plan.recommendations)
        for line in LoadReport(late=late).warnings():
            yield None, f"{settings.plan_file}: {line.removeprefix('warning: ')}"
    yield from _meeting_checks(config)


def _meeting_checks(config: ForceConfig) -> Iterator[Line]:
    now = datetime.now(UTC)
    meetings = meetings_between(config, now - timedelta(days=30), now + timedelta(days=365))
    wd = WorkingDays(config.timings.bank_holidays)
    for m in meetings:
        local = m.starts_at.astimezone(config.tz)
        if not wd.is_working(local.date()):
            yield None, (f"{m.body.value} meeting on {local:%a %d %b %Y} falls on a weekend or bank holiday: "
                         f"add it to meetings.cancelled and move it with meetings.extra")
    if not meetings:
        yield False, "no meetings in the next year: add rules under meetings.gold and meetings.silver"


def _database_checks(settings: Settings) -> Iterator[Line]:
    url = safe_url(settings.database_url)
    try:
        parse_url(settings.database_url)  # readable, supported, its driver and folder there
    except NcpiError as exc:
        yield False, f"database: {copy.error_text(exc, copy.CLI)}"
        return
    health = probe_url(settings.database_url)
    if not health.answering:
        yield False, f"database {url}: cannot connect ({health.problem}); check NCPI_DATABASE_URL"
    elif not health.migrated:
        yield False, (f"database {url}: schema at {health.revision or 'empty'}, code expects {health.head}: "
                      "run `ncpi db upgrade`")
    elif not health.writable:
        yield False, (f"database {url}: answers but cannot be written ({health.problem}): point "
                      "NCPI_DATABASE_URL at the primary, writable database and check its permissions")
    else:
        yield True, f"database {url}: schema up to date ({health.head})"


def _slack_checks(settings: Settings, config: ForceConfig | None) -> Iterator[Line]:
    try:
        token = settings.bot_token()
    except NcpiError as exc:
        yield False, copy.error_text(exc, copy.CLI)
        return
    client = build_web_client(token, settings.api_url(), timeout=10, max_retries=2)
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        yield False, (f"Slack refused the bot token ({exc.response.get('error')}): copy the Bot User OAuth "
                      "Token again and reinstall the app if its scopes changed")
        return
    except Exception as exc:  # noqa: BLE001 - any network failure is one line for the user
        yield False, f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__}); check SLACK_API_URL"
        return
    team, user = auth.get("team"), auth.get("user")
    if not isinstance(team, str) or not isinstance(user, str):
        yield False, _malformed("auth.test", "team and user names")
        return
    yield True, f"Slack: connected to {team} as {user}"
    headers = auth.headers if isinstance(auth.headers, dict) else {}
    scopes = headers.get("x-oauth-scopes") or headers.get("X-OAuth-Scopes") or ""
    granted = {s.strip() for s in str(scopes).split(",") if s.strip()}
    if granted:
        for scope, why in REQUIRED_SCOPES.items():
            if scope not in granted:
                yield False, (f"Slack: the bot lacks the {scope} scope (to {why}): add it under "
                              "OAuth & Permissions and reinstall the app")
    if config is not None:
        yield from _workspace_checks(client, config)


def _workspace_checks(client: WebClient, config: ForceConfig) -> Iterator[Line]:
    """The channels and people of ncpi.yaml, as Slack knows them (ids of the wrong shape were
    reported already and are not asked about)."""
    for body in (Body.SILVER, Body.GOLD):
        name, channel = body.value, config.channel(body, PLATFORM)
        if channel is None or not is_channel_id(channel):
            continue
        try:
            info = _part(client.conversations_info(channel=channel), "channel")
        except SlackApiError as exc:
            if exc.response.get("error") == "missing_scope":  # the channel may be fine: we cannot look
                yield False, (f"Slack: cannot check the {name} channel {channel}: the bot lacks the "
                              f"{exc.response.get('needed')} scope; add it under OAuth & Permissions and "
                              "reinstall the app")
                continue
            yield False, (f"Slack: the {name} channel {channel} was not found ({exc.response.get('error')}): "
                          f"check channels.{name} in ncpi.yaml")
            continue
        except MalformedAnswer:
            yield False, _malformed(f"conversations.info for the {name} channel {channel}", "channel")
            continue
        except Exception as exc:  # noqa: BLE001 - any other failure is one line for the user
            yield False, (f"Slack: conversations.info for the {name} channel {channel} failed "
                          f"({type(exc).__name__}): check the network and SLACK_API_URL")
            continue
        if info.get("is_member") is False:
            yield False, f"Slack: the bot is not in the {name} channel {channel}: type `/invite @ncpi` there"
        else:
            yield True, f"Slack: {name} channel {channel} ok"
    for person in config.people:
        if person.slack_user is None or not is_user_id(person.slack_user):
            continue
        try:
            _part(client.users_info(user=person.slack_user), "user")
        except SlackApiError as exc:
            yield False, (f"Slack: {person.id} ({person.name}) has Slack id {person.slack_user}, which Slack "
                          f"does not know ({exc.response.get('error')}): copy the member id from their profile")
        except MalformedAnswer:
            yield False, _malformed(f"users.info for {person.id} ({person.slack_user})", "user")
        except Exception as exc:  # noqa: BLE001 - any other failure is one line for the user
            yield False, (f"Slack: users.info for {person.id} failed ({type(exc).__name__}): check the "
                          "network and SLACK_API_URL")


def _teams_checks(settings: Settings, config: ForceConfig | None) -> Iterator[Line]:
    try:
        from bot.teams.check import (  # lazy: Slack checks never load the Agents SDK
            credential_checks,
            reach_checks,
        )
    except ImportError:
        yield False, copy.error_text(NcpiError("teams.extra_missing"), copy.CLI)
        return
    yield from credential_checks(settings)
    if config is not None:
        yield from reach_checks(settings, config)


def check(args: argparse.Namespace) -> int:
    settings = Settings()
    platform = getattr(args, "platform", PLATFORM)
    config, results = _load_config(settings, platform)
    if config is not None:
        results += list(_config_checks(settings, config))
    results += list(_database_checks(settings))
    if platform == "teams":
        results += list(_teams_checks(settings, config))
    elif settings.slack_bot_token is not None:
        results += list(_slack_checks(settings, config))
    else:
        results.append((True, "Slack: not checked (set SLACK_BOT_TOKEN to check the workspace too)"))
    for ok, line in results:
        print(f"{'ok  ' if ok else 'warn' if ok is None else 'FAIL'} {line}")
    failures = sum(1 for ok, _ in results if ok is False)
    print(f"{failures} problem{'s' if failures != 1 else ''} found." if failures else "All checks passed.")
    return 1 if failures else 0
