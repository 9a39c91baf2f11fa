"""`ncpi export --audience pcc|public` and `ncpi export --revisit`: the packs for people outside the
force and the inspectorate's revisit bundle, as Markdown or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.bootstrap import Core
from bot.cli.progress import Progress
from ncpi_core.domain.packs import Audience
from ncpi_core.reports.common import NO_PLAN
from ncpi_core.reports.packs import PACK_FORMATS, left_out_lines, write_pack, write_revisit
from ncpi_core.storage.errors import database_errors
from ncpi_core.usecases.packs import audience_pack, revisit_bundle

SUFFIX_FORMAT = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def pack_format(args: argparse.Namespace, out: Path) -> str | None:
    """The format of a pack: --format, else the file's suffix (markdown when neither says)."""
    return args.format or SUFFIX_FORMAT.get(out.suffix.lower(), "markdown")


def export_pack(args: argparse.Namespace, core: Core, out: Path) -> int:
    """Write the public or PCC pack, or the revisit bundle, to `out`; say what the guard left out."""
    fmt = pack_format(args, out)
    what = "the revisit bundle" if args.revisit else f"the {args.audience} pack"
    if fmt not in PACK_FORMATS:
        print(f"ncpi export: {what} is written as markdown or html, not {fmt}: use --format markdown or "
              "--format html.", file=sys.stderr)
        return 2
    with database_errors(core.settings.database_url), Progress("ncpi export") as progress:
        progress.step(f"reading the plan for {what}")
        if args.revisit:
            bundle = revisit_bundle(core.uow, core.config, core.now(), report=args.report, item_type=args.item_type)
            if not bundle.items and args.report is None and args.item_type is None:
                progress.clear()
                print(NO_PLAN)
                return 1
            written = write_revisit(bundle, fmt, out)
            count, left = len(bundle.items), []
        else:
            pack = audience_pack(core.uow, core.config, core.now(), Audience(args.audience), report=args.report,
                                 item_type=args.item_type)
            if not pack.groups and args.report is None and args.item_type is None:
                progress.clear()
                print(NO_PLAN)
                return 1
            written = write_pack(pack, fmt, out)
            count, left = sum(len(items) for _, items in pack.groups), left_out_lines(pack)
    print(f"Wrote {', '.join(str(p) for p in written)}: {what}, {count} items.")
    for line in left:  # never the text itself: which item, which field, what kind of personal data
        print(f"Left out by the personal-data guard: {line}")
    return 0
