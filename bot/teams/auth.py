"""Whom the Teams front end trusts, and how it proves who it is, on the Microsoft 365 Agents SDK.

Incoming: every activity carries a JWT the Bot Framework signed. By default the SDK's own
`JwtTokenValidator` checks it (Microsoft's published keys, audience = our app id). With
NCPI_TEAMS_OPENID_METADATA set (a national cloud, or the local stand-in) the same checks run
against the keys that metadata publishes: signature (RS256), issuer (the metadata's), audience,
lifetime; and the key must be endorsed for the activity's channel. Nothing is ever skipped.

Outgoing: the SDK's MSAL provider gets the bot an access token with its client credentials. With
NCPI_TEAMS_AUTHORITY pointing outside Microsoft's sign-in hosts, MSAL is told the authority is
known to us (no instance discovery at login.microsoftonline.com) and NCPI_TEAMS_CA_BUNDLE, if set,
is the certificate authority its HTTPS is checked against.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from jwt import PyJWK, PyJWTError, decode, get_unverified_header
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import AgentAuthConfiguration, ConnectionManager
from microsoft_agents.hosting.core.authorization import ClaimsIdentity, JwtTokenValidator
from msal import ConfidentialClientApplication

from bot.settings import Settings, teams_credentials

log = logging.getLogger(__name__)

MICROSOFT_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.microsoft.com",
                   "login.windows.net", "login.chinacloudapi.cn", "login.partner.microsoftonline.cn")
KEYS_LIFETIME = 300.0  # seconds a fetched key set is trusted before it is fetched again
LEEWAY = 300.0  # clock skew allowed, as the SDK allows


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """The SDK's configuration of our one connection (single tenant, client secret)."""
    app_id, secret, tenant = teams_credentials(settings)
    return AgentAuthConfiguration(client_id=app_id, tenant_id=tenant, client_secret=secret,
                                  authority=settings.teams_authority or None, connection_name="SERVICE_CONNECTION")


def ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """The system's trust store, plus `ca_bundle` when given."""
    context = ssl.create_default_context()
    if ca_bundle is not None:
        context.load_verify_locations(cafile=str(ca_bundle))
    return context


class TrustingSession(requests.Session):
    """A requests session that keeps its own `verify`: requests otherwise lets REQUESTS_CA_BUNDLE
    or CURL_CA_BUNDLE from the environment replace it on every call."""

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        merged: dict[str, Any] = super().merge_environment_settings(url, proxies, stream, verify, cert)
        merged["verify"] = self.verify
        return merged


def is_microsoft_authority(authority: str | None) -> bool:
    host = urlsplit(authority or "https://login.microsoftonline.com/").hostname or ""
    return host in MICROSOFT_HOSTS


class NcpiMsalAuth(MsalAuth):
    """The SDK's MSAL provider; an authority of our own configuration is used as it is given."""

    def __init__(self, configuration: AgentAuthConfiguration, ca_bundle: Path | None = None) -> None:
        super().__init__(configuration)
        self._ca_bundle = ca_bundle

    def _create_client_application(self, tenant_id: str | None = None) -> Any:
        config = self._msal_configuration
        if is_microsoft_authority(config.AUTHORITY):
            return super()._create_client_application(tenant_id)
        session = TrustingSession()
        session.verify = str(self._ca_bundle) if self._ca_bundle is not None else True
        # validate_authority=False: the authority is ours (configured), so MSAL does not ask
        # Microsoft's instance discovery about it; it still reads its OpenID metadata over HTTPS
        return ConfidentialClientApplication(client_id=config.CLIENT_ID, client_credential=config.CLIENT_SECRET,
                                             authority=MsalAuth._resolve_authority(config, tenant_id),
                                             validate_authority=False, http_client=session)


def connection_manager(configuration: AgentAuthConfiguration, ca_bundle: Path | None = None) -> ConnectionManager:
    """The SDK's connection manager with our one connection (SERVICE_CONNECTION)."""
    return ConnectionManager(provider_factory=lambda c: NcpiMsalAuth(c, ca_bundle),
                             connections_configurations={"SERVICE_CONNECTION": configuration})


class ConfiguredKeysValidator(JwtTokenValidator):
    """The SDK's validator, reading its keys and issuer from a configured OpenID metadata URL."""

    def __init__(self, configuration: AgentAuthConfiguration, metadata_url: str,
                 ca_bundle: Path | None = None) -> None:
        super().__init__(configuration)
        self.metadata_url = metadata_url
        self._context = ssl_context(ca_bundle)
        self._keys: dict[str, dict[str, Any]] = {}
        self._issuer: str | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()

    def _get(self, url: str) -> Any:
        with urllib.request.urlopen(url, timeout=10, context=self._context) as resp:  # noqa: S310 - configured URL
            return json.loads(resp.read().decode("utf-8"))

    def _refresh(self, force: bool) -> None:
        with self._lock:
            if not force and self._keys and time.monotonic() - self._fetched < KEYS_LIFETIME:
                return
            if force and time.monotonic() - self._fetched < 5.0:
                return  # an unknown key id does not make us fetch more than once in 5 s
            metadata = self._get(self.metadata_url)
            keys = self._get(str(metadata["jwks_uri"]))
            self._issuer = str(metadata["issuer"])
            self._keys = {str(k["kid"]): k for k in keys.get("keys", []) if k.get("kid")}
            self._fetched = time.monotonic()

    async def _key(self, kid: str) -> tuple[PyJWK, list[str] | None]:
        await asyncio.to_thread(self._refresh, False)
        if kid not in self._keys:
            await asyncio.to_thread(self._refresh, True)  # Microsoft rolls its keys: look again once
        if kid not in self._keys:
            raise ValueError("Signing key not found.")
        data = self._keys[kid]
        endorsements = data.get("endorsements")
        return PyJWK(data, "RS256"), list(endorsements) if isinstance(endorsements, list) else None

    async def validate(self, token: str) -> tuple[ClaimsIdentity, list[str] | None]:
        """The token's claims (signature, issuer, audience and lifetime checked) and the channels
        its key is endorsed for (None: the key names none)."""
        header = get_unverified_header(token)
        key, endorsements = await self._key(str(header.get("kid") or ""))
        claims = decode(token, key=key, algorithms=["RS256"], issuer=self._issuer, leeway=LEEWAY,
                        options={"verify_aud": False, "require": ["exp", "iss", "aud"]})
        if not self.configuration._jwt_patch_is_valid_aud(claims.get("aud")):
            raise ValueError("Invalid audience.")
        return ClaimsIdentity(claims, security_token=token), endorsements

    async def validate_token(self, token: str) -> ClaimsIdentity:
        identity, _ = await self.validate(token)
        return identity


class SdkValidator:
    """The SDK's validator as it is (Microsoft's keys), in the shape of `ConfiguredKeysValidator.validate`."""

    def __init__(self, configuration: AgentAuthConfiguration) -> None:
        self._validator = JwtTokenValidator(configuration)

    async def validate(self, token: str) -> tuple[ClaimsIdentity, list[str] | None]:
        return await self._validator.validate_token(token), None


Validator = ConfiguredKeysValidator | SdkValidator


def build_validator(settings: Settings, configuration: AgentAuthConfiguration) -> Validator:
    if settings.teams_openid_metadata:
        return ConfiguredKeysValidator(configuration, settings.teams_openid_metadata, settings.teams_ca_bundle)
    return SdkValidator(configuration)


VALIDATION_ERRORS = (PyJWTError, ValueError, KeyError)
