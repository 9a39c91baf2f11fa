"""The `ncpi` command line. Sub-commands live in small modules imported only when used (fast --help)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

# sub-command -> "module:function"; each handler takes the parsed args and returns an exit status
HANDLERS = {
    "run": "bot.cli.run:run",
    "demo": "bot.cli.demo:demo",
    "db.upgrade": "bot.cli.db:upgrade",
    "plan.load": "bot.cli.plan:load",
    "plan.import": "bot.cli.plan:import_table",
    "summary": "bot.cli.reports:summary",
    "export": "bot.cli.reports:export",
    "chart": "bot.cli.reports:chart",
    "check": "bot.cli.check:check",
    "schedule": "bot.cli.schedule:schedule",
    "next": "bot.cli.schedule:next_meetings",
    "tick": "bot.cli.schedule:tick",
    "standin": "bot.cli.standin:standin",
    "teams-package": "bot.cli.teams:package",
}


def _version() -> str:
    try:
        return version("ncpi")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ncpi",
        description="Runs the Gold/Silver/Bronze governance cycle of an inspection action plan in Slack or Microsoft Teams.",
        epilog="Settings come from the environment or .env: SLACK_BOT_TOKEN, SLACK_APP_TOKEN, "
        "SLACK_SIGNING_SECRET, SLACK_API_URL, NCPI_DATABASE_URL, NCPI_CONFIG_DIR, NCPI_TIMEZONE. "
        "Roles in ncpi.yaml: bronze, silver, silver_chair, gold, gold_chair, admin, pcc, observer. "
        "Packs: ncpi export --audience internal|pcc|public, ncpi export --revisit. "
        "In chat (/ncpi help): assurance R4 assured|partly|not <comment> (pcc), "
        "inspectorate R4 <status> [YYYY-MM-DD] [note] (admin).",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    p.add_argument("--version", action="version", version=f"ncpi {_version()}", help="print ncpi's version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot and its scheduler")
    run.add_argument("--platform", choices=["slack", "teams"], default="slack",
                     help="slack (default) or teams (Bot Framework activities at /api/messages)")
    run.add_argument("--mode", choices=["socket", "http"], default=None,
                     help="socket (default when SLACK_APP_TOKEN is set) or http")
    run.add_argument("--port", type=int, default=None,
                     help="HTTP port: default 3000 (Slack, http mode), 3978 (Teams)")
    run.add_argument("--threads", type=int, default=8,
                     help="HTTP worker threads (Slack's http mode), default 8: each holds a request only until "
                          "it is acknowledged")
    run.add_argument("--no-scheduler", action="store_true",
                     help="do not tick; use `ncpi tick` from cron instead")
    run.add_argument("--dry-run", action="store_true",
                     help="answer Slack as usual, but log what the scheduler would send instead of sending it")

    demo = sub.add_parser("demo", help="a whole governance cycle against a local Slack (or Teams) stand-in, no tokens")
    demo.add_argument("--platform", choices=["slack", "teams"], default="slack", help="slack (default) or teams")
    demo.add_argument("--database", default=None,
                      help="where to keep the demo's data: default sqlite:///ncpi-demo.db (Slack), "
                           "sqlite:///ncpi-demo-teams.db (Teams), so one demo does not replace the other's")
    demo.add_argument("--quiet", action="store_true", help="print only the closing lines")
    demo.add_argument("--full", action="store_true", help="print every message in full")

    db = sub.add_parser("db", help="database commands")
    dbsub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    dbsub.add_parser("upgrade", help="create or migrate the schema (safe to run from several replicas at once)")

    plan = sub.add_parser("plan", help="load or import the action plan")
    plansub = plan.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND")
    load = plansub.add_parser("load", help="load or sync the plan from YAML")
    load.add_argument("file", nargs="?", help="plan file (default: $NCPI_CONFIG_DIR/action_plan.yaml)")
    load.add_argument("--if-changed", action="store_true",
                      help="load only if the file changed since it was last loaded (for start-up scripts)")
    imp = plansub.add_parser("import", help="load or sync the plan from a CSV or Excel file")
    imp.add_argument("file", help="FILE.csv or FILE.xlsx (same columns as `ncpi export --format csv`)")

    summ = sub.add_parser("summary", help="the Silver or Gold summary on the terminal")
    summ.add_argument("--level", choices=["silver", "gold"], default="silver",
                      help="silver: every action; gold: exceptions and one line per recommendation (default silver)")
    summ.add_argument("--format", choices=["text", "markdown", "csv", "json"], default="text",
                      help="how to print it (default text)")
    summ.add_argument("--filter", choices=["overdue", "missing", "red"], default=None,
                      help="only overdue actions, those with no update this cycle, or red ones")
    summ.add_argument("--recommendation", default=None, help="only this recommendation, e.g. R3")
    summ.add_argument("--report", default=None, help="only the items of this report (a plan of several), e.g. VSA")
    summ.add_argument("--type", default=None, dest="item_type",
                      help="only recommendation, area_for_improvement or cause_of_concern items")
    summ.add_argument("--now", default=None, help="as at this ISO date-time (default: now)")

    exp = sub.add_parser("export", help="the plan with its latest updates and history, or a pack for the PCC, "
                                        "the public or the inspectorate's revisit")
    exp.add_argument("--format", choices=["xlsx", "csv", "markdown", "html"], default=None,
                     help="xlsx (the internal default), csv (the import template), markdown or html (a printable "
                          "pack; the PCC, public and revisit packs are one of these, by --out's suffix by default)")
    exp.add_argument("--audience", choices=["internal", "pcc", "public"], default="internal",
                     help="internal: the Silver pack (default); public: plain English, no names, ids, blockers or "
                          "narratives; pcc: the public pack with the PCC's assurance and the 56-day response date")
    exp.add_argument("--revisit", action="store_true",
                     help="the inspectorate's revisit bundle: each action's delivered and embedded state, "
                          "evidence, impact measure and dates")
    exp.add_argument("--out", required=True, help="the file to write")
    exp.add_argument("--report", default=None, help="only the items of this report (a plan of several), e.g. VSA")
    exp.add_argument("--type", default=None, dest="item_type",
                     help="only recommendation, area_for_improvement or cause_of_concern items")
    exp.add_argument("--now", default=None, help="as at this ISO date-time (default: now)")

    chart = sub.add_parser("chart", help="the plan's RAG position over time as a PNG")
    chart.add_argument("--out", required=True, help="the file to write: .png, or .svg or .pdf")
    chart.add_argument("--now", default=None, help="as at this ISO date-time (default: now)")

    check = sub.add_parser("check", help="validate configuration and plan (and Slack or Teams, with credentials)")
    check.add_argument("--platform", choices=["slack", "teams"], default="slack",
                       help="which front end's ids and credentials to check (default slack)")

    sched = sub.add_parser("schedule", help="preview what the bot will send and when (sends nothing)")
    sched.add_argument("--from", dest="from_", default=None, help="YYYY-MM-DD (default: today)")
    sched.add_argument("--to", default=None, help="YYYY-MM-DD (default: 6 weeks after --from)")
    sched.add_argument("--format", choices=["text", "json"], default="text", help="how to print it (default text)")

    nxt = sub.add_parser("next", help="the next meetings and the deadlines before them")
    nxt.add_argument("--now", default=None, help="ISO date-time to look from (default: now)")

    tick = sub.add_parser("tick", help="send whatever is due now, once, and exit (for cron)")
    tick.add_argument("--now", default=None,
                      help="ISO date-time (default: now); a future time needs --dry-run or --force")
    tick.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")
    tick.add_argument("--force", action="store_true", help="send even though --now is in the future")
    tick.add_argument("--platform", choices=["slack", "teams"], default="slack",
                      help="the chat platform to send on (default slack)")
    standin = sub.add_parser("standin", help="a local Slack stand-in to try `ncpi run` and `ncpi tick` without a "
                                               "workspace; prints the settings to use")
    standin.add_argument("--port", type=int, default=3001,
                         help="the stand-in's port on 127.0.0.1 (default 3001; 0 picks a free one)")

    package = sub.add_parser("teams-package", help="the Teams app package (manifest and icons) to upload")
    package.add_argument("--out", default="ncpi-teams.zip", help="the .zip to write (default ncpi-teams.zip)")
    package.add_argument("--app-id", default=None,
                         help="the bot's Microsoft App ID (default: MICROSOFT_APP_ID from the environment)")
    package.add_argument("--version", dest="app_version", default=None, help="the app's version (default: ncpi's)")
    package.add_argument("--developer", default=None, help="who publishes it (default: the force in ncpi.yaml)")
    for page in ("website", "privacy", "terms"):
        package.add_argument(f"--{page}-url", default=None,
                             help=f"https URL of the force's {page} page for the app (default: a placeholder)")
    return p


def _command_key(args: argparse.Namespace) -> str | None:
    if args.command == "db":
        return f"db.{args.db_command}" if args.db_command else None
    if args.command == "plan":
        return f"plan.{args.plan_command}" if args.plan_command else None
    return args.command


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    key = _command_key(args)
    if key is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    module_name, func_name = HANDLERS[key].split(":")
    from bot import copy  # lazy: keeps `ncpi --help` fast
    from ncpi_core.errors import NcpiError  # lazy: keeps `ncpi --help` fast

    try:
        handler = getattr(importlib.import_module(module_name), func_name)
        status = int(handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
        return status
    except NcpiError as exc:
        print(f"ncpi {key.replace('.', ' ')}: {copy.error_text(exc, copy.CLI)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _pipe_closed()


def _pipe_closed() -> int:
    """The reader went away (`ncpi schedule | head`): stop quietly, as Unix tools do (128 + SIGPIPE).

    stdout is pointed at /dev/null so Python's own flush at exit does not complain again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


if __name__ == "__main__":
    raise SystemExit(main())
