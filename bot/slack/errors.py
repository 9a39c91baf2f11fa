"""Slack's refusals that are expected in a real workspace, each with what a person does about it.

These go in the log as one line (never a traceback: nothing in ncpi is broken) and in the reason
a failed delivery is reported to the administrators with.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

FIXES = {
    "channel_not_found": "check the channel id in ncpi.yaml, and invite the bot there with /invite @ncpi",
    "not_in_channel": "invite the bot to that channel: /invite @ncpi",
    "is_archived": "the channel is archived: unarchive it, or point ncpi.yaml at a live channel",
    "ratelimited": "Slack asked ncpi to slow down and every retry was used; it goes again on the next try",
    "msg_blocks_too_long": "Slack found the message too long even in its smallest parts; see the logs",
    "invalid_blocks": "Slack refused the message's layout; please report it with the logs",
    "invalid_thread_ts": "the message this replies to is gone (deleted?); the reply cannot go under it",
    "missing_scope": "add the scope Slack names to the app (config/slack_manifest.yaml) and reinstall it",
    "invalid_auth": "SLACK_BOT_TOKEN is not a token Slack knows: copy the Bot User OAuth Token again",
    "token_revoked": "the app was uninstalled or its token revoked: reinstall it and update SLACK_BOT_TOKEN",
    "account_inactive": "the app's bot user is deactivated: reinstall the app",
    "user_not_found": "check the person's slack_user in ncpi.yaml (their member id, from their profile)",
    "user_disabled": "that person's Slack account is deactivated: update ncpi.yaml",
    "cannot_dm_bot": "ncpi.yaml gives a bot's id as a person's slack_user",
}
EXPECTED = frozenset(FIXES)


def slack_error(exc: BaseException) -> str | None:
    """The Slack error code of a refusal (`not_in_channel`), or None for anything else."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        code = exc.response.get("error")
        return str(code) if code else None
    return None


def with_fix(code: str, needed: str | None = None) -> str:
    """`not_in_channel: invite the bot to that channel: /invite @ncpi` (the code alone if unknown)."""
    fix = FIXES.get(code)
    if code == "missing_scope" and needed:
        fix = f"add the {needed} scope to the app (config/slack_manifest.yaml) and reinstall it"
    return f"{code}: {fix}" if fix else code
