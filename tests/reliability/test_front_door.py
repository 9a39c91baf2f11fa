"""The front door under load and abuse, on loopback only, every loop bounded in count and time.

- Endless and oversized unsigned bodies (200 MB each, five shapes) against `ncpi run --mode http`:
  the process's memory may not grow by 20 MB.
- 200 concurrent signed requests (100 DMs, 100 slash commands) at once: none reset, none lost.
- 300 half-sent requests: no thread held, a genuine request served meanwhile, all closed at the
  deadline.
- Replays of captured signed requests sent to two replicas on one PostgreSQL: none acted on.
- Requests from another workspace, organisation or app, or answering elsewhere: none accepted.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.standin import SlackStandIn
from bot.standin.payloads import (
    build_block_action,
    build_event_envelope,
    build_message_im,
    build_slash_command,
    build_view_submission,
)
from bot.standin.signing import sign
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan
from reliability.harness import (
    SIGNING_SECRET,
    TUESDAY,
    AppUnderTest,
    Figures,
    Processes,
    child_env,
    free_loopback_port,
    wait_until,
)

OWNER = "U0LAND0001"  # owns R3.2
CHAIR = "U0TACC0001"
READERS = ["U0TACC0001", "U0DCC00001", "U0CPC00001", "U0SAFE0001"]
FORM = "application/x-www-form-urlencoded"
MB = 1024 * 1024


# --- a real `ncpi run --mode http` ------------------------------------------------------------------
def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def _proc_status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


@pytest.fixture
def served(processes: Processes, standin: SlackStandIn, north_db: str) -> Iterator[tuple[int, int]]:
    """`ncpi run --mode http` on the North Yorkshire plan: (its pid, its port)."""
    port = free_loopback_port()
    env = child_env(SLACK_API_URL=standin.api_url, NCPI_DATABASE_URL=north_db, NCPI_LOG_LEVEL="WARNING")
    proc = processes.start(["run", "--mode", "http", "--port", str(port), "--no-scheduler"], env, name="frontdoor")
    assert wait_until(lambda: _healthy(port) or proc.poll() is not None, 120, interval=0.2), processes.output(proc)
    assert proc.poll() is None, processes.output(proc)
    yield proc.pid, port


def _signed_headers(body: str, ctype: str) -> dict[str, str]:
    now = str(int(time.time()))
    return {"Content-Type": ctype, "X-Slack-Request-Timestamp": now,
            "X-Slack-Signature": sign(SIGNING_SECRET, now, body)}


def _post(port: int, body: str, ctype: str, timeout: float = 60) -> tuple[int, float]:
    status, elapsed, _ = _post_read(port, body, ctype, timeout)
    return status, elapsed


def _post_read(port: int, body: str, ctype: str, timeout: float = 60) -> tuple[int, float, str]:
    """POST signed; the status, seconds to the answer and the answer's body."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/slack/events", body=body.encode(), headers=_signed_headers(body, ctype))
        response = conn.getresponse()
        status, text = response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()
    return status, time.monotonic() - started, text


# --- memory under endless bodies ----------------------------------------------------------------------
def _stream(port: int, head: bytes, total: int, chunked: bool = False, limit_s: float = 30) -> tuple[int, int]:
    """Send `head`, then up to `total` bytes of body until the server answers or closes.

    Returns (the status it answered, 0 for none; bytes of body sent)."""
    piece = b"x" * 65536
    frame = b"%x\r\n" % len(piece) + piece + b"\r\n" if chunked else piece
    sent = 0
    deadline = time.monotonic() + limit_s
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head)
        while sent < total and time.monotonic() < deadline:
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                break
            try:
                s.sendall(frame)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(piece)
        try:
            answer = s.recv(4096)
        except (ConnectionResetError, TimeoutError):
            answer = b""
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, sent


