"""Secrets: the bot token, app token and signing secret never appear in logs or error messages.

Runs last in the directory (the name): its own error scenarios (Slack refusing the token, Slack
unreachable, a bad signing secret, the database away), then a scan of everything the whole
reliability session logged, in this process and in every subprocess it started.
"""

from __future__ import annotations

import logging
import time

from bot.settings import Settings
from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig
from reliability.harness import (
    APP_TOKEN,
    BOT_TOKEN,
    SECRETS,
    SIGNING_SECRET,
    TUESDAY,
    AppUnderTest,
    Figures,
    LogSink,
    Processes,
    child_env,
    free_loopback_port,
)


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def error_line(output: str, command: str) -> str:
    """The one line `ncpi <command>` prints when it refuses to go on ("ncpi run: …"), or ""."""
    return next((line for line in output.splitlines() if line.startswith(f"ncpi {command}: ")), "")


def test_secrets_stay_out_of_error_messages(processes: Processes, north_db: str, force_config: ForceConfig,
                                            log_sink: LogSink, figures: Figures) -> None:
    started = time.monotonic()
    outputs: dict[str, str] = {}
    with SlackStandIn.from_config(force_config, tokens={"xoxb-some-other-token"}) as refusing:
        env = child_env(SLACK_API_URL=refusing.api_url, NCPI_DATABASE_URL=north_db,
                        SLACK_APP_TOKEN=APP_TOKEN, NCPI_LOG_LEVEL="DEBUG")
        outputs["run, token refused"] = processes.run(["-v", "run", "--mode", "http", "--port",
                                                       str(free_loopback_port())], env, timeout=60)[1]
        outputs["check, token refused"] = processes.run(["-v", "check"], env, timeout=60)[1]
        outputs["tick, token refused"] = processes.run(["-v", "tick", "--now", TUESDAY.isoformat()],
                                                       env, timeout=60)[1]
    dead = f"http://127.0.0.1:{free_loopback_port()}/api/"
    env = child_env(SLACK_API_URL=dead, NCPI_DATABASE_URL=north_db, SLACK_APP_TOKEN=APP_TOKEN)
    # (a tick against an unreachable Slack spends ~15 s a delivery in connection retries: too slow
    # here; `ncpi check` makes the same calls with fewer retries)
    outputs["check, Slack unreachable"] = processes.run(["-v", "check"], env, timeout=120)[1]
    env = child_env(SLACK_API_URL=dead, NCPI_DATABASE_URL="postgresql://ncpi:pw@127.0.0.1:1/nowhere",
                    SLACK_SIGNING_SECRET=SIGNING_SECRET)
    outputs["run, database away"] = processes.run(["-v", "run", "--mode", "http", "--port",
                                                   str(free_loopback_port())], env, timeout=60)[1]
    env = child_env(SLACK_BOT_TOKEN="xoxp-" + BOT_TOKEN[5:], NCPI_DATABASE_URL=north_db)
    outputs["run, wrong kind of token"] = processes.run(["run", "--mode", "http"], env, timeout=60)[1]
    # in this process: the settings' repr, and an app whose every Slack call is refused
    outputs["Settings repr"] = repr(Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,  # type: ignore[call-arg]
                                             SLACK_SIGNING_SECRET=SIGNING_SECRET))
    with SlackStandIn.from_config(force_config) as refusing, \
            AppUnderTest(refusing, north_db, force_config, TUESDAY) as app:
        refusing.tokens = {"xoxb-some-other-token"}  # the token is revoked while the bot runs
        app.command("U0TACC0001", "summary post")
        app.dm("U0LAND0001", "R3.2 amber 50% token check")
        time.sleep(1.0)
        said = "\n".join(m.text for m in refusing.timeline())
        outputs["what the bot said in Slack"] = said
    found = {name: leaks(text) for name, text in outputs.items() if leaks(text)}
    logging.getLogger("reliability").info("secrets scenarios ran: %s", ", ".join(outputs))
    figures.record("Secrets: tokens and signing secret in error messages and logs", runs=len(outputs),
                   inputs=len(outputs), note=f"{len(found)} of {len(outputs)} outputs showed a secret",
                   seconds=time.monotonic() - started)
    assert not found, {k: (v, outputs[k][-2000:]) for k, v in found.items()}
    # the scenarios did fail the way they were meant to (so the scan above means something):
    # each as the command's own one-line error, never a crash whose traceback merely names the cause
    crashed = [name for name, text in outputs.items() if "Traceback (most recent call last)" in text]
    assert not crashed, {name: outputs[name][-2000:] for name in crashed}
    assert "invalid_auth" in error_line(outputs["run, token refused"], "run")
    assert "invalid_auth" in outputs["check, token refused"]
    assert "Cannot reach the database" in error_line(outputs["run, database away"], "run")
    assert "does not look like a bot token" in error_line(outputs["run, wrong kind of token"], "run")


def test_secrets_stay_out_of_every_log_of_the_session(log_sink: LogSink, figures: Figures) -> None:
    """Everything the reliability scenarios logged (records here, files of their subprocesses)."""
    text = log_sink.text()
    found = leaks(text)
    lines = [line for line in text.splitlines() if leaks(line)][:5]
    figures.record("Secrets: every log of the reliability session scanned", runs=1,
                   inputs=len(log_sink.handler.lines) + len(log_sink.files),
                   note=f"{len(log_sink.handler.lines)} log records here and {len(log_sink.files)} "
                        f"subprocess logs ({len(text):,} characters); {len(found)} secrets found",
                   seconds=0.0)
    assert not found, lines
