"""`ncpi plan load [FILE]` and `ncpi plan import FILE.csv|FILE.xlsx`."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from bot.bootstrap import Core, build_core
from bot.cli.progress import Progress
from ncpi_core.config.schema import PlanFile, load_plan_file
from ncpi_core.config.tables import read_plan_table
from ncpi_core.storage.errors import database_errors
from ncpi_core.usecases.plan import LoadReport, load_plan

# the plan file's content digest and when it was loaded: `plan load --if-changed` compares with it
PLAN_DIGEST = "plan_file_loaded"


def _store(core: Core, plan: PlanFile, source: str, digest: str | None = None) -> LoadReport:
    """Sync a validated plan into the database in one transaction (with the file's digest, if given)."""
    with database_errors(core.settings.database_url), core.uow() as uow:
        report = load_plan(plan, core.config, uow, core.now(), actor="cli", source=source)
        if digest is not None:
            uow.state.put(PLAN_DIGEST, f"{digest} {core.now().isoformat(timespec='seconds')}", core.now())
        uow.commit()
    return report


def _last_load(core: Core) -> tuple[str, str] | None:
    """(digest, when) of the plan file last loaded with `ncpi plan load`, if any."""
    with database_errors(core.settings.database_url), core.uow() as uow:
        value = uow.state.get(PLAN_DIGEST)
    if not value:
        return None
    digest, _, when = value.partition(" ")
    return digest, when


def _print_report(plan: PlanFile, source_name: str, report: LoadReport) -> int:
    recs = len(plan.recommendations)
    acts = sum(len(r.actions) for r in plan.recommendations)
    print(f"Loaded {source_name}: {recs} recommendations, {acts} actions.")
    for line in report.lines():
        print(f"  {line}")
    return 0


def load(args: argparse.Namespace) -> int:
    """Load the plan file; with --if-changed, only when its content differs from the last load
    (so a start-up script never undoes what `ncpi plan import` brought in from a spreadsheet)."""
    core = build_core()
    path = Path(args.file) if args.file else core.settings.plan_file
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    if getattr(args, "if_changed", False) and digest is not None:
        last = _last_load(core)
        if last is not None and last[0] == digest:
            print(f"Plan {path} unchanged since it was loaded at {last[1]}: not loaded again "
                  "(changes made since, e.g. with ncpi plan import, are kept).")
            return 0
        print(f"Plan {path} " + ("changed since the last load" if last else "never loaded before") + ": loading it.")
    plan = load_plan_file(path, core.config)
    return _print_report(plan, str(path), _store(core, plan, "cli", digest))


def import_table(args: argparse.Namespace) -> int:
    core = build_core()
    path = Path(args.file)
    with Progress("ncpi plan import") as progress:
        progress.step(f"reading and checking {path.name}")
        plan = read_plan_table(path, core.config)
        progress.step(f"storing {sum(len(r.actions) for r in plan.recommendations)} actions")
        report = _store(core, plan, "import")
    return _print_report(plan, str(path), report)
