"""`ncpi standin`: the local Slack stand-in (Web API and Socket Mode) to try `ncpi run` and `ncpi tick`
without a workspace; it prints the settings to use and every message the bot sends."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from bot.settings import Settings
from bot.standin import Call, SlackStandIn
from ncpi_core.config.schema import load_force_config

BOT_TOKEN = "xoxb-ncpi-standin"  # noqa: S105 - accepted by the local stand-in only
APP_TOKEN = "xapp-ncpi-standin"  # noqa: S105
SHOWN = {"chat.postMessage", "chat.postEphemeral", "chat.update", "views.publish", "views.open",
         "files.completeUploadExternal", "apps.connections.open", "auth.test"}


def _show(call: Call) -> None:
    """One line per call the bot makes that a person would see (or that says it connected)."""
    if call.method not in SHOWN:
        return
    p = call.params
    where = p.get("channel") or p.get("user_id") or p.get("channel_id") or ""
    text = " ".join(str(p.get("text") or "").split())[:110]
    status = "" if call.ok else f" -> {(call.response or {}).get('error', call.status)}"
    print(f"  {call.method:<28} {where:<12} {text}{status}".rstrip(), flush=True)


def standin(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM, printing the settings and each message."""
    settings = Settings()
    config = load_force_config(settings.config_file)
    slack = SlackStandIn.from_config(config).start(port=args.port)
    slack.add_call_listener(_show)
    print(f"Slack stand-in (Web API and Socket Mode) for {config.force}'s {len(config.people)} people, "
          f"on {slack.base_url}.\nNothing leaves this machine. In another terminal, in this folder:\n")
    print(f"  export SLACK_API_URL={slack.api_url}")
    print(f"  export SLACK_BOT_TOKEN={BOT_TOKEN}")
    print(f"  export SLACK_APP_TOKEN={APP_TOKEN}")
    print("  ncpi db upgrade && ncpi plan load")
    print("  ncpi run        # Socket Mode, through the stand-in (or: ncpi tick, to send what is due once)\n")
    print("Each call the bot makes is shown below. Ctrl-C stops the stand-in.", flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        slack.stop()
        print("Slack stand-in stopped.", file=sys.stderr)
    return 0
