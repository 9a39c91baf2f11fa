"""`ncpi run --platform teams` (the bot at /api/messages, /healthz, the scheduler) and
`ncpi teams-package` (the app package to upload in the Teams admin centre)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

from bot.bootstrap import Core, build_teams
from bot.settings import Settings, teams_credentials
from bot.teams.http import HEALTH_PATH, MESSAGES_PATH
from bot.teams.package import write_package
from ncpi_core.config.schema import load_force_config
from ncpi_core.errors import NcpiError

log = logging.getLogger("ncpi.run")
TEAMS_PORT = 3978  # the Bot Framework's customary port


def run_teams(args: argparse.Namespace, settings: Settings, ready_core: Callable[[Settings], Core]) -> int:
    """Serve Teams until Ctrl-C or SIGTERM (aiohttp's runner handles both), the scheduler beside it."""
    from aiohttp import web  # lazy: a Slack deployment never loads aiohttp's server

    teams_credentials(settings)  # every missing or malformed credential is one clear line, first
    core = ready_core(settings)
    teams = build_teams(core, scheduler=not args.no_scheduler)
    if teams.scheduler is not None:
        if getattr(args, "dry_run", False):
            teams.scheduler.dry_run = True  # answer Teams as usual; log what would be sent instead
        teams.scheduler.start()
    else:
        log.info("no scheduler (--no-scheduler): run `ncpi tick --platform teams` from cron to send what is due")
    port = args.port or TEAMS_PORT
    log.info("ncpi serving Teams at http://0.0.0.0:%s%s (health: %s); Teams needs it behind HTTPS",
             port, MESSAGES_PATH, HEALTH_PATH)
    try:
        web.run_app(teams.web_app, host="0.0.0.0", port=port, print=None, access_log=None)
    finally:
        if teams.scheduler is not None:
            teams.scheduler.shutdown()
        teams.gateway.close()
    return 0


def package(args: argparse.Namespace) -> int:
    """`ncpi teams-package --out FILE.zip [--app-id GUID] [--version X.Y.Z]`."""
    settings = Settings()
    app_id = args.app_id or settings.microsoft_app_id
    pages = {name: value for name, value in (("website", args.website_url), ("privacy", args.privacy_url),
                                             ("terms", args.terms_url)) if value}
    developer = args.developer or _force_name(settings)
    out = write_package(Path(args.out), app_id, version=args.app_version, developer=developer, **pages)
    print(f"Wrote {out}: manifest.json (Teams app manifest v{out.manifest_version}), color.png 192×192, "
          f"outline.png 32×32.")
    if len(pages) < 3:
        print("Note: the developer's website, privacy and terms pages are placeholders: give the force's own "
              "with --website-url, --privacy-url and --terms-url before publishing it beyond a trial.")
    print("Upload it in the Teams admin centre: Teams apps → Manage apps → Upload new app; then add it to an "
          "app setup policy so it is installed for everyone in ncpi.yaml (see README, Connect Microsoft Teams).")
    return 0


def _force_name(settings: Settings) -> str:
    """The force in ncpi.yaml, as the app's publisher (ncpi when the file cannot be read)."""
    try:
        return load_force_config(settings.config_file).force
    except NcpiError:
        return "ncpi"
