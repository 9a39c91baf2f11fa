"""Database trouble: the bot's PostgreSQL (a private database, reached through a TCP proxy on
loopback that the test cuts) goes away while the bot runs. People get a polite "try again shortly"
inside Slack's 3 seconds, /healthz says 503, nothing is half-written, and the bot recovers by
itself when the database returns. A tick whose database dies mid fan-out sends nothing twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.sender import DeliverySender
from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.errors import NcpiError
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.plan import load_plan
from reliability.harness import BOT_TOKEN, TUESDAY, AppUnderTest, Figures, wait_until
from reliability.tcp_proxy import TcpProxy

OWNER = "U0LAND0001"  # owns R3.2
CHAIR = "U0TACC0001"
TRY_AGAIN = "try again shortly"
OUTAGE_SECONDS = 6


@pytest.fixture
def proxied(private_postgres: str, force_config: ForceConfig,
            plan_file: PlanFile) -> Iterator[tuple[str, str, TcpProxy]]:
    """(direct URL, URL through the proxy, the proxy) with the North Yorkshire plan loaded."""
    engine = build_engine(private_postgres)
    with SqlUowFactory(engine)() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    engine.dispose()
    host_part = private_postgres.split("@", 1)[1].split("/", 1)[0]
    host, port = host_part.rsplit(":", 1) if ":" in host_part else (host_part, "5432")
    proxy = TcpProxy((host, int(port))).start()
    url = private_postgres.replace(f"@{host_part}/", f"@127.0.0.1:{proxy.port}/")
    yield private_postgres, url, proxy
    proxy.stop()


def count(url: str, sql: str) -> int:
    engine = build_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text(sql)).scalar_one())
    engine.dispose()
    return n


def snapshot(url: str) -> dict[str, int]:
    tables = ["updates", "audit", "deliveries", "actions", "requests", "absences", "processed_events"]
    engine = build_engine(url)
    out = {}
    with engine.connect() as conn:
        for t in tables:
            out[t] = int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
    engine.dispose()
    return out


def test_database_down_then_back(proxied: tuple[str, str, TcpProxy], standin: SlackStandIn, force_config: ForceConfig,
                                 figures: Figures) -> None:
    direct, url, proxy = proxied
    started = time.monotonic()
    with AppUnderTest(standin, url, force_config, TUESDAY) as app:
        assert app.health()[0] == 200
        app.dm(OWNER, "R3.2 amber 50% before the outage")
        assert wait_until(lambda: count(direct, "SELECT count(*) FROM updates") == 1, 10)
        wait_until(lambda: len(app.said_to(OWNER)) >= 1, 10)

        proxy.stop()  # the database goes away
        outage = time.monotonic()
        before = snapshot(direct)
        status, body = app.health()
        assert status == 503, body
        k = {u: len(app.said_to(u)) for u in (OWNER, CHAIR)}
        acks = [app.command(OWNER, "my"), app.command(CHAIR, "summary")]
        channel = app.slack.dm_channel(OWNER)
        outage_ts = app.slack.add_user_message(channel, OWNER, "R3.2 red 20% during the outage")
        acks.append(app.sender.message_im(OWNER, "R3.2 red 20% during the outage", channel,
                                          ts=outage_ts, event_id="EvOutage1"))
        modal = app.sender.view_submission(OWNER, "ncpi_update_modal", {
            "rag": {"rag": {"type": "static_select", "selected_option": {"value": "green"}}},
            "progress": {"progress": {"type": "number_input", "value": "70"}},
            "narrative": {"narrative": {"type": "plain_text_input", "value": "from the modal"}},
        }, app.deps.seal.seal({"action_id": "R3.2"}, OWNER), "V0OUTAGE01")  # as the bot opened it
        acks.append(modal)
        slow = [a.elapsed for a in acks if a.elapsed >= 3.0 or a.status != 200]
        told = wait_until(lambda: len(app.said_to(OWNER)) >= k[OWNER] + 2
                          and len(app.said_to(CHAIR)) >= k[CHAIR] + 1, 15)
        owner_saw = [m.text for m in app.said_to(OWNER)[k[OWNER]:]]
        chair_saw = [m.text for m in app.said_to(CHAIR)[k[CHAIR]:]]
        polite = [t for t in owner_saw + chair_saw if TRY_AGAIN in t]
        modal_polite = TRY_AGAIN in modal.body
        # it stays away a while: the bot keeps answering politely and keeps saying 503
        statuses = []
        for _ in range(OUTAGE_SECONDS):
            time.sleep(1.0)
            statuses.append(app.health()[0])
            app.command(CHAIR, "missing")
        assert set(statuses) == {503}, statuses
        wait_until(lambda: len(app.said_to(CHAIR)) >= k[CHAIR] + 1 + OUTAGE_SECONDS, 15)
        chair_saw = [m.text for m in app.said_to(CHAIR)[k[CHAIR]:]]
        polite = [t for t in owner_saw + chair_saw if TRY_AGAIN in t]
        assert snapshot(direct) == before, "something was written while the database was away"

        proxy.start()  # it comes back; nobody restarts the bot
        recovered = wait_until(lambda: app.health()[0] == 200, 30, interval=0.2)
        down_for = time.monotonic() - outage
        # Slack re-delivers the DM it sent during the outage: stored now, once
        app.sender.message_im(OWNER, "R3.2 red 20% during the outage", channel, ts=outage_ts,
                              event_id="EvOutage1", retry_num=1)
        app.command(OWNER, "my")
        wait_until(lambda: count(direct, "SELECT count(*) FROM updates") == 2, 15)
        time.sleep(0.5)
        app.sender.message_im(OWNER, "R3.2 red 20% during the outage", channel, ts=outage_ts,
                              event_id="EvOutage1", retry_num=2)
        time.sleep(0.5)
        updates = count(direct, "SELECT count(*) FROM updates")
    figures.record("Database trouble: PostgreSQL unreachable while the bot runs, then back", runs=1,
                   inputs=len(acks) + 3, deliveries=updates, duplicates=max(0, updates - 2),
                   losses=max(0, 2 - updates),
                   note=f"down {down_for:.1f}s; /healthz 503 then 200 by itself: {recovered}; "
                        f"{len(polite)} of {3 + OUTAGE_SECONDS} Slack answers and the modal ({modal_polite}) said "
                        f"'{TRY_AGAIN}'; nothing written while down",
                   seconds=time.monotonic() - started)
    assert not slow, slow
    assert told and len(polite) >= 3 + OUTAGE_SECONDS, (owner_saw, chair_saw)
    assert modal_polite, modal.body
    assert recovered
    assert updates == 2


def test_database_dies_mid_fan_out(proxied: tuple[str, str, TcpProxy], standin: SlackStandIn, force_config: ForceConfig,
                                   figures: Figures) -> None:
    """The tick loses its database just after Slack accepted a prompt; later ticks recover."""
    direct, url, proxy = proxied
    started = time.monotonic()
    engine = build_engine(url)
    uows = SqlUowFactory(engine)
    now = TUESDAY - timedelta(days=5)  # Thursday 28 April 09:00: prompts for 3 May's Silver open
    gateway = SlackGateway(build_web_client(BOT_TOKEN, standin.api_url), uows, lambda: now)
    sender = DeliverySender(gateway, force_config)
    posted = Counter[str]()

    def cut_after_third(call: Any) -> None:
        if call.method == "chat.postMessage" and call.ok:
            posted["n"] += 1
            if posted["n"] == 3:
                proxy.stop()

    standin.add_call_listener(cut_after_third)
    errors = []
    try:
        run_tick(uows, force_config, sender, now)
    except NcpiError as exc:  # StorageUnavailable: `ncpi tick` says so and exits 1
        errors.append(type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - the figure shows what escaped
        errors.append(f"unexpected {type(exc).__name__}")
    standin.remove_call_listener(cut_after_third)
    proxy.start()
    results = []
    for minutes in (6, 12, 30):
        later = now + timedelta(minutes=minutes)
        results.append(run_tick(uows, force_config, sender, later).as_dict())
    engine.dispose()
    keys = Counter(str(((m.metadata or {}).get("event_payload") or {}).get("key", ""))
                   for m in standin.messages() if m.metadata)
    sent = count(direct, "SELECT count(*) FROM deliveries WHERE state = 'sent'")
    owed = count(direct, "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending', 'failed')")
    dupes = sum(n - 1 for n in keys.values() if n > 1)
    figures.record("Database trouble: PostgreSQL cut mid fan-out (after Slack took a prompt)", runs=4,
                   deliveries=len(keys), duplicates=dupes, losses=owed,
                   note=f"first tick ended with {errors or 'no error'}; ledger: {sent} sent, {owed} still owed",
                   seconds=time.monotonic() - started)
    assert errors and not errors[0].startswith("unexpected"), errors
    assert dupes == 0 and owed == 0, (keys, results)
    assert sent == len(keys) > 3
