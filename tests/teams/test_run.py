"""`ncpi run --platform teams` as a person starts it: one clear line for a missing or malformed
credential, then the bot serving Bot Framework activities at /api/messages (and /healthz) over real
HTTP, answering through the stand-in's Bot Connector, stopping on SIGTERM, logging no secret."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.standin.teams import TeamsStandIn, render_posted
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan
from tests.conftest import CONFIG_DIR
from tests.teams.conftest import aad, wait_for

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "4f5e6d7c-8b9a-4a0b-9c1d-2e3f4a5b6c7d"
TENANT = "9b3f6c1e-5d2a-4c7b-8e1f-0a2b3c4d5e6f"


def ncpi_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "NCPI_", "MICROSOFT_", "CONNECTIONS__"))}
    env["NCPI_CONFIG_DIR"] = str(ROOT / "config")
    env.update(extra)
    return env


@pytest.mark.parametrize(("env", "names"), [
    ({}, "MICROSOFT_APP_ID is not set"),
    ({"MICROSOFT_APP_ID": "ncpi"}, "MICROSOFT_APP_ID does not look like an app id"),
    ({"MICROSOFT_APP_ID": APP_ID}, "MICROSOFT_APP_PASSWORD is not set"),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "s3cret-value"}, "MICROSOFT_APP_TENANT_ID is not set"),
    ({"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID, "MICROSOFT_APP_PASSWORD": "s3cret-value",
      "MICROSOFT_APP_TENANT_ID": "contoso.onmicrosoft.com"}, "MICROSOFT_APP_TENANT_ID does not look like a tenant id"),
])
def test_a_missing_or_malformed_credential_is_one_clear_line(env: dict[str, str], names: str) -> None:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--platform", "teams"], env=ncpi_env(**env),
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ncpi run: ") and names in lines[0], result.stderr
    assert "s3cret-value" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ncpi_run_serves_teams_and_healthz_and_logs_no_secret(teams_config: ForceConfig, plan_file: PlanFile,
                                                              db_url: str, tmp_path: Path) -> None:
    doc = yaml.safe_load((CONFIG_DIR / "ncpi.yaml").read_text())
    for person in doc["people"]:
        person["teams_user"] = aad(teams_config, person["id"])
    doc["channels"] = {b: {"slack": doc["channels"][b], "teams": teams_config.channel(b, "teams")}
                       for b in ("silver", "gold")}
    (tmp_path / "ncpi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    engine = build_engine(db_url)
    with SqlUowFactory(engine)() as uow:
        load_plan(plan_file, teams_config, uow, datetime(2022, 3, 1, tzinfo=UTC))
        uow.commit()
    engine.dispose()
    port = _free_port()
    with TeamsStandIn.from_config(teams_config) as standin:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--platform", "teams", "--port", str(port),
                                 "--no-scheduler"],
                                env=ncpi_env(**standin.settings(), NCPI_DATABASE_URL=db_url, NCPI_LOG_LEVEL="DEBUG",
                                             NCPI_CONFIG_DIR=str(tmp_path)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            def healthy() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                        return r.status == 200 and json.loads(r.read())["status"] == "ok"
                except OSError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    return False

            wait_for(healthy, timeout=60, what="ncpi run --platform teams to answer /healthz")
            client = standin.client(f"http://127.0.0.1:{port}/api/messages")
            ld = aad(teams_config, "head_ld")
            assert client.send({"type": "message", "text": "my"}, token="").status == 401
            for installed in client.install(ld):
                assert installed.status in (200, 202)
            result = client.message(ld, "R3.2 amber 60% training slots delayed")
            assert result.status in (200, 202)
            said = [render_posted(m) for m in standin.bot_messages(standin.chat_of(ld))]
            assert any("Recorded for R3.2" in s or "R3.2 Briefing" in s for s in said), said
            assert any(c.op == "token" and c.ok for c in standin.calls)  # signed in with MSAL, over HTTPS
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert standin.login.secret not in out + err
        assert "serving Teams" in err
