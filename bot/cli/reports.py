"""`ncpi summary`, `ncpi export` and `ncpi chart`: reports on the terminal and in files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bootstrap import Core, build_core
from bot.copy import decision_hint
from ncpi_core.errors import InvalidInput
from ncpi_core.reports.common import NO_PLAN
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.errors import database_errors
from ncpi_core.usecases.summaries import summary_now

if TYPE_CHECKING:
    from ncpi_core.domain.summaries.chart import ChartData


def _core(args: argparse.Namespace) -> Core:
    """The core, with the clock fixed at `--now` when given (a report 'as at' that moment)."""
    core = build_core()
    when = getattr(args, "now", None)
    if when:
        from bot.cli.schedule import parse_when  # lazy: start-up time (the tick's imports)

        fixed = parse_when(when, core.tz, core.now())
        core.clock = lambda: fixed
    return core


def _write(text: str) -> None:
    # a summary may hold any character a lead typed; never fail on a narrow terminal encoding
    stream = sys.stdout
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.write(text.encode(stream.encoding or "ascii", "replace").decode(stream.encoding or "ascii"))


def summary(args: argparse.Namespace) -> int:
    """Print the Silver or Gold summary (exit 1 with a clear line when no plan is loaded)."""
    core = _core(args)
    with database_errors(core.settings.database_url):
        result = summary_now(core.uow, core.config, core.now(), args.level,
                             recommendation=args.recommendation, only=args.filter, report=args.report,
                             item_type=args.item_type)
    if result.empty:
        print(NO_PLAN)
        return 1
    _write(render_summary(result, args.format, hint=decision_hint))
    return 0


def _chart(core: Core) -> tuple[bytes | None, str]:
    """The chart for the export (xlsx's Chart sheet, the HTML pack) and its words, or (None, "")
    when matplotlib is not installed."""
    from ncpi_core.domain.summaries import chart as words  # lazy: start-up time
    from ncpi_core.usecases.charts import chart_data  # lazy: start-up time

    data = chart_data(core.uow, core.config, core.now())
    try:
        return _chart_png_of(data), words.describe_chart(data)
    except words.ChartUnavailable:
        return None, ""


def _chart_png_of(data: ChartData) -> bytes:
    from ncpi_core.reports.chart import render_chart_png  # lazy: start-up time (matplotlib)

    return render_chart_png(data)


def export(args: argparse.Namespace) -> int:
    """Write the plan with its latest updates, history and audit trail to --out."""
    from bot.cli.progress import Progress  # lazy: start-up time of the other commands
    from ncpi_core.reports.export import write_export  # lazy: start-up time (openpyxl, jinja2)
    from ncpi_core.usecases.exports import build_export  # lazy: start-up time

    core = _core(args)
    out = Path(args.out)
    if not out.parent.exists():
        print(f"ncpi export: the folder {out.parent} does not exist.", file=sys.stderr)
        return 1
    if args.revisit or args.audience != "internal":
        from bot.cli.packs import export_pack  # lazy: start-up time (the packs' templates)

        return export_pack(args, core, out)
    args.format = args.format or "xlsx"
    with database_errors(core.settings.database_url), Progress("ncpi export") as progress:
        progress.step("reading the plan, its updates and the audit trail")
        data = build_export(core.uow, core.config, core.now(), report=args.report, item_type=args.item_type)
        if data.summary.empty:
            progress.clear()
            print(NO_PLAN)
            return 1
        pictured = args.format in ("xlsx", "html")
        if pictured:
            progress.step(f"drawing the chart ({len(data.updates):,} updates read)")
        png, alt = _chart(core) if pictured else (None, "")
        progress.step(f"writing {out.name}")
        written = write_export(data, args.format, out, chart_png=png, hint=decision_hint, chart_alt=alt)
    actions = len(data.summary.actions)
    print(f"Wrote {', '.join(str(p) for p in written)}: {actions} actions, {len(data.updates)} updates, "
          f"{len(data.audit)} audit entries.")
    if pictured and png is None:
        print("No chart sheet: matplotlib is missing from this installation; reinstall ncpi (it includes it).")
    return 0


def chart(args: argparse.Namespace) -> int:
    """Draw the plan's position at each past meeting, and progress per recommendation, as a PNG."""
    from ncpi_core.reports.chart import CHART_FORMATS, render_chart  # lazy: start-up time
    from ncpi_core.usecases.charts import chart_data  # lazy: start-up time

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in CHART_FORMATS:  # never PNG bytes in a file named .jpg
        raise InvalidInput("chart.format_unsupported", suffix=out.suffix or "(none)",
                           formats=", ".join(f".{f}" for f in CHART_FORMATS))
    core = _core(args)
    with database_errors(core.settings.database_url):
        data = chart_data(core.uow, core.config, core.now())
    if not data.progress:
        print(NO_PLAN)
        return 1
    out.write_bytes(render_chart(data, fmt))
    print(f"Wrote {out}: {len(data.points)} points, {len(data.progress)} recommendations.")
    return 0
