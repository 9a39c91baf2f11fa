"""The words of setting ncpi up: a missing or malformed secret, Slack refusing or out of reach.

Said by the command line (`ncpi run`, `ncpi tick`, `ncpi check`) to the person deploying ncpi, so
they name the environment variables and the place in Slack's app settings to copy a value from.
"""

from __future__ import annotations

from bot.copy.voice import Words

SETUP_ERRORS: dict[str, tuple[Words, Words]] = {
    "slack.bot_token_missing": ("SLACK_BOT_TOKEN is not set.",
                                "Set it to the app's Bot User OAuth Token (xoxb-…), in the environment or .env."),
    "slack.bot_token_malformed": ("SLACK_BOT_TOKEN does not look like a bot token.",
                                  "It should start with xoxb- (OAuth & Permissions → Bot User OAuth Token)."),
    "slack.app_token_missing": ("SLACK_APP_TOKEN is not set (needed for --mode socket).",
                                "Create an app-level token with connections:write (Basic Information → "
                                "App-Level Tokens), or use --mode http."),
    "slack.app_token_malformed": ("SLACK_APP_TOKEN does not look like an app-level token.",
                                  "It should start with xapp- (Basic Information → App-Level Tokens)."),
    "slack.signing_secret_missing": ("SLACK_SIGNING_SECRET is not set (needed for --mode http).",
                                     "Copy it from Basic Information → App Credentials → Signing Secret."),
    "slack.token_refused": ("Slack refused SLACK_BOT_TOKEN ({error}).",
                            "Copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions."),
    "slack.unreachable": ("Cannot reach Slack at {url} ({error}).", "Check the network, a proxy, or SLACK_API_URL."),
    "teams.app_id_missing": ("MICROSOFT_APP_ID is not set.",
                             "Set it to the Azure Bot's Microsoft App ID (Azure portal → the bot → Configuration)."),
    "teams.app_id_malformed": ("MICROSOFT_APP_ID does not look like an app id.",
                               "It is a GUID such as 3f2a…-…: copy the Microsoft App ID from the bot's Configuration."),
    "teams.app_password_missing": ("MICROSOFT_APP_PASSWORD is not set.",
                                   "Set it to a client secret of the bot's app registration (Certificates & secrets "
                                   "→ New client secret → Value)."),
    "teams.tenant_missing": ("MICROSOFT_APP_TENANT_ID is not set (ncpi's bot is single tenant).",
                             "Set it to your Microsoft Entra tenant (directory) id."),
    "teams.tenant_malformed": ("MICROSOFT_APP_TENANT_ID does not look like a tenant id.",
                               "It is a GUID: Microsoft Entra admin centre → Overview → Tenant ID."),
    "teams.credentials_refused": ("Microsoft Entra refused the bot's credentials ({error}).",
                                  "Check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD (it may have expired) and "
                                  "MICROSOFT_APP_TENANT_ID."),
    "teams.unreachable": ("Cannot reach Microsoft's sign-in service at {url} ({error}).",
                          "Check the network, a proxy, or NCPI_TEAMS_AUTHORITY."),
    "teams.extra_missing": ("The Microsoft Teams front end is not installed.", "Run: pip install 'ncpi[teams]'"),
}
