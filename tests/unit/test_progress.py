"""Progress lines appear on a terminal and nowhere else."""

from __future__ import annotations

import io

from bot.cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal() -> None:
    out = io.StringIO()
    with Progress("ncpi export", stream=out) as p:
        p.step("reading the plan")
    assert out.getvalue() == ""


def test_on_a_terminal_each_step_rewrites_the_line_and_it_is_cleared() -> None:
    out = Terminal()
    with Progress("ncpi demo", stream=out, total=4) as p:
        p.step("Fri 11 Mar 2022", advance=1)
        p.step("Mon 14 Mar 2022", advance=1)
    text = out.getvalue()
    assert "ncpi demo: [##########..........] 2/4 Mon 14 Mar 2022" in text
    assert text.count("\r") >= 3 and text.endswith("\r")
