"""The gateway reads every stored DM in one unit of work, not one per lead (and still finds a DM
another replica stored after that read)."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk import WebClient

from bot.slack.gateway import PLATFORM, SlackGateway
from ncpi_core.storage.memory import MemoryUowFactory

NOW = datetime(2024, 4, 2, 9, tzinfo=UTC)


class Counting:
    def __init__(self, inner: MemoryUowFactory) -> None:
        self.inner, self.opened = inner, 0

    def __call__(self):  # type: ignore[no-untyped-def]
        self.opened += 1
        return self.inner()


def test_a_fan_out_reads_the_stored_dms_once() -> None:
    store = MemoryUowFactory()
    with store() as uow:
        for i in range(50):
            uow.conversations.put(PLATFORM, f"U{i:04d}", f"D{i:04d}", None, NOW)
        uow.commit()
    counting = Counting(store)
    gateway = SlackGateway(WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/"), counting)
    assert [gateway.dm_channel(f"U{i:04d}") for i in range(50)] == [f"D{i:04d}" for i in range(50)]
    assert counting.opened == 1
    with store() as uow:  # another replica opens a DM after our read
        uow.conversations.put(PLATFORM, "U9999", "D9999", None, NOW)
        uow.commit()
    assert gateway.dm_channel("U9999") == "D9999" and counting.opened == 2


def test_dms_of_new_leads_are_opened_ahead_once() -> None:
    from bot.slack.gateway import build_web_client
    from bot.standin import SlackStandIn

    users = {f"U0NEW{i:05d}": f"Lead {i}" for i in range(6)}
    with SlackStandIn(users=users) as slack:
        store = MemoryUowFactory()
        first = list(users)[0]
        with store() as uow:  # one lead's DM was opened in an earlier cycle
            uow.conversations.put(PLATFORM, first, slack.dm_channel(first), None, NOW)
            uow.commit()
        gateway = SlackGateway(build_web_client("xoxb-test", slack.api_url), store)
        assert gateway.open_ahead(list(users)) == 5
        assert len(slack.calls_to("conversations.open")) == 5
        with store() as uow:
            assert set(uow.conversations.conversations(PLATFORM)) == set(users)
        again = SlackGateway(build_web_client("xoxb-test", slack.api_url), store)  # another replica
        assert again.open_ahead(list(users)) == 0 and len(slack.calls_to("conversations.open")) == 5
