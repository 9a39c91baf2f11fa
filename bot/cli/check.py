"""`ncpi check`: configuration, plan, database and (with a token) Slack — each problem on one line with its fix."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from bot.settings import Settings
from ncpi_core.errors import NcpiError, ValidationFailed
from ncpi_core.storage.errors import safe_url

# what each part of ncpi needs; see config/slack_manifest.yaml
REQUIRED_SCOPES = {
    "chat:write": "post prompts, summaries and answers",
    "commands": "the /ncpi command",
    "im:history": "read the Bronze leads' DM replies",
    "im:write": "open DMs with the Bronze leads",
    "users:read": "check each person's Slack id",
    "channels:read": "check the bot is in the Silver and Gold channels",
    "files:write": "attach the chart and long summaries",
}


def _config_checks(settings: Settings) -> Iterator[tuple[bool | None, str]]:
    from ncpi_core.config.schema import load_force_config, load_plan_file

    try:
        config = load_force_config(settings.config_file)
    except ValidationFailed as exc:
        for p in exc.problems:
            yield False, f"{p}"
        return
    yield True, f"{settings.config_file}: {config.force}, {len(config.people)} people"
    try:
        plan = load_plan_file(settings.plan_file, config)
    except ValidationFailed as exc:
        for p in exc.problems:
            yield False, f"{p}"
    else:
        acts = sum(len(r.actions) for r in plan.recommendations)
        yield True, f"{settings.plan_file}: {len(plan.recommendations)} recommendations, {acts} actions"
    yield from _meeting_checks(config)


def _meeting_checks(config: object) -> Iterator[tuple[bool | None, str]]:
    from datetime import UTC, datetime, timedelta

    from ncpi_core.domain.calendar import WorkingDays, meetings_between

    now = datetime.now(UTC)
    meetings = meetings_between(config, now - timedelta(days=30), now + timedelta(days=365))  # type: ignore[arg-type]
    wd = WorkingDays(config.timings.bank_holidays)  # type: ignore[attr-defined]
    for m in meetings:
        local = m.starts_at.astimezone(config.tz)  # type: ignore[attr-defined]
        if not wd.is_working(local.date()):
            yield None, (f"{m.body.value} meeting on {local:%a %d %b %Y} falls on a weekend or bank holiday: "
                          f"add it to meetings.cancelled and move it with meetings.extra")
    if not meetings:
        yield False, "no meetings in the next year: add rules under meetings.gold and meetings.silver"


def _database_checks(settings: Settings) -> Iterator[tuple[bool, str]]:
    from sqlalchemy.exc import SQLAlchemyError

    from ncpi_core.storage.engine import build_engine
    from ncpi_core.storage.migrate import current_revision, head_revision

    url = safe_url(settings.database_url)
    try:
        engine = build_engine(settings.database_url)
        current = current_revision(engine)
        engine.dispose()
    except (SQLAlchemyError, ModuleNotFoundError) as exc:
        yield False, f"database {url}: cannot connect ({type(exc).__name__}); check NCPI_DATABASE_URL"
        return
    head = head_revision()
    if current != head:
        yield False, f"database {url}: schema at {current or 'empty'}, code expects {head}: run `ncpi db upgrade`"
    else:
        yield True, f"database {url}: schema up to date ({head})"


def _slack_checks(settings: Settings) -> Iterator[tuple[bool, str]]:
    from slack_sdk.errors import SlackApiError

    from bot.slack.gateway import build_web_client
    from ncpi_core.config.schema import load_force_config

    try:
        token = settings.bot_token()
    except NcpiError as exc:
        yield False, str(exc)
        return
    client = build_web_client(token, settings.slack_api_url, timeout=10, max_retries=2)
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        yield False, (f"Slack refused the bot token ({exc.response.get('error')}): copy the Bot User OAuth "
                      "Token again and reinstall the app if its scopes changed")
        return
    except Exception as exc:  # noqa: BLE001 - any network failure is one line for the user
        yield False, f"cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__}); check SLACK_API_URL"
        return
    yield True, f"Slack: connected to {auth.get('team')} as {auth.get('user')}"
    granted = {s.strip() for s in (auth.headers.get("x-oauth-scopes") or
                                   auth.headers.get("X-OAuth-Scopes") or "").split(",") if s.strip()}
    if granted:
        for scope, why in REQUIRED_SCOPES.items():
            if scope not in granted:
                yield False, (f"Slack: the bot lacks the {scope} scope (to {why}): add it under "
                              "OAuth & Permissions and reinstall the app")
    try:
        config = load_force_config(settings.config_file)
    except ValidationFailed:
        return
    for name, channel in (("silver", config.channels.silver), ("gold", config.channels.gold)):
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as exc:
            yield False, (f"Slack: the {name} channel {channel} was not found ({exc.response.get('error')}): "
                          "check channels.{name} in ncpi.yaml")
            continue
        if info.get("is_member") is False:
            yield False, f"Slack: the bot is not in the {name} channel {channel}: type `/invite @ncpi` there"
        else:
            yield True, f"Slack: {name} channel {channel} ok"
    for person in config.people:
        try:
            client.users_info(user=person.slack_user)
        except SlackApiError as exc:
            yield False, (f"Slack: {person.id} ({person.name}) has Slack id {person.slack_user}, which Slack "
                          f"does not know ({exc.response.get('error')}): copy the member id from their profile")


def check(args: argparse.Namespace) -> int:
    settings = Settings()
    results: list[tuple[bool | None, str]] = list(_config_checks(settings))
    results += list(_database_checks(settings))
    if settings.slack_bot_token is not None:
        results += list(_slack_checks(settings))
    else:
        results.append((True, "Slack: not checked (set SLACK_BOT_TOKEN to check the workspace too)"))
    for ok, line in results:
        print(f"{'ok  ' if ok else 'warn' if ok is None else 'FAIL'} {line}")
    failures = sum(1 for ok, _ in results if ok is False)
    print(f"{failures} problem{'s' if failures != 1 else ''} found." if failures else "All checks passed.")
    return 1 if failures else 0
