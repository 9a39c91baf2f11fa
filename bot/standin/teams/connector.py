"""The Bot Connector half of the Teams stand-in: what the bot calls at its `serviceUrl`.

`POST v3/conversations` (start a personal chat, or a thread in a channel), `POST …/activities`
(send), `POST …/activities/{id}` (reply), `PUT …/activities/{id}` (update), `DELETE …`, and
`GET …/members`, each checking the bot's bearer token (issued by the stand-in's Entra), the
conversation (installed for the person? the bot in the team?), the message size Teams allows
(40 KB as UTF-16, base64 images aside; an image at most 1 MB and 1024×1024) and, when a
validator is given, the Adaptive Card schema.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import jwt

from bot.standin.faults import FaultPlan
from bot.standin.teams.http import Answer, Call, Request, Route, Service
from bot.standin.teams.keys import Signer
from bot.standin.teams.tenant import CARD, Posted, Tenant

MAX_MESSAGE_UTF16_BYTES = 40 * 1024
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 1024
DATA_URI = re.compile(r"data:image/[a-z]+;base64,([A-Za-z0-9+/=]+)")
PATH = re.compile(r"^/(?P<base>[^/]+)/v3/conversations(?:/(?P<cid>[^/]+)(?:/(?P<what>activities|members)"
                  r"(?:/(?P<aid>[^/]+))?)?)?$")
CardValidator = Callable[[dict[str, Any]], list[str]]


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message}})


class ConnectorService(Service):
    name = "connector"

    def __init__(self, tenant: Tenant, entra: Signer, issuer: Callable[[], str], faults: FaultPlan,
                 calls: list[Call], lock: threading.Lock, validator: CardValidator | None = None,
                 region: str = "uk") -> None:
        super().__init__(faults, calls, lock)
        self.tenant = tenant
        self.entra = entra
        self.issuer = issuer
        self.validator = validator
        self.region = region
        self.invalid_payloads: list[tuple[str, list[str]]] = []

    @property
    def service_url(self) -> str:
        return f"{self.url}/{self.region}/"

    # --- routing ---------------------------------------------------------------------------------
    def route(self, request: Request) -> tuple[str, Route | None]:
        m = PATH.match(request.path)
        if m is None or m["base"] != self.region:
            return "unknown", None
        cid, what, aid = m["cid"], m["what"], m["aid"]
        table: dict[tuple[str, str | None, bool], tuple[str, Callable[..., Answer]]] = {
            ("POST", None, False): ("create", self._create),
            ("POST", "activities", False): ("send", self._send),
            ("POST", "activities", True): ("reply", self._send),
            ("PUT", "activities", True): ("update", self._update),
            ("DELETE", "activities", True): ("delete", self._delete),
            ("GET", "members", False): ("members", self._members),
        }
        key = (request.method, what if cid else None, aid is not None)
        if key not in table or (cid is None and what is not None):
            return "unknown", None
        op, fn = table[key]
        return op, lambda r: self._authorized(r, lambda: fn(r, cid, aid))

    def _authorized(self, request: Request, then: Callable[[], Answer]) -> Answer:
        token = request.bearer
        if token is None:
            return Answer(401, {"message": "Authorization has been denied for this request."})
        try:
            claims = jwt.decode(token, self.entra.key.public_key(), algorithms=["RS256"],
                                audience="https://api.botframework.com", issuer=self.issuer(), leeway=30)
        except jwt.PyJWTError:
            return Answer(401, {"message": "Authorization has been denied for this request."})
        if self.tenant.app_id not in (claims.get("appid"), claims.get("azp")):
            return Answer(401, {"message": "Authorization has been denied for this request."})
        return then()

    # --- operations ------------------------------------------------------------------------------
    def _create(self, request: Request, cid: str | None, aid: str | None) -> Answer:
        body: dict[str, Any] = request.body if isinstance(request.body, dict) else {}
        tenant = body.get("tenantId") or ((body.get("channelData") or {}).get("tenant") or {}).get("id")
        if tenant != self.tenant.tenant_id:
            return _error(400, "BadArgument", "tenantId is missing or not this tenant")
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if body.get("isGroup") and channel:
            why = self.tenant.reachable(channel)
            if why:
                return _error(403 if why != "ConversationNotFound" else 404, why, "The bot cannot post there")
            activity = body.get("activity")
            if not isinstance(activity, dict):
                return _error(400, "BadArgument", "A new channel thread needs its first activity")
            problem = self._check(activity)
            if problem is not None:
                return problem
            root = self._store(channel, activity, thread=None, reply_to=None)
            return Answer(201, {"id": f"{channel};messageid={root.id}", "activityId": root.id})
        members = body.get("members") or []
        if len(members) != 1 or not isinstance(members[0], dict):
            return _error(400, "BadArgument", "A personal chat has exactly one member")
        user = self.tenant.user(str(members[0].get("id") or ""))
        if user is None:
            return _error(404, "NotFound", "No such user in this tenant")
        if user.aad not in self.tenant.installed:
            return _error(403, "Forbidden", "The bot is not installed for this user (personal scope)")
        return Answer(201, {"id": user.conversation})

    def _send(self, request: Request, cid: str | None, aid: str | None) -> Answer:
        assert cid is not None
        activity: dict[str, Any] = request.body if isinstance(request.body, dict) else {}
        if activity.get("type") not in ("message", None):
            return Answer(200, {"id": ""})  # typing and traces go nowhere
        why = self.tenant.reachable(cid)
        if why:
            return _error(403 if why != "ConversationNotFound" else 404, why, "The bot cannot post there")
        problem = self._check(activity)
        if problem is not None:
            return problem
        base, thread = self.tenant.base(cid)
        if aid is not None and thread is None and base in self.tenant.channels:
            parent = self.tenant.find(base, aid)  # a reply joins the thread of the message it answers
            thread = (parent.thread or parent.id) if parent is not None else aid
        posted = self._store(cid, activity, thread=thread, reply_to=aid or activity.get("replyToId"))
        return Answer(201, {"id": posted.id})

    def _update(self, request: Request, cid: str | None, aid: str | None) -> Answer:
        assert cid is not None and aid is not None
        activity: dict[str, Any] = request.body if isinstance(request.body, dict) else {}
        found = self.tenant.find(cid, aid)
        if found is None or found.kind != "bot":
            return _error(404, "NotFound", "No message of the bot's with that id")
        problem = self._check(activity)
        if problem is not None:
            return problem
        found.text = str(activity.get("text") or "")
        found.attachments = list(activity.get("attachments") or [])
        found.updates += 1
        return Answer(200, {"id": aid})

    def _delete(self, request: Request, cid: str | None, aid: str | None) -> Answer:
        assert cid is not None and aid is not None
        found = self.tenant.find(cid, aid)
        if found is None or found.kind != "bot":
            return _error(404, "NotFound", "No message of the bot's with that id")
        found.deleted = True
        return Answer(200, None)

    def _members(self, request: Request, cid: str | None, aid: str | None) -> Answer:
        assert cid is not None
        base, _ = self.tenant.base(cid)
        if base in self.tenant.channels:
            people = list(self.tenant.users.values())
        else:
            user = self.tenant.user(base)
            people = [user] if user is not None else []
        return Answer(200, [{"id": u.id, "name": u.name, "aadObjectId": u.aad, "tenantId": self.tenant.tenant_id}
                            for u in people])

    # --- checks and storing ----------------------------------------------------------------------
    def _check(self, activity: dict[str, Any]) -> Answer | None:
        """Refuse what Teams refuses: an oversized message or image, or (validator) an invalid card."""
        text = json.dumps(activity, ensure_ascii=False)
        images = [base64.b64decode(m.group(1)) for m in DATA_URI.finditer(text)]
        size = len(DATA_URI.sub("data:", text).encode("utf-16-le"))
        if size > MAX_MESSAGE_UTF16_BYTES:
            return _error(413, "MessageSizeTooBig", f"Message of {size} bytes (UTF-16) is too big")
        for image in images:
            width, height = _png_size(image)
            if len(image) > MAX_IMAGE_BYTES or max(width, height) > MAX_IMAGE_SIDE:
                return _error(400, "BadArgument", f"Image of {len(image)} bytes, {width}×{height} is too big")
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") != CARD:
                continue
            errors = self.validator(attachment.get("content") or {}) if self.validator else []
            if errors:
                self.invalid_payloads.append((str(activity.get("text") or "card"), errors))
                return _error(400, "BadArgument", "The Adaptive Card is not valid: " + "; ".join(errors[:3]))
        return None

    def _store(self, conversation: str, activity: dict[str, Any], thread: str | None,
               reply_to: str | None) -> Posted:
        base, in_thread = self.tenant.base(conversation)
        return self.tenant.post(Posted(conversation=base, id=self.tenant.new_id(), kind="bot", sender=self.tenant.bot_id,
                                       text=str(activity.get("text") or ""),
                                       attachments=list(activity.get("attachments") or []),
                                       summary=str(activity.get("summary") or ""),
                                       thread=thread or in_thread, reply_to=reply_to, at=time.time()))


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 0, 0
