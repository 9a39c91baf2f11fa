"""The view from outside the force beside a recommendation's position, in words every renderer shares:
the PCC's assurance rating and the inspectorate's status."""

from __future__ import annotations

from ncpi_core.domain.summaries.model import RecommendationLine, ScrutinyLine, Summary

SCRUTINY_HEADING = "The PCC's assurance and the inspectorate's status"


def _short(line: ScrutinyLine, dated: bool) -> str:
    return line.words + (f" ({line.on.isoformat()})" if dated else "")


def beside_position(r: RecommendationLine) -> str:
    """The force's position, then (when recorded) the PCC's rating and the inspectorate's status."""
    bits = [r.position]
    if r.assurance is not None:
        bits.append(f"PCC: {_short(r.assurance, False)}")
    if r.inspectorate is not None:
        bits.append(f"inspectorate: {_short(r.inspectorate, True)}")
    return "; ".join(bits)


def scrutiny_details(r: RecommendationLine) -> list[str]:
    """One line each for the PCC's rating (with its comment) and the inspectorate's status (with its note)."""
    out = []
    if r.assurance is not None:
        a = r.assurance
        out.append(f"PCC's assurance: {a.words} ({a.on.isoformat()}, {a.by_name})" + (f": {a.text}" if a.text else ""))
    if r.inspectorate is not None:
        i = r.inspectorate
        out.append(f"Inspectorate: {i.words} since {i.on.isoformat()}" + (f": {i.text}" if i.text else ""))
    return out


def scrutiny_lines(s: Summary) -> list[str]:
    """Every recommendation shown that has a rating or a status, one line per record, prefixed by its id."""
    return [f"{r.id} — {line}" for r in s.recommendations for line in scrutiny_details(r)]
