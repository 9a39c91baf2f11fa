"""Runs `ncpi` commands in forked processes of a warm interpreter, so that killing 20 ticks is cheap.

`python -m reliability.forkserver` imports what `ncpi tick` imports, then reads one JSON request a
line on stdin and answers one line on stdout:

- `{"run": ["tick", "--now", "..."], "env": {...}, "log": "/path", "cwd": "/path"}` forks a child
  that runs `bot.cli.main(argv)` (exactly what the `ncpi` script runs) with that environment and
  its output in the log file; answers `{"pid": N}`.
- `{"wait": N, "timeout": S}` reaps the child; answers `{"rc": code}` (a negative code is the
  signal that ended it) or `{"rc": null}` when it is still running after S seconds.

The child is an ordinary process: the test kills it with SIGKILL by its pid. On end of input
every child still running is killed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def _warm_up() -> None:
    # what `ncpi tick` imports (bot.cli loads handlers lazily): done once, inherited by every fork
    import bot.cli  # noqa: F401
    import bot.cli.schedule  # noqa: F401
    import bot.slack.blocks.deliveries  # noqa: F401
    import bot.slack.sender  # noqa: F401
    import bot.teams.auth  # noqa: F401
    import bot.teams.sender  # noqa: F401 - and `ncpi tick --platform teams`: the Agents SDK, MSAL
    import ncpi_core.domain.summaries  # noqa: F401
    import ncpi_core.usecases.ledger  # noqa: F401


def _child(argv: list[str], env: dict[str, str], log: str, cwd: str) -> None:
    rc = 1
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from bot.cli import main

        rc = int(main(argv) or 0)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the child reports and exits, never returns to the loop
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)


def _wait(pid: int, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -999  # already reaped
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def serve() -> None:
    _warm_up()
    children: set[int] = set()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if "run" in req:
            pid = os.fork()
            if pid == 0:
                _child(req["run"], req["env"], req["log"], req["cwd"])
            children.add(pid)
            answer: dict[str, object] = {"pid": pid}
        elif "wait" in req:
            rc = _wait(int(req["wait"]), float(req.get("timeout", 60)))
            if rc is not None:
                children.discard(int(req["wait"]))
            answer = {"rc": rc}
        else:
            answer = {"error": "unknown request"}
        print(json.dumps(answer), flush=True)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


if __name__ == "__main__":
    serve()
