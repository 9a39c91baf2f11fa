"""The Slack gateway opens each DM once, however many sender threads ask at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from bot.slack.gateway import SlackGateway, build_web_client
from bot.standin import SlackStandIn
from ncpi_core.storage.sql import SqlUowFactory


def test_concurrent_lookups_open_a_dm_once_and_remember_it(uow_factory: SqlUowFactory) -> None:
    with SlackStandIn() as slack:
        slack.set_fault_rates(slow=1.0, slow_seconds=0.2, seed=1, methods=["conversations.open"])
        gateway = SlackGateway(build_web_client("xoxb-test", slack.api_url), uow_factory)
        with ThreadPoolExecutor(max_workers=8) as pool:
            channels = set(pool.map(lambda _: gateway.dm_channel("U0SAFE0001"), range(8)))
        assert channels == {"D0SAFE0001"}
        assert len(slack.calls_to("conversations.open")) == 1
        fresh = SlackGateway(build_web_client("xoxb-test", slack.api_url), uow_factory)
        assert fresh.dm_channel("U0SAFE0001") == "D0SAFE0001"  # from the database, not Slack
        assert len(slack.calls_to("conversations.open")) == 1
