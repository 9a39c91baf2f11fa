"""The guard's figures on its corpus: at least 95 % of realistic attempts refused, at most 2 % of
ordinary action-plan sentences refused; and the same on a held-out set written before the guard
and never used to tune it (tests/fixtures/pii/heldout_*.txt), reported separately.

Run with `-s` (or read the line printed under the test) to see the rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ncpi_core.domain import pii

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "pii"
REFUSED_AT_LEAST = 0.95
PASSED_AT_MOST = 0.02


def _lines(name: str) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def attempts(name: str) -> list[tuple[str, str]]:
    """(kind, text) pairs of an attempts file."""
    return [(kind, text) for kind, text in (line.split("\t", 1) for line in _lines(name))]


@dataclass
class Rates:
    refused: int
    attempts: int
    false_positives: int
    ordinary: int
    missed: list[tuple[str, str]]
    wrongly_refused: list[tuple[str, list[str]]]

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.attempts

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.ordinary

    def line(self, name: str) -> str:
        return (f"{name}: {self.refused}/{self.attempts} attempts refused ({self.refusal_rate:.1%}), "
                f"{self.false_positives}/{self.ordinary} ordinary sentences refused ({self.false_positive_rate:.1%})")


def measure(attempts_file: str, ordinary_file: str) -> Rates:
    tried = attempts(attempts_file)
    missed = [(kind, text) for kind, text in tried if not pii.kinds_in(text)]
    ordinary = _lines(ordinary_file)
    wrong = [(text, found) for text in ordinary if (found := pii.kinds_in(text))]
    return Rates(len(tried) - len(missed), len(tried), len(wrong), len(ordinary), missed, wrong)


def _report(rates: Rates, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + rates.line(name))
        for kind, text in rates.missed:
            print(f"  let through ({kind}): {text}")
        for text, found in rates.wrongly_refused:
            print(f"  refused ({', '.join(found)}): {text}")


def test_the_corpus_is_big_enough_and_covers_every_kind() -> None:
    tried = attempts("attempts.txt")
    assert len(tried) >= 150 and len(_lines("ordinary.txt")) >= 150
    assert {kind for kind, _ in tried} == set(pii.KINDS)
    assert len(attempts("heldout_attempts.txt")) >= 70 and len(_lines("heldout_ordinary.txt")) >= 70


def test_the_corpus_meets_the_goal(capsys: pytest.CaptureFixture[str]) -> None:
    rates = measure("attempts.txt", "ordinary.txt")
    _report(rates, "corpus", capsys)
    assert rates.refusal_rate >= REFUSED_AT_LEAST, rates.line("corpus")
    assert rates.false_positive_rate <= PASSED_AT_MOST, rates.line("corpus")


def test_the_held_out_set_meets_the_goal(capsys: pytest.CaptureFixture[str]) -> None:
    rates = measure("heldout_attempts.txt", "heldout_ordinary.txt")
    _report(rates, "held-out", capsys)
    assert rates.refusal_rate >= REFUSED_AT_LEAST, rates.line("held-out")
    assert rates.false_positive_rate <= PASSED_AT_MOST, rates.line("held-out")


def test_the_measure_counts_what_it_says() -> None:
    """The figures come from the guard: a guard that refuses nothing would fail the goal."""
    rates = Rates(refused=150, attempts=159, false_positives=4, ordinary=162, missed=[], wrongly_refused=[])
    assert rates.refusal_rate < REFUSED_AT_LEAST and rates.false_positive_rate > PASSED_AT_MOST
    found = measure("attempts.txt", "ordinary.txt")
    assert found.refused + len(found.missed) == found.attempts
