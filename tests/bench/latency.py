"""Latency of `/ncpi summary` against a bare Bolt app, over real HTTP on loopback.

Both apps are served by the same server (`bot.slack.http.make_http_server`) and receive the same
signed slash command from the stand-in's `SlackSender`. We time from sending the request to the
summary's content arriving: for ncpi, the last message it posts to the response URL (it acks at
once and answers with `respond`); for the bare app, either the fixed text in the HTTP body
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
from datetime import datetime
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
    messages: int  # response-URL posts ncpi makes for one summary
    samples: dict[str, list[float]] = field(default_factory=dict)  # variant -> seconds

    def row(self) -> dict[str, Any]:
        ms = {k: [v * 1000 for v in vs] for k, vs in self.samples.items()}
        out: dict[str, Any] = {"set": self.dataset, "backend": self.backend, "actions": self.actions,
                               "updates": self.updates, "runs": self.runs, "messages": self.messages}
        for k, vs in ms.items():
            out[f"{k}_median_ms"] = round(median(vs), 2)
            out[f"{k}_p99_ms"] = round(percentile(vs, 99), 2)
        out["ratio_vs_respond"] = round(out["ncpi_median_ms"] / out["bare_respond_median_ms"], 2)
        out["ratio_vs_body"] = round(out["ncpi_median_ms"] / out["bare_body_median_ms"], 2)
        out["ratio_p99_vs_respond"] = round(out["ncpi_p99_ms"] / out["bare_respond_p99_ms"], 2)
        return out


def measure_latency(ds: Dataset, runs: int = 30, warmup: int = 3) -> LatencyResult:
    """Alternate ncpi / bare-respond / bare-body requests `runs` times each; return the samples."""
    config = force_config()
    slack = TimedStandIn(users=users_from_config(config), channels=channels_from_config(config))
    with slack:
        core = make_core(ds.url, slack.api_url, ds.now)
        app = build_slack(core, client=build_web_client(TOKEN, slack.api_url), signing_secret=SECRET,
                          token_verification=False).app
        floor = bare_app(slack.api_url)
        try:
            with serving(app, core) as ncpi_url, serving(floor, core) as bare_url:
                ncpi, bare = SlackSender(ncpi_url, SECRET, timeout=30), SlackSender(bare_url, SECRET, timeout=30)

                def one(variant: str, expect: int) -> float:
                    rid_url = slack.new_response_url(channel="C0SILVER01", user=SILVER_CHAIR)
                    rid = rid_url.rsplit("/", 1)[1]
                    sender, text = (ncpi, "summary") if variant == "ncpi" else (
                        bare, "body" if variant == "bare_body" else "respond")
                    started = time.perf_counter()
                    answer = sender.slash_command(SILVER_CHAIR, text, response_url=rid_url)
                    if answer.status != 200:
                        raise AssertionError(f"{variant}: HTTP {answer.status} {answer.body[:200]}")
                    if variant == "bare_body":
                        assert FIXED in answer.body
                        return time.perf_counter() - started
                    return slack.wait_arrivals(rid, expect)[-1] - started

                # how many messages one summary takes (the last one is "the content has arrived")
                rid_url = slack.new_response_url(channel="C0SILVER01", user=SILVER_CHAIR)
                ncpi.slash_command(SILVER_CHAIR, "summary", response_url=rid_url)
                rid = rid_url.rsplit("/", 1)[1]
                slack.wait_arrivals(rid, 1)
                time.sleep(0.5 + 2 * (slack.arrivals[rid][-1] - slack.arrivals[rid][0]))
                messages = len(slack.arrivals[rid])
                order = ["ncpi", "bare_respond", "bare_body"]
                for _ in range(warmup):
                    for v in order:
                        one(v, messages if v == "ncpi" else 1)
                result = LatencyResult(ds.name, ds.backend, ds.actions, ds.updates, runs, messages,
                                       {v: [] for v in order})
                for i in range(runs):
                    for v in order[i % 3:] + order[:i % 3]:  # rotate who goes first
                        result.samples[v].append(one(v, messages if v == "ncpi" else 1))
                problems = slack.invalid_payloads
                if problems:
                    raise AssertionError(f"invalid Block Kit in the summary: {problems[0]}")
                return result
        finally:
            core.engine.dispose()
