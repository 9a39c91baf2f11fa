"""The personal-data guard's cost: per message (median, p99) over the corpus and at the longest
narrative allowed, its share of recording a DM update, and loading it once in a cold process."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ncpi_core.domain import pii
from ncpi_core.domain.models import RAG, Source
from ncpi_core.errors import PersonalDataRefused
from ncpi_core.usecases import updates
from ncpi_core.usecases.updates import UpdateCommand, record_update

from .measure import median, percentile

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "pii"
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2022, 5, 3, 9, tzinfo=UTC)


def messages() -> list[str]:
    """Every sentence of the corpus (attempts and ordinary), as typed."""
    out = []
    for name in ("attempts.txt", "ordinary.txt"):
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                out.append(line.split("\t", 1)[-1])
    return out


def row(what: str, samples_s: list[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in samples_s]
    return {"what": what, "runs": len(ms), "median_ms": round(median(ms), 3), "p99_ms": round(percentile(ms, 99), 3)}


def per_message(texts: list[str], rounds: int) -> list[float]:
    """Seconds of `kinds_in` for each text, `rounds` times over (loaded first: no load in the figures)."""
    pii.warm_up()
    out = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            pii.kinds_in(text)
            out.append(time.perf_counter() - started)
    return out


def update_share(world: Any, config: Any, actor: Any, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of `record_update` on the in-memory store with the guard and with it switched off,
    alternating, on the same ordinary narratives (the part of a DM update the guard adds)."""
    texts = messages()[-150:]
    guarded: list[float] = []
    bare: list[float] = []
    original = updates.refuse_personal_data
    for i in range(rounds):
        for j, text in enumerate(texts):
            for off in ((False, True) if (i + j) % 2 else (True, False)):
                updates.refuse_personal_data = (lambda fields: None) if off else original  # type: ignore[assignment]
                cmd = UpdateCommand(action_id="R3.2", rag=RAG.AMBER, narrative=text, source=Source.DM)
                now = T0 + timedelta(seconds=i * 1000 + j)
                started = time.perf_counter()
                with contextlib.suppress(PersonalDataRefused):
                    record_update(world, config, actor, cmd, now=now, today=now.date())
                (bare if off else guarded).append(time.perf_counter() - started)
    updates.refuse_personal_data = original
    return guarded, bare


def cold_load(runs: int) -> list[dict[str, Any]]:
    """A cold process importing the guard only, and importing and loading it (Presidio, spaCy, lists)."""
    cases = [("import the guard (nothing loaded)", "import ncpi_core.domain.pii"),
             ("import and load the guard (warm_up)", "from ncpi_core.domain import pii; pii.warm_up()")]
    rows = []
    for what, code in cases:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, timeout=120)
            samples.append(time.perf_counter() - started)
        found = row(f"cold process: {what}", samples)
        # VmHWM, not ru_maxrss: a child's ru_maxrss keeps the parent's (pytest's) size across exec
        probe = (f"{code}\nprint([l.split()[1] for l in open('/proc/self/status') "
                 "if l.startswith('VmHWM')][0])")
        peak = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True,
                              timeout=120).stdout.split()[-1]
        found["peak_rss_mb"] = round(int(peak) / 1024, 1)
        rows.append(found)
    return rows


