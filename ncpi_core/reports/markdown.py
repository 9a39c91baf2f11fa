"""A Summary as Markdown: headings, pipe tables and lists (the meeting pack's first part).

Text people typed (narratives, blockers, evidence, titles, names) can carry nothing but text: raw
HTML is escaped as entities and the brackets that make links and images are escaped, so no
renderer turns `<script>`, `<img onerror=…>` or `[x](javascript:…)` into markup. A bare
http(s) address still shows as a link where the renderer links addresses (GitHub does); an
address with any other scheme (javascript:, data:, vbscript:, file:) is never a link.
"""

from __future__ import annotations

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
    due_text,
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

# Markdown's own punctuation that could open markup (backslash first, so escapes are not doubled)
_MD_ESCAPES = (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("[", "\\["), ("]", "\\]"),
               ("|", "\\|"), ("\r", " "), ("\n", " "))


def md_cell(text: object) -> str:
    """Text as inert Markdown on one line: no HTML, no links or images, no table breaks."""
    out = str(text)
    for raw, escaped in _MD_ESCAPES:
        out = out.replace(raw, escaped)
    return out


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    return tabulate([[md_cell(c) for c in r] for r in rows], headers=headers, tablefmt="pipe",
                    disable_numparse=True)


def render_markdown(s: Summary, hint: DecisionHint = neutral_hint) -> str:
    out = [f"# {md_cell(title_line(s))}", "", *[f"{md_cell(line)}  " for line in context_lines(s)], "",
           f"**{totals_line(s)}**  ", f"{md_cell(recommendation_totals_line(s))}", "", "## Exceptions", ""]
    groups = exception_groups(s, hint)
    if not groups:
        out.append("None.")
    for title, items in groups:
        out += [f"**{title}** ({len(items)})", ""] + [f"- {md_cell(i)}" for i in items] + [""]
    out += ["", f"## {movement_heading(s)}", ""] + [f"- {md_cell(line)}" for line in movement_lines(s)]
    out += ["", "## Recommendations", "", md_table(REC_HEADERS, recommendation_rows(s))]
    beyond = scrutiny_lines(s)
    if beyond:
        out += ["", f"## {SCRUTINY_HEADING}", ""] + [f"- {md_cell(line)}" for line in beyond]
    if s.level == Level.SILVER:
        for rec in s.recommendations:
            out += ["", f"### {md_cell(rec.id)} {md_cell(rec.title)}", "",
                    f"{rec.category.value.replace('_', ' ')}, due {day(rec.due)}; "
                    f"{rec_label(rec)}, {rec.progress}%; "
                    f"{md_cell(rec.position)}", ""]
            rows = [[*r[:3], due_text(a, " "), *r[4:]] for r, a in zip(action_rows(rec), rec.actions, strict=True)]
            out.append(md_table(ACTION_HEADERS, rows))
            notes = [f"- **{md_cell(a.id)} {label}:** {md_cell(text)}"
                     for a in rec.actions for label, text in detail_lines(a)]
            if notes:
                out += [""] + notes
        rows = participation_rows(s)
        if rows:
            out += ["", "## Participation", "", md_table(PARTICIPATION_HEADERS, rows)]
    return "\n".join(out) + "\n"
