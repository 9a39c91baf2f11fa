"""The packs for people outside the force, and the revisit bundle, as Markdown and HTML.

Both formats are made from the same neutral parts (`pack_parts`, `revisit_parts`): a title, lines of
introduction, and per timescale each item's heading, text, position (always a word; the HTML adds a
colour meeting WCAG AA) and labelled facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ncpi_core.domain.packs import Audience, Pack
from ncpi_core.domain.revisit import Revisit
from ncpi_core.reports.common import HEADER_COLOURS, RAG_COLOURS, TEXT_COLOURS
from ncpi_core.reports.markdown import md_cell, md_table

PACK_FORMATS = ("markdown", "html")
REVISIT_ACTION_HEADERS = ["Action", "Title", "State", "Due", "Delivered", "Evidence", "Impact measure", "Re-tested"]
_env = Environment(loader=PackageLoader("ncpi_core.reports", ""), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_FIELD = {"title": "its title", "text": "its text", "public summary": "its public summary",
          "assurance comment": "the PCC's comment", "plan title": "the plan's title", "report": "the report's name"}


@dataclass
class Part:
    heading: str
    text: str
    position: str
    css: str
    due: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    actions: list[list[str]] = field(default_factory=list)


def _heading(kind: str, report: str, id_: str, title: str) -> str:
    return f"{kind} {id_}" + (f" ({report})" if report else "") + (f": {title}" if title else "")


def left_out_lines(pack: Pack) -> list[str]:
    """What the personal-data guard kept out of the pack, said without the text itself."""
    return [f"{x.item}: {_FIELD.get(x.field, x.field)} was left out: it looks like it contains "
            f"{x.kind.replace('_', ' ')}." for x in pack.left_out]


def pack_parts(pack: Pack) -> tuple[str, list[str], list[tuple[str, list[Part]]]]:
    """(title, introduction lines, [(timescale, parts)]) of a public or PCC pack."""
    who = "the Police and Crime Commissioner" if pack.audience is Audience.PCC else "the public"
    title = f"{pack.force}: {pack.plan_title}" + (" — PCC pack" if pack.audience is Audience.PCC else " — public pack")
    intro = [f"The force's progress on the inspection{f' ({pack.report})' if pack.report else ''}, for {who}, "
             f"as at {pack.as_at.isoformat()}."
             + (f" The report was published on {pack.published.isoformat()}." if pack.published else "")]
    if pack.pcc_response_due is not None:
        tense = "is" if pack.pcc_response_due >= pack.as_at else "was"
        intro.append(f"The Police and Crime Commissioner's response {tense} due by "
                     f"{pack.pcc_response_due.isoformat()} (56 days after publication, section 55 of the Police "
                     "Act 1996).")
    if pack.narrowed:
        intro.append(f"Showing only {pack.narrowed}.")
    groups = []
    for heading, items in pack.groups:
        parts = []
        for it in items:
            facts = [("What has changed", "; ".join(it.changed) + "."), ("What remains", it.remains)]
            if it.public_summary:
                facts.append(("In the force's words", it.public_summary))
            if it.inspectorate:
                facts.append(("The inspectorate's status", it.inspectorate))
            if it.assurance:
                facts.append(("The PCC's assurance", it.assurance + (f": {it.assurance_comment}"
                                                                     if it.assurance_comment else "")))
            parts.append(Part(_heading(it.kind, it.report, it.id, it.title), it.text, it.position, it.css,
                              it.due.isoformat(), facts))
        groups.append((heading, parts))
    return title, intro, groups


def revisit_parts(bundle: Revisit) -> tuple[str, list[str], list[tuple[str, list[Part]]]]:
    """(title, introduction lines, [("Recommendations", parts)]) of the revisit bundle."""
    title = f"{bundle.force}: {bundle.plan_title} — revisit bundle"
    intro = [f"Each item in the inspectorate's order, with every action's state, evidence, impact measure and "
             f"dates, as at {bundle.as_at.isoformat()}."
             + (f" The report ({bundle.report}) was published on {bundle.published.isoformat()}."
                if bundle.published else "")]
    parts = []
    for it in bundle.items:
        facts = [("The inspectorate's status", it.inspectorate)] if it.inspectorate else []
        rows = [[a.id, a.title, a.state, a.due.isoformat() + (f" (first {a.original_due.isoformat()})"
                                                              if a.due != a.original_due else ""),
                 a.delivered_on.isoformat() if a.delivered_on else "", a.evidence, a.impact,
                 a.retested_on.isoformat() if a.retested_on else ""] for a in it.actions]
        parts.append(Part(_heading(it.kind, it.report, it.id, it.title), it.text, it.position, it.css,
                          it.due.isoformat(), facts, rows))
    return title, intro, [("Items", parts)]


def render_parts_markdown(title: str, intro: list[str], groups: list[tuple[str, list[Part]]],
                          left_out: list[str] | None = None) -> str:
    out = [f"# {md_cell(title)}", ""] + [f"{md_cell(line)}  " for line in intro]
    for heading, parts in groups:
        out += ["", f"## {md_cell(heading)}"]
        for p in parts:
            out += ["", f"### {md_cell(p.heading)}", ""]
            if p.text:
                out += [md_cell(p.text), ""]
            out.append(f"- **Position:** {md_cell(p.position)}. Due {p.due}.")
            out += [f"- **{md_cell(label)}:** {md_cell(value)}" for label, value in p.facts]
            if p.actions:
                out += ["", md_table(REVISIT_ACTION_HEADERS, p.actions)]
    if left_out:
        out += ["", "## Left out", ""] + [f"- {md_cell(line)}" for line in left_out]
    return "\n".join(out) + "\n"


def render_parts_html(title: str, intro: list[str], groups: list[tuple[str, list[Part]]],
                      left_out: list[str] | None = None) -> str:
    return _env.get_template("audience_pack.html").render(
        title=title, intro=intro, groups=groups, left_out=left_out or [], action_headers=REVISIT_ACTION_HEADERS,
        colours=RAG_COLOURS, header=HEADER_COLOURS, page=TEXT_COLOURS[0], text=TEXT_COLOURS[1])


def write_pack(pack: Pack, fmt: str, out: Path) -> list[Path]:
    """Write a public or PCC pack as Markdown or HTML; what the guard left out is listed at its end."""
    title, intro, groups = pack_parts(pack)
    render = render_parts_html if fmt == "html" else render_parts_markdown
    out.write_text(render(title, intro, groups, left_out_lines(pack)), encoding="utf-8")
    return [out]


def write_revisit(bundle: Revisit, fmt: str, out: Path) -> list[Path]:
    """Write the revisit bundle as Markdown or HTML."""
    title, intro, groups = revisit_parts(bundle)
    render = render_parts_html if fmt == "html" else render_parts_markdown
    out.write_text(render(title, intro, groups), encoding="utf-8")
    return [out]
