"""Latency of `/ncpi summary` against a bare Bolt app, over real HTTP on loopback.

Both apps are served by the same server (`bot.slack.http.make_http_server`) and receive the same
signed slash command from the stand-in's `SlackSender`. We time from sending the request to the
summary's content arriving: for ncpi, its answer in the HTTP body (a kept summary of one message)
or the last message it posts to the response URL; measured both on a hit (the summary kept for
this data version) and on the first request after a write (an update stored just before); for the
bare app, either the fixed text in the HTTP body
("body", Bolt's own floor) or `ack()` then `respond(text)` ("respond", the same path ncpi takes).
Requests alternate between the apps so that machine noise hits both alike.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Any

from pydantic import SecretStr
from slack_bolt import Ack, App, Respond

from bot.bootstrap import Core, build_core, build_slack
from bot.settings import Settings
from bot.slack.gateway import build_web_client
from bot.slack.http import make_http_server
from bot.standin import SlackSender, SlackStandIn, users_from_config
from bot.standin.webapi import channels_from_config
from ncpi_core.domain.models import RAG, Source, Update

from .generate import CONFIG_DIR, Dataset, force_config
from .measure import median, percentile

SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-token"
SILVER_CHAIR = "U0TACC0001"
FIXED = "Silver summary: 12 green, 3 amber, 1 red. (a fixed answer)"


class TimedStandIn(SlackStandIn):
    """The stand-in, noting when each response-URL post arrives (no polling in the measurement)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.cond = threading.Condition()
        receive = self.response_urls.receive

        def timed_receive(rid: str, body: bytes) -> tuple[int, str]:
            result = receive(rid, body)
            with self.cond:
                self.arrivals[rid].append(time.perf_counter())
                self.cond.notify_all()
            return result

        self.response_urls.receive = timed_receive  # type: ignore[method-assign]

    def wait_arrivals(self, rid: str, count: int, timeout: float = 30.0) -> list[float]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.arrivals[rid]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.arrivals[rid])}/{count} responses after {timeout}s")
                self.cond.wait(left)
            return list(self.arrivals[rid])


