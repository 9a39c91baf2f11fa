"""Commands load only what they use: nothing of Slack, Alembic, matplotlib or `holidays` where it
is not needed (a cold process; start-up time itself is measured in tests/bench, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ncpi_core.storage.sql import SqlUowFactory

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("slack_bolt", "slack_sdk", "alembic", "matplotlib", "holidays", "openpyxl", "jinja2", "apscheduler",
         "waitress", "presidio_analyzer", "spacy", "aiohttp", "microsoft_agents")
PROBE = """
import contextlib, io, json, sys
from bot.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        status = main(sys.argv[1:])
    except SystemExit as exc:
        status = exc.code
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY_NAMES))
print(json.dumps({"status": status, "heavy": heavy, "out": out.getvalue()[:4000]}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def loaded_modules(db_url: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "NCPI_DATABASE_URL": db_url, "NCPI_CONFIG_DIR": str(ROOT / "config"),
           "PYTHONPATH": str(ROOT)}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_help_loads_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    seen = loaded_modules(f"sqlite:///{tmp_path / 'none.db'}", "--help")
    assert seen["status"] == 0 and "summary" in str(seen["out"]) and seen["heavy"] == []


@pytest.mark.parametrize("args", [("summary",), ("summary", "--level", "gold", "--format", "json")])
def test_a_summary_loads_the_bank_holidays_and_nothing_of_slack_or_the_migrations(
        db_url: str, loaded: SqlUowFactory, args: tuple[str, ...]) -> None:
    seen = loaded_modules(db_url, *args)
    assert seen["status"] == 0 and "R1" in str(seen["out"])  # the summary itself was printed
    assert seen["heavy"] == ["holidays"]  # working days decide the cycle; nothing else heavy
