"""A form's private_metadata sealed by the bot, so a submission cannot route by what the client edits.

Slack hands a modal's `private_metadata` back with the submission; it says which action the form
is about and where to confirm (a channel and thread). Trusting it would let an edited submission
post a confirmation into any channel, so the bot seals it: the JSON is followed by an HMAC-SHA256
under a key derived from the signing secret (or, in Socket Mode without one, the bot token), and
names the person the form was opened for. A submission whose seal does not verify, or that comes
from someone else, reads as a lost form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

log = logging.getLogger(__name__)

PURPOSE = b"ncpi private_metadata v1"
OPENED_FOR = "by"  # the key naming the Slack user the form was opened for


class MetadataSeal:
    """Seals and opens modal metadata with a key only the bot's replicas share."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_secrets(cls, *secrets_in_order: str | None) -> MetadataSeal:
        """A seal keyed on the first secret given (the signing secret, then the bot token).

        Every replica configured alike derives the same key, so a form opened by one can be
        submitted to another. With no secret at all (a stand-in), a key of this process alone.
        """
        for secret in secrets_in_order:
            if secret:
                return cls(hmac.new(secret.encode("utf-8"), PURPOSE, hashlib.sha256).digest())
        return cls.random()

    @classmethod
    def random(cls) -> MetadataSeal:
        return cls(secrets.token_bytes(32))

    def _mac(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def seal(self, data: dict[str, Any], user: str) -> str:
        """`data` as sealed private_metadata for a form opened for `user` (well under 3,000 characters)."""
        text = json.dumps({**data, OPENED_FOR: user}, separators=(",", ":"), sort_keys=True)
        return f"{text}.{self._mac(text)}"

    def open(self, raw: str | None, user: str) -> dict[str, Any] | None:
        """The data sealed for `user`, or None: missing, not sealed by us, edited, or someone else's."""
        if not isinstance(raw, str) or "." not in raw:
            return None
        text, _, mac = raw.rpartition(".")
        if not hmac.compare_digest(mac.encode("ascii", "replace"), self._mac(text).encode("ascii")):
            log.warning("a form came back with metadata the bot did not seal (edited, or another key): "
                        "treated as a lost form")
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return None
        if not isinstance(data, dict) or data.pop(OPENED_FOR, None) != user or not user:
            log.warning("a form opened for one person was submitted by another: treated as a lost form")
            return None
        return data