def _head(extra: list[str]) -> bytes:
    return ("\r\n".join(["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                         *extra]) + "\r\n\r\n").encode()


ENDLESS: list[tuple[str, bytes, bool]] = [
    ("Content-Length: -1", _head(["Content-Length: -1"]), False),
    ("Content-Length: abc", _head(["Content-Length: abc"]), False),
    ("Content-Length: 200 MB", _head([f"Content-Length: {200 * MB}"]), False),
    ("chunked, 200 MB", _head(["Transfer-Encoding: chunked"]), True),
    ("no Content-Length, 200 MB", _head([]), False),
]


def test_endless_and_oversized_bodies_leave_memory_flat(served: tuple[int, int], figures: Figures) -> None:
    pid, port = served
    started = time.monotonic()
    for i in range(10):  # warm: every worker thread has served a request
        body = urlencode(build_slash_command(READERS[i % len(READERS)], "help"))
        assert _post(port, body, FORM)[0] == 200
    baseline = _proc_status(pid, "VmRSS")
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(_proc_status(pid, "VmRSS"))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    answers: dict[str, tuple[int, int]] = {}
    try:
        for name, head, chunked in ENDLESS:
            answers[name] = _stream(port, head, 200 * MB, chunked)
    finally:
        done.set()
        sampler.join()
    after = _proc_status(pid, "VmRSS")
    growth_mb = (max(peak) - baseline) / 1024
    assert growth_mb < 20, (growth_mb, answers)
    assert all(status in (400, 413, 431) for status, _ in answers.values()), answers
    assert _healthy(port) and _post(port, urlencode(build_slash_command(CHAIR, "help")), FORM)[0] == 200
    read = ", ".join(f"{name}: {status} after {sent / MB:.1f} MB" for name, (status, sent) in answers.items())
    figures.record("Front door: memory under 200 MB unsigned bodies (5 shapes) on `ncpi run --mode http`",
                   runs=len(ENDLESS), inputs=len(ENDLESS),
                   note=(f"peak growth {growth_mb:.1f} MB (RSS {baseline / 1024:.0f} → peak {max(peak) / 1024:.0f} → "
                         f"{after / 1024:.0f} MB), limit 20; answered {read}"),
                   seconds=time.monotonic() - started)


# --- 200 concurrent signed requests --------------------------------------------------------------------
def test_200_concurrent_signed_requests_are_queued_not_reset(served: tuple[int, int], standin: SlackStandIn,
                                                             north_db: str, figures: Figures) -> None:
    _, port = served
    started = time.monotonic()
    channel = standin.dm_channel(OWNER)
    requests: list[tuple[str, str]] = []
    for i in range(100):
        ts = standin.add_user_message(channel, OWNER, f"R3.2 amber {i % 100}% burst {i}")
        event = build_message_im(OWNER, f"R3.2 amber {i % 100}% burst {i}", channel, ts=ts)
        requests.append((json.dumps(build_event_envelope(event, f"EvBURST{i:04d}")), "application/json"))
    for i in range(100):
        user = READERS[i % len(READERS)]
        url = standin.new_response_url(channel="C0SILVER01", user=user)
        requests.append((urlencode(build_slash_command(user, "my", response_url=url)), FORM))
    barrier = threading.Barrier(len(requests))
    outcomes: Counter[str] = Counter()
    acks: list[float] = []
    lock = threading.Lock()

    def one(request: tuple[str, str]) -> None:
        body, ctype = request
        barrier.wait(timeout=60)
        try:
            status, elapsed, text = _post_read(port, body, ctype)
            kind = "ok" if status == 200 else f"status {status}"
            if ctype == FORM and text.startswith("{"):  # answered in the body: Slack shows it
                standin.command_answered(dict(parse_qsl(body))["response_url"], json.loads(text))
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
            kind, elapsed = f"reset ({type(exc).__name__})", 0.0
        except OSError as exc:
            kind, elapsed = f"failed ({type(exc).__name__})", 0.0
        with lock:
            outcomes[kind] += 1
            acks.append(elapsed)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        list(pool.map(one, requests))
    engine = build_engine(north_db)

    def stored() -> int:
        with SqlUowFactory(engine)() as uow:
            return len([u for u in uow.updates.for_action("R3.2") if "burst" in u.narrative])

    wait_until(lambda: stored() >= 100 and len(standin.responses) >= 100, 60, interval=0.2)
    dms, answered = stored(), len(standin.responses)
    engine.dispose()
    resets = sum(n for k, n in outcomes.items() if k.startswith("reset"))
    lost = (100 - dms) + (100 - answered)
    assert outcomes == Counter({"ok": 200}), outcomes
    assert (dms, answered) == (100, 100)
    acks.sort()
    figures.record("Front door: 200 concurrent signed requests (100 DMs, 100 slash commands) at once",
                   runs=1, deliveries=dms + answered, duplicates=0, losses=lost, inputs=len(requests),
                   note=(f"{resets} reset, {lost} lost; {dms} DMs stored, {answered} commands answered; "
                         f"acks median {acks[len(acks) // 2]:.2f} s, slowest {acks[-1]:.2f} s on 2 shared cores"),
                   seconds=time.monotonic() - started)


# --- half-sent requests -------------------------------------------------------------------------------
def test_half_sent_requests_hold_no_thread_and_are_closed(served: tuple[int, int], figures: Figures) -> None:
    pid, port = served
    started = time.monotonic()
    threads_before = _proc_status(pid, "Threads")
    stuck = []
    for _ in range(300):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n" + b"{" * 100)
        stuck.append(s)
    threads_during = _proc_status(pid, "Threads")
    status, elapsed = _post(port, urlencode(build_slash_command(CHAIR, "help")), FORM, timeout=10)
    assert status == 200
    closed = 0
    deadline = time.monotonic() + 20  # the server's deadline is 10 s, checked every second
    for s in stuck:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            closed += s.recv(1024) == b""
        except ConnectionResetError:
            closed += 1
        except TimeoutError:
            pass
        s.close()
    assert threads_during <= threads_before + 2, (threads_before, threads_during)
    assert closed == len(stuck)
    figures.record("Front door: 300 half-sent requests held open", runs=1, inputs=len(stuck),
                   note=(f"threads {threads_before} → {threads_during}; a genuine command answered in "
                         f"{elapsed:.2f} s meanwhile; {closed} of {len(stuck)} closed by the 10 s request deadline"),
                   seconds=time.monotonic() - started)


# --- replays across two replicas -------------------------------------------------------------------------
@pytest.fixture
def two_replicas(private_postgres: str, force_config: ForceConfig, plan_file: PlanFile,
                 standin: SlackStandIn) -> Iterator[tuple[AppUnderTest, AppUnderTest]]:
    engine = build_engine(private_postgres)
    with SqlUowFactory(engine)() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    engine.dispose()
    with AppUnderTest(standin, private_postgres, force_config, TUESDAY) as a, \
            AppUnderTest(standin, private_postgres, force_config, TUESDAY) as b:
        yield a, b


def _effects(app: AppUnderTest) -> dict[str, int]:
    with app.deps.uow() as uow:
        trail = uow.audit.trail("action", "R3.2")
        updates = uow.updates.for_action("R3.2")
    slack = app.slack
    return {"updates": len(updates), "due requests": sum(e.event == "due_change_requested" for e in trail),
            "chair DMs": len(slack.messages(slack.dm_channel(CHAIR))),
            "silver posts": len(slack.messages("C0SILVER01")), "answers": len(slack.responses),
            "owner DMs": len(slack.messages(slack.dm_channel(OWNER)))}


def test_replayed_requests_act_zero_times_across_replicas(two_replicas: tuple[AppUnderTest, AppUnderTest],
                                                         figures: Figures) -> None:
    a, b = two_replicas
    started = time.monotonic()
    slack = a.slack
    dm = slack.dm_channel(OWNER)
    captured = [
        a.command(OWNER, "due R3.2 2022-07-31 training slots delayed to June"),
        a.command(CHAIR, "summary post", channel="C0SILVER01"),
        a.dm(OWNER, "R3.2 amber 55% venue booked"),
        a.sender.block_action(OWNER, "ncpi_on_track", "R3.2", channel_id=dm,
                              response_url=slack.new_response_url(channel=dm, user=OWNER)),
    ]
    assert [c.status for c in captured] == [200] * len(captured)
    wait_until(lambda: _effects(a)["updates"] == 2 and _effects(a)["chair DMs"] >= 1
               and _effects(a)["silver posts"] >= 1, 15)
    time.sleep(1.0)
    before = _effects(a)
    replays = 0

    def replay(target: AppUnderTest, sent: Any) -> int:
        ctype = str((sent.request_headers or {}).get("Content-Type"))
        return target.sender.send(sent.request_body, ctype, signing="omit",
                                  extra_headers=dict(sent.request_headers or {})).status

    jobs: list[Callable[[], int]] = [lambda t=t, c=c: replay(t, c) for c in captured for t in (a, b, a, b, b)]
    with ThreadPoolExecutor(max_workers=10) as pool:  # at once, so the replicas race each other
        statuses = list(pool.map(lambda job: job(), jobs))
    replays = len(jobs)
    time.sleep(1.5)  # whatever a replay set going would have done by now
    after = _effects(a)
    acted = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    assert statuses == [200] * replays
    assert acted == {}, (before, after)
    figures.record("Replays: captured signed requests replayed to two replicas on one PostgreSQL",
                   runs=2, inputs=replays,
                   note=(f"{len(captured)} requests (a due-date request, a summary post, a DM update, a button) "
                         f"each replayed 5 times at once across 2 replicas: {replays} replays, 0 acted on "
                         f"(effects before and after: {before})"),
                   seconds=time.monotonic() - started)


# --- other workspaces, organisations and apps ------------------------------------------------------------
def test_requests_from_elsewhere_are_never_accepted(north_app: AppUnderTest, figures: Figures) -> None:
    app = north_app
    started = time.monotonic()
    slack = app.slack
    dm = slack.dm_channel(OWNER)
    here = slack.new_response_url(channel="C0SILVER01", user=OWNER)
    elsewhere = "https://hooks.example.org/commands/T0/1/x"

    def command(**changes: Any) -> tuple[str, str]:
        fields = {**build_slash_command(OWNER, "due R3.2 2022-07-31 moved", response_url=here), **changes}
        return urlencode(fields), FORM

    def button(team: dict[str, Any] | None = None, **changes: Any) -> tuple[str, str]:
        payload = build_block_action(OWNER, "ncpi_on_track", "R3.2", channel_id=dm, response_url=here)
        payload.update(changes)
        if team is not None:
            payload["team"] = team
            payload["user"]["team_id"] = team.get("id")
        return urlencode({"payload": json.dumps(payload)}), FORM

    def event(team: str, enterprise: str | None = None, app_id: str | None = None) -> tuple[str, str]:
        ts = slack.add_user_message(dm, OWNER, "R3.2 red 5% from elsewhere")
        envelope = build_event_envelope(build_message_im(OWNER, "R3.2 red 5% from elsewhere", dm, ts=ts))
        envelope["team_id"] = team
        envelope["authorizations"][0].update(team_id=team, enterprise_id=enterprise)
        if enterprise:
            envelope["enterprise_id"] = enterprise
        if app_id:
            envelope["api_app_id"] = app_id
        return json.dumps(envelope), "application/json"

    def view(team: str, app_id: str | None = None) -> tuple[str, str]:
        meta = app.deps.seal.seal({"action_id": "R3.2"}, OWNER)
        values = {"rag": {"rag": {"type": "static_select", "selected_option": {"value": "red"}}},
                  "progress": {"progress": {"type": "number_input", "value": "5"}}}
        payload = build_view_submission(OWNER, "ncpi_update_modal", values, meta, "V0ELSEWHERE")
        payload["team"] = {"id": team, "domain": "other"}
        payload["view"].update(team_id=team, app_installed_team_id=team)
        if app_id:
            payload["api_app_id"] = app_id
            payload["view"]["app_id"] = app_id
        return urlencode({"payload": json.dumps(payload)}), FORM

    attempts = {
        "command: other workspace": command(team_id="T0OTHER001"),
        "command: other app": command(api_app_id="A0OTHER001"),
        "command: other organisation": command(team_id="T0OTHER001", enterprise_id="E0OTHER001"),
        "command: answer elsewhere": command(response_url=elsewhere),
        "command: no workspace": command(team_id=""),
        "button: other workspace": button(team={"id": "T0OTHER001", "domain": "other"}),
        "button: other app": button(api_app_id="A0OTHER001"),
        "button: answer elsewhere": button(response_url=elsewhere),
        "DM: other workspace": event("T0OTHER001"),
        "DM: other organisation": event("T0OTHER001", "E0OTHER001"),
        "DM: other app": event("T0NCPI0001", app_id="A0OTHER001"),
        "form: other workspace": view("T0OTHER001"),
        "form: other app": view("T0NCPI0001", "A0OTHER001"),
    }
    def effects() -> Counter[str]:
        with app.deps.uow() as uow:
            stored = Counter(updates=len(uow.updates.for_action("R3.2")), audit=len(uow.audit.trail("action", "R3.2")))
        return stored + Counter(chair=len(slack.messages(slack.dm_channel(CHAIR))), answers=len(slack.responses),
                                owner=len([m for m in slack.messages(dm) if m.user != OWNER]))

    before = effects()
    statuses = {name: app.sender.send(body, ctype).status for name, (body, ctype) in attempts.items()}
    time.sleep(1.0)
    accepted = effects() - before
    assert all(status == 200 for status in statuses.values()), statuses  # answered, so Slack does not retry
    assert accepted == Counter(), accepted
    body, ctype = command()
    assert app.sender.send(body, ctype).status == 200  # the same request from here acts
    assert wait_until(lambda: slack.messages(slack.dm_channel(CHAIR)), 10)
    figures.record("Requests from another workspace, organisation or app, or answering elsewhere",
                   runs=1, inputs=len(attempts),
                   note=(f"{len(attempts)} signed commands, buttons, DMs and forms: 0 accepted (nothing stored, "
                         "nothing posted, nobody messaged); the same command from this workspace acts"),
                   seconds=time.monotonic() - started)
