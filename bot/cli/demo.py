"""`ncpi demo`: a whole governance cycle against the built-in Slack stand-in, no workspace or tokens."""

from __future__ import annotations

import argparse
import io
import logging

from bot.cli.progress import Progress
from bot.defaults import DEFAULTS_DIR
from bot.settings import Settings
from bot.slack.demo import LAST_MOMENT, WORKING_DAYS, run_demo
from ncpi_core.storage.errors import safe_url


def demo(args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.ERROR)  # the tour is the output; keep the logs quiet
    if getattr(args, "platform", "slack") == "teams":
        return teams_demo(args)
    print("ncpi demo: two governance cycles of the North Yorkshire NCPI plan, 11 March – 1 April 2022,")
    print("against a local stand-in for Slack (nothing leaves this machine; no tokens needed).")
    print("Every message below went through the real bot: signed requests to its Bolt listeners,")
    print("the delivery ledger and the scheduler's tick. Only the clock is simulated.")
    sink = io.StringIO() if args.quiet else None
    with Progress("ncpi demo", total=WORKING_DAYS) as progress:  # shown with --quiet on a terminal
        result = run_demo(args.database or "sqlite:///ncpi-demo.db", out=sink, full=getattr(args, "full", False),
                          progress=progress if args.quiet else None)
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}"
                      + (f" in {n + result.later_parts[k]} messages" if result.later_parts.get(k) else "")
                      for k, n in sorted(result.by_kind.items()))
    _closing_lines(result.seconds, result.messages, kinds, result.database_url, LAST_MOMENT, chart=True)
    return 0


def teams_demo(args: argparse.Namespace) -> int:
    """`ncpi demo --platform teams`: the same tour, in Teams, against the Teams stand-in."""
    from bot.teams import demo as teams  # lazy: the Slack demo never loads the Agents SDK

    print("ncpi demo --platform teams: one governance cycle of the North Yorkshire NCPI plan, 11–22 March 2022,")
    print("against a local stand-in for Microsoft Teams (nothing leaves this machine; no tenant, no credentials).")
    print("Every message below went through the real bot: activities signed as the Bot Framework signs them,")
    print("the Microsoft 365 Agents SDK, the delivery ledger and the scheduler's tick. Only the clock is simulated.")
    sink = io.StringIO() if args.quiet else None
    with Progress("ncpi demo", total=teams.WORKING_DAYS) as progress:
        result = teams.run_teams_demo(args.database or "sqlite:///ncpi-demo-teams.db", out=sink, full=getattr(args, "full", False),
                                progress=progress if args.quiet else None)
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(result.by_kind.items()))
    _closing_lines(result.seconds, result.messages, kinds, result.database_url, teams.LAST_MOMENT, chart=False)
    return 0


def _closing_lines(seconds: float, messages: int, kinds: str, database_url: str, last_moment: str,
                   chart: bool) -> None:
    """What the tour sent, and how to explore its database as at its last simulated moment."""
    print()
    print(f"Done in {seconds:.1f} s: {messages} messages ({kinds}).")
    print(f"The demo's database is {safe_url(database_url)}; explore it with:")
    env = f"NCPI_DATABASE_URL={database_url}"
    if not (Settings().config_file).exists():
        # outside a checkout: point at the example configuration the demo used
        env += f" NCPI_CONFIG_DIR={DEFAULTS_DIR}"
    at = f"--now {last_moment}"
    print(f"  {env} ncpi summary --level gold {at}")
    print(f"  {env} ncpi export --format xlsx --out ncpi-demo.xlsx {at}")
    print(f"  {env} ncpi export --audience public --out ncpi-demo-public.html {at}")
    if chart:
        print(f"  {env} ncpi chart --out ncpi-demo.png {at}")
