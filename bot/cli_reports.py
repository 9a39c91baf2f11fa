"""`ncpi summary`, `ncpi export` and `ncpi chart`: reports on the terminal and in files."""

from __future__ import annotations

import argparse
import sys

from bot.bootstrap import build_core
from bot.errors import database_errors
from ncpi_core.summaries import NO_PLAN


def _write(text: str) -> None:
    # a summary may hold any character a lead typed; never fail on a narrow terminal encoding
    stream = sys.stdout
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.write(text.encode(stream.encoding or "ascii", "replace").decode(stream.encoding or "ascii"))


def summary(args: argparse.Namespace) -> int:
    """Print the Silver or Gold summary (exit 1 with a clear line when no plan is loaded)."""
    from ncpi_core.render import render_summary
    from ncpi_core.summaries import summary_now

    core = build_core()
    with database_errors(core.settings.database_url):
        result = summary_now(core.uow, core.config, core.now(), args.level,
                             recommendation=args.recommendation, only=args.filter)
    if result.empty:
        print(NO_PLAN)
        return 1
    _write(render_summary(result, args.format))
    return 0
