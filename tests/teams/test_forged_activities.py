"""Only Teams, signing for our app, from our tenant, reaches the bot: everything else is 401 (403 for
another tenant) and changes nothing. The valid case goes through the same request path."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.standin.teams.keys import Signer
from tests.teams.conftest import TeamsHarness


def _update_activity(teams: TeamsHarness, text: str = "R3.2 amber 60% forged or not") -> dict[str, Any]:
    """A message from the Head of Learning & Development, as Teams builds it (not sent yet)."""
    user = teams.standin.tenant.user(teams.id("head_ld"))
    assert user is not None
    activity = teams.client._base("message", user, teams.client._personal(user))  # noqa: SLF001
    activity.update(text=text, textFormat="plain")
    return activity


def _updates(teams: TeamsHarness) -> int:
    with teams.core.uow() as uow:
        return len(uow.updates.for_action("R3.2", limit=50))


Forgery = Callable[[TeamsHarness, dict[str, Any]], tuple[str | None, dict[str, Any]]]


def _no_token(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return "", a


def _garbage(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return "not.a.jwt", a


def _unpublished_key(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return t.standin.login.channel_token(a["serviceUrl"], signer=Signer.generate(("msteams",))), a


def _expired(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return t.standin.login.channel_token(a["serviceUrl"], lifetime=-900), a


def _other_audience(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return t.standin.login.channel_token(a["serviceUrl"], audience="00000000-1111-2222-3333-444444444444"), a


def _other_issuer(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return t.standin.login.channel_token(a["serviceUrl"], issuer="https://api.botframework.com"), a


def _other_service_url(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    token = t.standin.login.channel_token("https://smba.example.net/emea/")
    return token, a  # signed for another service URL than the activity names


def _not_endorsed(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return None, {**a, "channelId": "slack"}  # the key is endorsed for msteams only


def _tampered(t: TeamsHarness, a: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    token = t.standin.login.channel_token(a["serviceUrl"])
    head, body, signature = token.split(".")
    return f"{head}.{body}.{signature[:-4]}AAAA", a


FORGERIES: dict[str, Forgery] = {
    "no token": _no_token, "garbage": _garbage, "a key Teams never published": _unpublished_key,
    "expired": _expired, "for another app": _other_audience, "another issuer": _other_issuer,
    "signed for another service URL": _other_service_url, "key not endorsed for the channel": _not_endorsed,
    "signature tampered": _tampered,
}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("forgery", FORGERIES)
def test_an_activity_not_signed_for_us_is_401_and_changes_nothing(teams: TeamsHarness, forgery: str) -> None:
    before, said = _updates(teams), len(teams.standin.bot_messages())
    token, activity = FORGERIES[forgery](teams, _update_activity(teams))
    result = teams.client.send(activity, token=token)
    assert result.status == 401, (forgery, result.body)
    assert "error" in result.body and "Traceback" not in json.dumps(result.body)
    assert _updates(teams) == before and len(teams.standin.bot_messages()) == said


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_activity_from_another_tenant_is_refused(teams: TeamsHarness) -> None:
    activity = _update_activity(teams)
    activity["conversation"]["tenantId"] = "11111111-2222-3333-4444-555555555555"
    activity["channelData"]["tenant"]["id"] = "11111111-2222-3333-4444-555555555555"
    result = teams.client.send(activity)
    assert result.status == 403 and "one Microsoft 365 tenant" in result.body["error"]
    assert _updates(teams) == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1, 2]", b'"a string"', "💥".encode() * 10])
def test_a_body_that_is_not_an_activity_is_400_never_a_dropped_connection(teams: TeamsHarness, raw: bytes) -> None:
    result = teams.client.send(_update_activity(teams), raw=raw)
    assert result.status == 400, result.body
    assert _updates(teams) == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_same_activity_signed_properly_is_accepted(teams: TeamsHarness) -> None:
    """The control: what every forgery above was refused for, done right, is stored once."""
    result = teams.client.send(_update_activity(teams))
    assert result.status in (200, 201, 202), result.body
    assert _updates(teams) == 1
    assert "Recorded for" in teams.last_text("head_ld")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_health_is_served_beside_the_messages(teams: TeamsHarness) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{teams.server.url}/healthz", timeout=5) as resp:  # noqa: S310 - loopback
        assert resp.status == 200 and json.loads(resp.read())["status"] == "ok"
