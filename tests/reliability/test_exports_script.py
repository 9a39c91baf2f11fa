"""Script in exports: narratives, blockers, evidence and reasons written to carry script into the
Markdown packs, rendered by a common Markdown renderer set as permissively as the least careful one
(raw HTML on, every link scheme allowed): no script, no event handler, no dangerous link survives."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from bot.copy import decision_hint
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.domain.records import AuditEntry
from ncpi_core.reports.export import write_export
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.exports import build_export
from ncpi_core.usecases.summaries import summary_now
from reliability.harness import Figures

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">minutes</a>',
    "<b onmouseover=alert(1)>hover</b>",
    "<scr<script>ipt>alert(1)</script>",
    "[minutes](javascript:alert(1))",
    "[minutes](JaVaScRiPt:alert(1))",
    "[minutes](<javascript:alert(1)>)",
    "[minutes](&#106;avascript:alert(1))",
    "[minutes](javascript&#58;alert(1))",
    "[minutes](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[minutes](vbscript:msgbox(1))",
    "[minutes](file:///etc/passwd)",
    "![chart](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[minutes][r] [r]: javascript:alert(1)",
    "\\<script>alert(1)\\</script>",
    "`code` <script>alert(1)</script>",
    "| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "line one\n[r]: javascript:alert(1)\n<script>alert(2)</script>",
]
DANGEROUS = ("javascript:", "vbscript:", "data:", "file:")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset", "background", "poster"}
BAD_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "form", "meta", "link"}


class ScriptFinder(HTMLParser):
    """Everything in rendered HTML that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BAD_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            elif name in URL_ATTRS and value is not None:
                bare = "".join(ch for ch in value if ch > " ").lower()  # browsers skip spaces and controls
                if bare.startswith(DANGEROUS):
                    self.found.append(f"{tag} {name}={value[:40]}")


def permissive_renderer() -> MarkdownIt:
    """markdown-it-py as CommonMark with tables, raw HTML on and no link filter (as some renderers)."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def scripts_in(markdown: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(permissive_renderer().render(markdown))
    return finder.found


def test_the_renderer_would_show_script_that_was_not_escaped() -> None:
    """The check can fail: the same texts, unescaped, are caught."""
    assert len([t for t in HOSTILE if scripts_in(f"| a |\n|---|\n| {t} |\n\n{t}")]) >= len(HOSTILE) - 3


def test_no_script_survives_in_the_markdown_packs(north_db: str, force_config: ForceConfig, tmp_path: Path,
                                                  figures: Figures) -> None:
    started = time.monotonic()
    engine = build_engine(north_db)
    uow_factory = SqlUowFactory(engine)
    at = datetime(2022, 4, 26, 9, tzinfo=UTC)
    with uow_factory() as uow:
        for i, text in enumerate(HOSTILE):
            uow.updates.add(Update(action_id="R3.2", rag=RAG.RED, progress=10, narrative=text, blockers=text,
                                   evidence=text, author="head_learning", source=Source.DM,
                                   created_at=at + timedelta(minutes=i)))
            uow.audit.add(AuditEntry(at=at + timedelta(minutes=i), entity="action", entity_id="R3.2",
                                     event="closure_rejected", field="status", old="proposed", new="open",
                                     actor="tacc", reason=text))
        uow.commit()
    now = datetime(2022, 5, 3, 9, tzinfo=UTC)
    packs = {"summary (the file `/ncpi summary` attaches)": render_summary(
        summary_now(uow_factory, force_config, now, "silver"), "markdown", hint=decision_hint)}
    [path] = write_export(build_export(uow_factory, force_config, now), "markdown", tmp_path / "pack.md")
    packs["meeting pack (`ncpi export --format markdown`)"] = path.read_text("utf-8")
    engine.dispose()
    survived = {name: scripts_in(text) for name, text in packs.items()}
    assert all(not found for found in survived.values()), survived
    for text in packs.values():  # what people wrote is still there, as text (the latest in the summary)
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    history = packs["meeting pack (`ncpi export --format markdown`)"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history and "\\[minutes\\](javascript:alert(1))" in history
    tried = len(HOSTILE) * len(packs)
    figures.record("Script in exports: hostile narratives, blockers, evidence and reasons in the Markdown packs",
                   runs=len(packs), inputs=tried,
                   note=(f"{len(HOSTILE)} texts × {len(packs)} packs rendered by markdown-it-py with raw HTML on "
                         "and no link filter: 0 script tags, 0 event handlers, 0 javascript:/data:/vbscript:/file: "
                         "links survived"),
                   seconds=time.monotonic() - started)
