"""A Summary as terminal text: tables fitting a 100-column terminal."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from ncpi_core.domain.summaries.model import Level, Summary
from ncpi_core.reports.common import (
    ACTION_HEADERS,
    PARTICIPATION_HEADERS,
    REC_HEADERS,
    DecisionHint,
    action_rows,
    context_lines,
    day,
    detail_lines,
    exception_groups,
    movement_heading,
    movement_lines,
    neutral_hint,
    participation_rows,
    rec_label,
    recommendation_rows,
    recommendation_totals_line,
    title_line,
    totals_line,
)
from ncpi_core.reports.scrutiny import SCRUTINY_HEADING, scrutiny_lines

WIDTH = 100  # the text format fits a 100-column terminal


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=indent,
                         subsequent_indent=indent + "  ") or [indent]


def render_text(s: Summary, hint: DecisionHint = neutral_hint) -> str:
    """Tables for a terminal, within WIDTH columns."""
    out = [title_line(s), *context_lines(s), "", totals_line(s), recommendation_totals_line(s), ""]
    groups = exception_groups(s, hint)
    out.append("EXCEPTIONS" if groups else "EXCEPTIONS: none")
    for title, items in groups:
        out.append(f"  {title} ({len(items)})")
        for item in items:
            out += _wrap(item, "    ")
    out += ["", movement_heading(s).upper()]
    for line in movement_lines(s):
        out += _wrap(line, "  ")
    out += ["", "RECOMMENDATIONS"]
    out.append(tabulate(recommendation_rows(s), headers=REC_HEADERS, tablefmt="simple",
                        maxcolwidths=[None, 30, None, None, None, 34], disable_numparse=True))
    beyond = scrutiny_lines(s)
    if beyond:
        out += ["", SCRUTINY_HEADING.upper()]
        for line in beyond:
            out += _wrap(line, "  ")
    if s.level == Level.SILVER:
        for rec in s.recommendations:
            out += ["", f"{rec.id} {rec.title}"]
            out += _wrap(f"{rec.category.value.replace('_', ' ')}, due {day(rec.due)}; "
                         f"{rec_label(rec)}, {rec.progress}%; "
                         f"{rec.position}", "  ")
            out.append(tabulate(action_rows(rec), headers=ACTION_HEADERS, tablefmt="simple",
                                maxcolwidths=[None, 24, 16, 16, 12, None, 12, 13],
                                disable_numparse=True))
            for a in rec.actions:
                for label, text in detail_lines(a):
                    out += _wrap(f"{a.id} {label}: {text}", "  ")
        rows = participation_rows(s)
        if rows:
            out += ["", "PARTICIPATION (prompts answered, median time to reply)"]
            out.append(tabulate(rows, headers=PARTICIPATION_HEADERS, tablefmt="simple",
                                disable_numparse=True))
    return "\n".join(out) + "\n"