def bare_app(api_url: str) -> App:
    """The floor: a Bolt app that answers `/ncpi` with a fixed text, nothing else."""
    app = App(signing_secret=SECRET, token_verification_enabled=False,
              client=build_web_client(TOKEN, api_url))

    @app.command("/ncpi")
    def answer(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
        if body.get("text") == "body":
            ack(text=FIXED)
        else:
            ack()
            respond(text=FIXED, response_type="ephemeral", replace_original=False)

    return app


@contextmanager
def serving(app: App, core: Core) -> Iterator[str]:
    server: ThreadingHTTPServer = make_http_server(app, core, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()


def make_core(url: str, api_url: str, now: datetime) -> Core:
    settings = Settings(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET), slack_api_url=api_url,
                        database_url=url, config_dir=CONFIG_DIR)
    return build_core(settings, clock=lambda: now)


@dataclass
class LatencyResult:
    dataset: str
    backend: str
    actions: int
    updates: int
    runs: int
    messages: int  # chat messages one summary takes (the HTTP body's answer counts as one)
    in_body: bool  # whether a kept summary's first message came in the HTTP body
    samples: dict[str, list[float]] = field(default_factory=dict)  # variant -> seconds

    def row(self) -> dict[str, Any]:
        ms = {k: [v * 1000 for v in vs] for k, vs in self.samples.items()}
        out: dict[str, Any] = {"set": self.dataset, "backend": self.backend, "actions": self.actions,
                               "updates": self.updates, "runs": self.runs, "messages": self.messages,
                               "in_body": "yes" if self.in_body else "no"}
        for k, vs in ms.items():
            out[f"{k}_median_ms"] = round(median(vs), 2)
            out[f"{k}_p99_ms"] = round(percentile(vs, 99), 2)
        body = out["bare_body_median_ms"]
        out["hit_vs_body"] = round(out["ncpi_median_ms"] / body, 2)
        if "ncpi_miss_median_ms" in out:
            out["miss_vs_body"] = round(out["ncpi_miss_median_ms"] / body, 2)
        out["hit_vs_respond"] = round(out["ncpi_median_ms"] / out["bare_respond_median_ms"], 2)
        return out


def write_one_update(core: Core, ds: Dataset, i: int) -> None:
    """A new update stored (as a lead's reply would be): the data version moves, kept summaries go stale."""
    with core.uow() as uow:
        action = uow.plan.action_ids()[i % 7]
        uow.updates.add(Update(action_id=action, rag=RAG.AMBER, progress=40 + i % 50, source=Source.DM,
                               narrative=f"bench write {i}", created_at=ds.now - timedelta(seconds=1)))
        uow.commit()


def measure_latency(ds: Dataset, runs: int = 30, warmup: int = 3, miss: bool = True) -> LatencyResult:
    """Alternate ncpi (kept summary) / ncpi after a write / bare-respond / bare-body requests."""
    config = force_config()
    slack = TimedStandIn(users=users_from_config(config), channels=channels_from_config(config))
    with slack:
        core = make_core(ds.url, slack.api_url, ds.now)
        app = build_slack(core, client=build_web_client(TOKEN, slack.api_url), signing_secret=SECRET,
                          token_verification=False).app
        floor = bare_app(slack.api_url)
        writes = iter(range(10**6))
        try:
            with serving(app, core) as ncpi_url, serving(floor, core) as bare_url:
                ncpi, bare = (SlackSender(ncpi_url, SECRET, timeout=30, show_answers=False),
                              SlackSender(bare_url, SECRET, timeout=30, show_answers=False))

                def one(variant: str, expect: int) -> tuple[float, bool]:
                    """Seconds until the content arrived, and whether the HTTP body carried the first part."""
                    if variant == "ncpi_miss":
                        write_one_update(core, ds, next(writes))  # before the clock starts
                    rid_url = slack.new_response_url(channel="C0SILVER01", user=SILVER_CHAIR)
                    rid = rid_url.rsplit("/", 1)[1]
                    sender, text = (ncpi, "summary") if variant.startswith("ncpi") else (
                        bare, "body" if variant == "bare_body" else "respond")
                    started = time.perf_counter()
                    answer = sender.slash_command(SILVER_CHAIR, text, response_url=rid_url)
                    answered = time.perf_counter()
                    if answer.status != 200:
                        raise AssertionError(f"{variant}: HTTP {answer.status} {answer.body[:200]}")
                    if variant == "bare_body":
                        assert FIXED in answer.body
                        return answered - started, True
                    in_body = answer.body.startswith("{") and '"blocks"' in answer.body
                    posts = expect - 1 if in_body else expect
                    if posts <= 0:
                        return answered - started, in_body
                    return max(answered, slack.wait_arrivals(rid, posts)[-1]) - started, in_body

                # how many messages one summary takes (the last one is "the content has arrived")
                one("ncpi", 1)
                rid_url = slack.new_response_url(channel="C0SILVER01", user=SILVER_CHAIR)
                answer = ncpi.slash_command(SILVER_CHAIR, "summary", response_url=rid_url)
                in_body = answer.body.startswith("{")
                rid = rid_url.rsplit("/", 1)[1]
                if not in_body:
                    slack.wait_arrivals(rid, 1)
                time.sleep(0.5 + 2 * (slack.arrivals[rid][-1] - slack.arrivals[rid][0] if slack.arrivals[rid] else 0))
                messages = len(slack.arrivals[rid]) + (1 if in_body else 0)
                order = ["ncpi", "ncpi_miss", "bare_respond", "bare_body"] if miss else \
                    ["ncpi", "bare_respond", "bare_body"]
                for _ in range(warmup):
                    for v in order:
                        one(v, messages if v.startswith("ncpi") else 1)
                result = LatencyResult(ds.name, ds.backend, ds.actions, ds.updates, runs, messages, in_body,
                                       {v: [] for v in order})
                n = len(order)
                for i in range(runs):
                    for v in order[i % n:] + order[:i % n]:  # rotate who goes first
                        result.samples[v].append(one(v, messages if v.startswith("ncpi") else 1)[0])
                problems = slack.invalid_payloads
                if problems:
                    raise AssertionError(f"invalid Block Kit in the summary: {problems[0]}")
                return result
        finally:
            core.engine.dispose()
