"""The words of the front door: requests from elsewhere, where a summary may be shared, the
installation and database as `ncpi run` and `ncpi check` find them."""

from __future__ import annotations

from bot.copy.voice import Params, Voice, Words

OTHER_WORKSPACE = ("ncpi serves one Slack workspace, and this request came from another one, so nothing "
                   "was done. Ask your plan administrator which workspace ncpi runs in.")

_LEVEL = {"silver": "A Silver summary", "gold": "A Gold summary"}
_BODY = {"silver": "the Silver channel", "gold": "the Gold channel"}


def _where(p: Params, v: Voice) -> str:
    places = [_BODY[b] + (f" ({v.channel_ref.format(address=a)})" if a else "") for b, a in p["bodies"]]
    places += [v.channel_ref.format(address=a) for a in p["others"]]
    if not places:
        return "no channel yet (ncpi.yaml names none for it)"
    return places[0] if len(places) == 1 else ", ".join(places[:-1]) + " or " + places[-1]


def _post_here(p: Params, v: Voice) -> str:
    return f"{_LEVEL.get(p['level'], 'This summary')} can be posted only in {_where(p, v)}, not here."


FRONTDOOR_ERRORS: dict[str, tuple[Words, Words]] = {
    "summary.post_here": (_post_here, "Type `{cmd}summary {level} post` there, or leave out `post` to see it "
                                      "just for you. The plan administrator can allow more channels under "
                                      "channels.summary_posts in ncpi.yaml."),
    "slack.team_mismatch": ("SLACK_TEAM_ID is {configured}, but SLACK_BOT_TOKEN belongs to {token}.",
                            "Set SLACK_TEAM_ID to the workspace the app is installed in, or leave it unset "
                            "to learn it from the token."),
    "slack.app_mismatch": ("SLACK_APP_ID is {configured}, but SLACK_BOT_TOKEN belongs to app {token}.",
                           "Copy the App ID from Basic Information → App Credentials, or leave it unset."),
    "storage.read_only": ("The database at {url} answers but cannot be written ({problem}).",
                          "Point NCPI_DATABASE_URL at the primary, writable database, and check its "
                          "permissions (and the file's, for SQLite)."),
}
