"""Every colour pair the exports put text on meets WCAG AA (4.5:1), computed from relative luminance.

WCAG 2.2's definitions: relative luminance L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised
sRGB channels, and contrast (L1 + 0.05) / (L2 + 0.05) with L1 the lighter.
"""

from __future__ import annotations

import re

import pytest

from ncpi_core.reports import chart, common, xlsx
from ncpi_core.reports.html import TEMPLATE, _env

AA_TEXT = 4.5


def luminance(hex_colour: str) -> float:
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_gives_the_known_ratios() -> None:
    assert contrast("FFFFFF", "000000") == pytest.approx(21.0)
    assert contrast("777777", "FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("F39C12", "FFFFFF") < AA_TEXT  # white on the old amber: the 2.19:1
    assert contrast("27AE60", "FFFFFF") < AA_TEXT  # white on the old green: 2.87:1


@pytest.mark.parametrize("name", sorted(common.RAG_COLOURS))
def test_each_rag_cell_meets_aa(name: str) -> None:
    background, text = common.RAG_COLOURS[name]
    assert contrast(background, text) >= AA_TEXT


def test_headers_and_the_page_meet_aa() -> None:
    assert contrast(*common.HEADER_COLOURS) >= AA_TEXT
    assert contrast(*common.TEXT_COLOURS) >= AA_TEXT


def _css_pairs(css: str) -> list[tuple[str, str, str]]:
    """(selector, background, colour) of every rule that sets both."""
    pairs = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        bg = re.search(r"background:#([0-9A-Fa-f]{6})", body)
        fg = re.search(r"(?<!-)color:#([0-9A-Fa-f]{6})", body)
        if bg and fg:
            pairs.append((selector.strip(), bg[1], fg[1]))
    return pairs


def test_every_coloured_rule_of_the_html_pack_meets_aa() -> None:
    source = _env.loader.get_source(_env, TEMPLATE)[0]  # type: ignore[union-attr]
    assert "{{" in source
    from ncpi_core.reports.html import write_html  # noqa: F401 - the module renders with these colours

    css = _env.from_string(source.split("<style>")[1].split("</style>")[0]).render(
        colours=common.RAG_COLOURS, header=common.HEADER_COLOURS, page=common.TEXT_COLOURS[0],
        text=common.TEXT_COLOURS[1])
    pairs = _css_pairs(css)
    assert {s for s, _, _ in pairs} >= {"th", ".red", ".amber", ".green", ".blue", ".not_started"}
    assert [(s, round(contrast(b, f), 2)) for s, b, f in pairs if contrast(b, f) < AA_TEXT] == []


def test_the_xlsx_uses_the_same_pairs_and_the_chart_labels_sit_on_white() -> None:
    assert xlsx.RAG_COLOURS is common.RAG_COLOURS and xlsx.HEADER_COLOURS is common.HEADER_COLOURS
    assert set(chart.WORD) == set(chart.COLOURS)  # every bar colour has its word
