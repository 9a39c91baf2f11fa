"""The words of setting ncpi up: a missing or malformed secret, Slack refusing or out of reach, a
database URL or time zone that cannot work.

Said by the command line (`ncpi run`, `ncpi tick`, `ncpi check`, `ncpi db upgrade`…) to the person
deploying ncpi, so they name the environment variable, what is wrong with it and what would work:
every case a force's IT meets in the first hour is here, in one place
(tests/integration/test_setup_errors.py tries each one).
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
    # the database (NCPI_DATABASE_URL)
    "storage.url_invalid": ("NCPI_DATABASE_URL cannot be read as a database URL ({reason}): {url}",
                            "Use sqlite:///ncpi.db or postgresql://user:password@host:5432/dbname."),
    "storage.scheme_unsupported": ("NCPI_DATABASE_URL names a '{scheme}' database, which ncpi does not support.",
                                   "Use PostgreSQL (postgresql://user:password@host:5432/dbname) or SQLite "
                                   "(sqlite:///ncpi.db)."),
    "storage.driver_missing": ("NCPI_DATABASE_URL is a PostgreSQL URL, but its driver ({driver}) is not installed.",
                               "Install ncpi with the {extra} extra: pip install 'ncpi[{extra}]' "
                               "(the Docker image has it)."),
    "storage.folder_missing": ("NCPI_DATABASE_URL's SQLite file is in the folder {folder}, which does not exist.",
                               "Create the folder (mkdir -p {folder}) or point NCPI_DATABASE_URL elsewhere."),
    "storage.database_missing": ("The database server answers, but it has no database named {name}.",
                                 "Create it (createdb {name}, or CREATE DATABASE {name}; as the PostgreSQL "
                                 "administrator), then run ncpi db upgrade."),
    "storage.unreachable": ("Cannot reach the database at {url}.",
                            "Check NCPI_DATABASE_URL's host and port, and that the server is running."),
    "storage.no_tables": ("The database has no ncpi tables yet.", "Run `ncpi db upgrade` first."),
    "slack.api_url_invalid": ("SLACK_API_URL is '{url}', which is not an http(s) address.",
                              "Leave it unset for Slack (https://slack.com/api/), or give a full address such as "
                              "https://slack-gov.com/api/ or the one `ncpi standin` prints."),
    # the time zone (NCPI_TIMEZONE or timezone: in ncpi.yaml)
    "settings.timezone_unknown": ("NCPI_TIMEZONE is '{zone}', which is not a time zone name.",
                                  "Use an IANA name such as Europe/London, Europe/Dublin or UTC (abbreviations "
                                  "like BST or GMT are not zones)."),
}
