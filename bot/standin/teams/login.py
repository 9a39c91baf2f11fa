"""The sign-in half of the Teams stand-in, over HTTPS as Microsoft's is.

- Microsoft Entra for the tenant, as MSAL reads it: OpenID metadata at
  `/{tenant}/v2.0/.well-known/openid-configuration`, keys, and a token endpoint that gives the
  bot an access token for the Bot Connector (client credentials: the app id and its secret).
- The Bot Framework channel's OpenID metadata and keys (`/botframework/v1/…`): the keys Teams'
  activities to the bot are signed with, endorsed for `msteams`. The bot trusts them because it is
  configured with that metadata URL (NCPI_TEAMS_OPENID_METADATA), not because anything is skipped.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

from bot.standin.faults import FaultPlan
from bot.standin.teams.http import Answer, Call, Request, Route, Service
from bot.standin.teams.keys import Signer
from bot.standin.teams.tenant import Tenant

CONNECTOR_AUDIENCE = "https://api.botframework.com"
TOKEN_LIFETIME = 3600


class LoginService(Service):
    name = "login"

    def __init__(self, tenant: Tenant, secret: str, entra: Signer, channel: Signer, faults: FaultPlan,
                 calls: list[Call], lock: threading.Lock, tls: ssl.SSLContext) -> None:
        super().__init__(faults, calls, lock, tls)
        self.tenant = tenant
        self.secret = secret
        self.entra = entra  # signs the bot's access tokens
        self.channel = channel  # signs the activities Teams sends the bot
        self.refuse_credentials = False  # tests: the secret expired

    # --- addresses -------------------------------------------------------------------------------
    @property
    def authority(self) -> str:
        return f"{self.url}/{self.tenant.tenant_id}"

    @property
    def entra_issuer(self) -> str:
        return f"{self.authority}/v2.0"

    @property
    def channel_issuer(self) -> str:
        return f"{self.url}/botframework"

    @property
    def channel_metadata_url(self) -> str:
        return f"{self.url}/botframework/v1/.well-known/openidconfiguration"

    # --- routes ----------------------------------------------------------------------------------
    def route(self, request: Request) -> tuple[str, Route | None]:
        t = f"/{self.tenant.tenant_id}"
        routes: dict[tuple[str, str], tuple[str, Route]] = {
            ("GET", f"{t}/v2.0/.well-known/openid-configuration"): ("metadata", self._entra_metadata),
            ("GET", f"{t}/discovery/v2.0/keys"): ("keys", lambda r: Answer(200, {"keys": [self.entra.jwk()]})),
            ("POST", f"{t}/oauth2/v2.0/token"): ("token", self._token),
            ("GET", "/botframework/v1/.well-known/openidconfiguration"): ("metadata", self._channel_metadata),
            ("GET", "/botframework/v1/.well-known/keys"): ("keys", lambda r: Answer(200, {"keys": [self.channel.jwk()]})),
        }
        op, handler = routes.get((request.method, request.path), ("unknown", None))
        return op, handler

    def _entra_metadata(self, request: Request) -> Answer:
        a = self.authority
        return Answer(200, {"issuer": self.entra_issuer, "token_endpoint": f"{a}/oauth2/v2.0/token",
                            "authorization_endpoint": f"{a}/oauth2/v2.0/authorize",
                            "jwks_uri": f"{a}/discovery/v2.0/keys", "id_token_signing_alg_values_supported": ["RS256"],
                            "tenant_region_scope": "EU", "token_endpoint_auth_methods_supported": ["client_secret_post"]})

    def _channel_metadata(self, request: Request) -> Answer:
        return Answer(200, {"issuer": self.channel_issuer,
                            "authorization_endpoint": f"{self.channel_issuer}/v1/authorize",
                            "jwks_uri": f"{self.url}/botframework/v1/.well-known/keys",
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "token_endpoint_auth_methods_supported": ["private_key_jwt"]})

    def _token(self, request: Request) -> Answer:
        form: dict[str, Any] = request.body if isinstance(request.body, dict) else {}
        if form.get("grant_type") != "client_credentials":
            return _refusal(400, "unsupported_grant_type", "AADSTS70003: only client credentials are served here.")
        if form.get("client_id") != self.tenant.app_id:
            return _refusal(400, "unauthorized_client",
                            f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not found "
                            f"in the directory '{self.tenant.tenant_id}'.")
        if self.refuse_credentials or form.get("client_secret") != self.secret:
            return _refusal(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        scope = str(form.get("scope") or "")
        resource = next((s.removesuffix("/.default") for s in scope.split() if s.endswith("/.default")), "")
        if not resource:
            return _refusal(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        token = self.entra.sign({"iss": self.entra_issuer, "aud": resource, "azp": self.tenant.app_id,
                                 "appid": self.tenant.app_id, "tid": self.tenant.tenant_id, "ver": "2.0",
                                 "sub": self.tenant.app_id}, lifetime=TOKEN_LIFETIME, typ="JWT")
        return Answer(200, {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "ext_expires_in": TOKEN_LIFETIME,
                            "access_token": token})

    # --- what Teams signs ------------------------------------------------------------------------
    def channel_token(self, service_url: str, audience: str | None = None, lifetime: float = 3600.0,
                      signer: Signer | None = None, issuer: str | None = None) -> str:
        """The bearer token Teams sends with an activity (audience: the bot's app id)."""
        return (signer or self.channel).sign({"iss": issuer or self.channel_issuer,
                                              "aud": audience or self.tenant.app_id,
                                              "serviceurl": service_url}, lifetime=lifetime)


def _refusal(status: int, error: str, description: str) -> Answer:
    return Answer(status, {"error": error, "error_description": description, "error_codes": [],
                           "correlation_id": "00000000-0000-0000-0000-000000000000"})
