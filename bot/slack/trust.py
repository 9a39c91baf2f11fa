"""Trust boundaries of every request Slack sends, as Bolt middleware run after the signature check.

- `InstallationGuard`: a request must come from the workspace (or Enterprise Grid organisation)
  and the app this bot is installed as, learned from `auth.test` at start or configured with
  SLACK_TEAM_ID / SLACK_APP_ID. Another workspace's request is refused and logged.
- `ReplayGuard`: a signed request seen before (the same signature and timestamp, which Slack's
  signature check accepts for five minutes) is answered without acting again. The database
  decides (`processed_events`), so a replay sent to another replica is refused too.
- Response URLs must point at Slack (`hooks.slack.com`, GovSlack's `hooks.slack-gov.com`) or at
  the configured SLACK_API_URL's host, so no answer is ever sent where a payload says.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.copy.frontdoor import OTHER_WORKSPACE
from bot.slack.deps import Deps
from ncpi_core.errors import ConfigurationError, StorageUnavailable

log = logging.getLogger(__name__)

SLACK_RESPONSE_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})


@dataclass(frozen=True)
class Installation:
    """Where this bot is installed: a workspace (team) or, installed org-wide, an Enterprise Grid org."""

    team_id: str | None
    enterprise_id: str | None = None
    app_id: str | None = None
    org_wide: bool = False

    def describe(self) -> str:
        where = f"organisation {self.enterprise_id}" if self.org_wide else f"workspace {self.team_id}"
        return where + (f", app {self.app_id}" if self.app_id else "")


def learn_installation(client: WebClient, team_id: str | None = None, app_id: str | None = None) -> Installation:
    """The installation the bot token belongs to (`auth.test`, and `bots.info` for the app id).

    Args:
        team_id: SLACK_TEAM_ID, when set: must be the token's workspace (or organisation).
        app_id: SLACK_APP_ID, when set: must be the token's app, when Slack says which that is.

    Raises:
        ConfigurationError: The configured ids are not the token's.
        SlackApiError: Slack refused auth.test.
    """
    auth = client.auth_test()
    org_wide = bool(auth.get("is_enterprise_install"))
    learned = Installation(team_id=auth.get("team_id"), enterprise_id=auth.get("enterprise_id"),
                           app_id=auth.get("app_id") or _app_of_bot(client, auth.get("bot_id")), org_wide=org_wide)
    if team_id and team_id not in (learned.team_id, learned.enterprise_id):
        raise ConfigurationError("slack.team_mismatch", configured=team_id, token=learned.describe())
    if app_id and learned.app_id and app_id != learned.app_id:
        raise ConfigurationError("slack.app_mismatch", configured=app_id, token=learned.app_id)
    if app_id and not learned.app_id:
        learned = Installation(learned.team_id, learned.enterprise_id, app_id, org_wide)
    if learned.app_id is None:
        log.warning("could not learn the app id from Slack: requests are checked for the workspace only "
                    "(set SLACK_APP_ID to check the app too)")
    return learned


def _app_of_bot(client: WebClient, bot_id: Any) -> str | None:
    if not isinstance(bot_id, str) or not bot_id:
        return None
    try:
        bot = client.bots_info(bot=bot_id).get("bot")
    except SlackApiError as exc:
        log.info("bots.info answered %s", exc.response.get("error"))
        return None
    app = bot.get("app_id") if isinstance(bot, dict) else None
    return app if isinstance(app, str) and app else None


class InstallationPin:
    """The installation requests must come from: configured, or learned once (thread-safe)."""

    def __init__(self, learn: Callable[[], Installation]) -> None:
        self._learn = learn
        self._known: Installation | None = None
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, installation: Installation) -> InstallationPin:
        pin = cls(lambda: installation)
        pin._known = installation
        return pin

    def get(self) -> Installation:
        with self._lock:
            if self._known is None:
                self._known = self._learn()
            return self._known

    def refusal(self, body: dict[str, Any], team_id: str | None, enterprise_id: str | None) -> str | None:
        """Why a request is not for this installation (None: it is)."""
        ours = self.get()
        if ours.org_wide:
            if enterprise_id != ours.enterprise_id:
                return f"organisation {enterprise_id or 'unnamed'} is not {ours.enterprise_id}"
        elif team_id != ours.team_id:
            return f"workspace {team_id or 'unnamed'} is not {ours.team_id}"
        app = _app_id(body)
        if ours.app_id and app is not None and app != ours.app_id:
            return f"app {app} is not {ours.app_id}"
        return None


def _app_id(body: dict[str, Any]) -> str | None:
    value = body.get("api_app_id")
    if value is None and isinstance(body.get("view"), dict):
        value = body["view"].get("app_id")
    return str(value) if value is not None else None


def response_urls(body: dict[str, Any]) -> list[str]:
    """Every response URL a payload carries (`response_url`, and a modal's `response_urls`)."""
    urls = [body.get("response_url")]
    listed = body.get("response_urls")
    if isinstance(listed, list):
        urls += [u.get("response_url") for u in listed if isinstance(u, dict)]
    return [str(u) for u in urls if u is not None]


def response_url_allowed(url: str, api_url: str) -> bool:
    """A response URL on Slack's hooks host over https, or on the configured Web API's host."""
    try:
        parts, api = urlsplit(url), urlsplit(api_url)
        origin, api_origin = (parts.scheme, parts.hostname, parts.port), (api.scheme, api.hostname, api.port)
    except ValueError:  # a port that is not a number
        return False
    if parts.hostname and origin == api_origin:
        return True  # a proxy, GovSlack, or the local stand-in serve both
    return parts.scheme == "https" and parts.hostname in SLACK_RESPONSE_HOSTS and parts.port in (None, 443)


class InstallationGuard(Middleware):
    """Refuses (and logs) a request from another workspace or app, or with a foreign response URL."""

    def __init__(self, pin: InstallationPin, api_url: str) -> None:
        self.pin = pin
        self.api_url = api_url

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        body = req.body if isinstance(req.body, dict) else {}
        problem = self.pin.refusal(body, req.context.team_id, req.context.enterprise_id)
        if problem is None:
            foreign = [u for u in response_urls(body) if not response_url_allowed(u, self.api_url)]
            problem = f"response URL on {urlsplit(foreign[0]).hostname} is not Slack's" if foreign else None
        if problem is None:
            return next()
        log.warning("refused a request from outside this installation (%s): %s", problem, _kind(body))
        if "command" in body:  # the person who typed it is told, in the body of the answer
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": OTHER_WORKSPACE})
        return BoltResponse(status=200, body="")  # events: no retry, nothing done


class ReplayGuard(Middleware):
    """Answers a signed request seen before without acting on it again (the database decides)."""

    def __init__(self, first_time: Callable[[str], bool]) -> None:
        self.first_time = first_time

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        if req.mode != "http":
            return next()  # Socket Mode is not signed; Slack's envelope ids are Bolt's to handle
        key = replay_key(req.headers)
        if key is None:
            return next()  # unsigned: only possible with verification off (tests, benchmarks)
        try:
            first = self.first_time(key)
        except StorageUnavailable:
            return next()  # nothing can act without the database; the listener says so
        if first:
            return next()
        body = req.body if isinstance(req.body, dict) else {}
        log.warning("refused a replayed request (signature and timestamp seen before): %s", _kind(body))
        return BoltResponse(status=200, body="")


def replay_key(headers: dict[str, Any]) -> str | None:
    """The key a signed request is remembered by: its timestamp and signature, hashed."""
    def first(name: str) -> str | None:
        values = headers.get(name)
        if isinstance(values, str):
            return values
        return str(values[0]) if values else None

    timestamp, signature = first("x-slack-request-timestamp"), first("x-slack-signature")
    if not timestamp or not signature:
        return None
    digest = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
    return f"slack-request:{digest}"


def _kind(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    user = body.get("user_id")
    if user is None and isinstance(body.get("user"), dict):
        user = body["user"].get("id")
    if user is None and isinstance(body.get("event"), dict):
        user = body["event"].get("user")
    return f"{kind} from {user or 'unknown user'}"


def guard_requests(app: App, deps: Deps, *, learn_now: bool = True) -> InstallationPin:
    """Install both guards on the app (after Bolt's own signature check and authorization).

    Args:
        learn_now: Ask Slack which installation the token belongs to now (a refused token or a
            mismatch with SLACK_TEAM_ID / SLACK_APP_ID stops the start); otherwise on the first
            request (stand-ins not yet running).
    """
    settings = deps.core.settings
    pin = InstallationPin(lambda: learn_installation(deps.client, settings.slack_team_id, settings.slack_app_id))
    if learn_now:
        log.info("serving %s", pin.get().describe())
    app.use(InstallationGuard(pin, settings.slack_api_url))
    app.use(ReplayGuard(deps.first_time))
    return pin
