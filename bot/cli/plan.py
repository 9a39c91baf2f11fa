"""`ncpi plan load [FILE]` and `ncpi plan import FILE.csv|FILE.xlsx`."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.bootstrap import Core, build_core
from bot.cli.progress import Progress
from ncpi_core.config.schema import PlanFile, load_plan_file
from ncpi_core.config.tables import read_plan_table
from ncpi_core.storage.errors import database_errors
from ncpi_core.usecases.plan import LoadReport, load_plan


def _store(core: Core, plan: PlanFile, source: str) -> LoadReport:
    """Sync a validated plan into the database in one transaction."""
    with database_errors(core.settings.database_url), core.uow() as uow:
        report = load_plan(plan, core.config, uow, core.now(), actor="cli", source=source)
        uow.commit()
    return report


def _print_report(plan: PlanFile, source_name: str, report: LoadReport) -> int:
    recs = len(plan.recommendations)
    acts = sum(len(r.actions) for r in plan.recommendations)
    print(f"Loaded {source_name}: {recs} recommendations, {acts} actions.")
    for line in report.lines():
        print(f"  {line}")
    return 0


def load(args: argparse.Namespace) -> int:
    core = build_core()
    path = Path(args.file) if args.file else core.settings.plan_file
    plan = load_plan_file(path, core.config)
    return _print_report(plan, str(path), _store(core, plan, "cli"))


def import_table(args: argparse.Namespace) -> int:
    core = build_core()
    path = Path(args.file)
    with Progress("ncpi plan import") as progress:
        progress.step(f"reading and checking {path.name}")
        plan = read_plan_table(path, core.config)
        progress.step(f"storing {sum(len(r.actions) for r in plan.recommendations)} actions")
        report = _store(core, plan, "import")
    return _print_report(plan, str(path), report)
