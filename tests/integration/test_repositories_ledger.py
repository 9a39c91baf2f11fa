"""The delivery ledger's contract, held the same on memory, SQLite and PostgreSQL: idempotent
rows by key, claims under a lease, and every later step refused to a worker that lost its lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ncpi_core.domain.ledger import Claim, Kind, MessageRef, Owed, PromptRecord, Recipient
from ncpi_core.domain.models import Body
from ncpi_core.storage.base import UowFactory
from tests.integration.test_repositories import on_postgres, overlapping, read, seed_plan, update

NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=5)
SILVER = "silver:20220308T1400Z"


def owed(key: str, kind: Kind = Kind.PROMPT, due: datetime = NOW, *, expires: datetime | None = None,
         person: str | None = "lead_a", action_id: str | None = "R1.1", meeting: str | None = SILVER,
         **payload: object) -> Owed:
    recipient = Recipient.of_person(person) if person else Recipient.of_body(Body.SILVER)
    return Owed(key, kind, due, expires, recipient, meeting=meeting, action_id=action_id, person=person,
                payload=dict(payload))


def add(factory: UowFactory, *rows: Owed, now: datetime = NOW) -> int:
    with factory() as uow:
        n = uow.ledger.add_owed(list(rows), now)
        uow.commit()
    return n


def claim(factory: UowFactory, worker: str = "w1", now: datetime = NOW, limit: int = 10,
          lease_until: datetime = LEASE, exclude: tuple[Kind, ...] = ()) -> list[Claim]:
    with factory() as uow:
        claims = uow.ledger.claim_due(now, worker, lease_until, limit, exclude)
        uow.commit()
    return claims


def state_of(factory: UowFactory, key: str) -> str:
    record = read(factory, lambda u: u.ledger.get(key))
    assert record is not None
    return record.state


def test_rows_go_in_once_per_key(any_uow_factory: UowFactory) -> None:
    a = owed("p:a", opens_at="2022-03-01T09:00:00+00:00")
    assert add(any_uow_factory, a, owed("p:b"), owed("p:a", Kind.NUDGE)) == 2  # first of a key wins
    assert add(any_uow_factory, owed("p:b"), owed("p:c")) == 1
    assert add(any_uow_factory) == 0
    many = [owed(f"bulk:{i}", person=None, action_id=None) for i in range(1200)]
    assert add(any_uow_factory, *many) == 1200
    with any_uow_factory() as uow:
        record = uow.ledger.get("p:a")
        assert uow.ledger.get("p:zz") is None
    assert record is not None and record.kind == "prompt" and record.state == "pending"
    assert record.recipient == Recipient.of_person("lead_a") and record.attempts == 0
    assert record.payload == {"opens_at": "2022-03-01T09:00:00+00:00"} and record.due_at == NOW
    assert (record.sent_at, record.platform, record.where, record.last_error) == (None, None, None, None)
    assert read(any_uow_factory, lambda u: u.ledger.get("bulk:7")).recipient == Recipient.of_body("silver")  # type: ignore[union-attr]


def test_the_same_key_added_at_once_is_kept_once(any_uow_factory: UowFactory) -> None:
    assert overlapping(any_uow_factory, lambda u: u.ledger.add_owed([owed("k")], NOW),
                       lambda u: u.ledger.add_owed([owed("k"), owed("k2")], NOW)) == (1, 1, False)
    assert [r.key for r in read(any_uow_factory, lambda u: u.ledger.records())] == ["k", "k2"]


def test_claim_due_takes_what_is_due_oldest_first_under_a_lease(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, owed("late", due=NOW - timedelta(hours=1)), owed("now", due=NOW),
        owed("future", due=NOW + timedelta(minutes=1)),
        owed("summary", Kind.SILVER_SUMMARY, due=NOW - timedelta(hours=2), person=None, action_id=None))
    first = claim(any_uow_factory, limit=2, exclude=(Kind.SILVER_SUMMARY,))
    assert [c.key for c in first] == ["late", "now"]
    c = first[0]
    assert (c.kind, c.recipient, c.meeting, c.action_id, c.person) == (
        "prompt", Recipient.of_person("lead_a"), SILVER, "R1.1", "lead_a")
    assert c.attempts == 1 and not c.recover and c.created_at == NOW and c.expires_at is None
    assert [c.key for c in claim(any_uow_factory, "w2")] == ["summary"]  # held rows are not taken again
    assert claim(any_uow_factory, "w3") == []
    assert [c.key for c in claim(any_uow_factory, "w3", now=NOW + timedelta(minutes=1))] == ["future"]
    with any_uow_factory() as uow:
        assert uow.ledger.still_mine(c.id, "w1") and not uow.ledger.still_mine(c.id, "w2")
        assert [r.key for r in uow.ledger.records(states=["sending"])] == ["late", "now", "future", "summary"]


def test_a_lease_that_ran_out_passes_to_another_worker(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, owed("p"))
    [mine] = claim(any_uow_factory, "w1")
    [theirs] = claim(any_uow_factory, "w2", now=LEASE)  # w1 stalled past its lease
    assert theirs.id == mine.id and theirs.recover and theirs.attempts == 2
    where = MessageRef("D1", "1646125200.000100")
    with any_uow_factory() as uow:
        assert not uow.ledger.still_mine(mine.id, "w1")
        assert not uow.ledger.mark_sent(mine.id, "w1", "chat", where, NOW)
        assert not uow.ledger.mark_done(mine.id, "w1", "skipped")
        assert not uow.ledger.mark_retry(mine.id, "w1", NOW, "timeout")
        assert not uow.ledger.mark_dead(mine.id, "w1", "gave up")
        assert uow.ledger.mark_sent(theirs.id, "w2", "chat", where, LEASE)
        assert not uow.ledger.mark_sent(theirs.id, "w2", "chat", where, LEASE)  # once only
        uow.commit()
    record = read(any_uow_factory, lambda u: u.ledger.get("p"))
    assert record is not None and record.state == "sent" and record.sent_at == LEASE
    assert record.platform == "chat" and record.where == where and record.attempts == 2
    assert claim(any_uow_factory, "w3", now=NOW + timedelta(days=1)) == []


def test_retries_failures_and_outcomes_unknown(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, owed("fail"), owed("unknown"), owed("blocked"))
    claims = {c.key: c for c in claim(any_uow_factory)}
    retry_at = NOW + timedelta(minutes=2)
    with any_uow_factory() as uow:
        assert uow.ledger.mark_retry(claims["fail"].id, "w1", retry_at, "500")
        assert uow.ledger.mark_retry(claims["unknown"].id, "w1", retry_at, "lost", outcome_unknown=True)
        assert uow.ledger.mark_retry(claims["blocked"].id, "w1", retry_at, "revoked", attempts=0)
        uow.commit()
    with any_uow_factory() as uow:
        records = {r.key: r for r in uow.ledger.records()}
    assert records["fail"].state == "failed" and records["fail"].last_error == "500"
    assert records["unknown"].state == "sending" and records["unknown"].last_error == "lost"
    assert records["blocked"].attempts == 0 and records["fail"].attempts == 1
    assert claim(any_uow_factory, "w2", now=retry_at - timedelta(seconds=1)) == []
    again = {c.key: c for c in claim(any_uow_factory, "w2", now=retry_at)}
    assert set(again) == {"fail", "unknown", "blocked"}
    assert again["unknown"].recover and not again["fail"].recover
    assert (again["fail"].attempts, again["blocked"].attempts) == (2, 1)


def test_a_claimed_row_ends_skipped_stale_or_dead(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, owed("a"), owed("b"), owed("c"))
    a, b, c = claim(any_uow_factory)
    with any_uow_factory() as uow:
        with pytest.raises(ValueError):
            uow.ledger.mark_done(a.id, "w1", "sent")
        assert uow.ledger.mark_done(a.id, "w1", "skipped")
        assert uow.ledger.mark_done(b.id, "w1", "stale")
        assert uow.ledger.mark_dead(c.id, "w1", "channel_not_found")
        assert not uow.ledger.still_mine(c.id, "w1")
        uow.commit()
    assert [state_of(any_uow_factory, k) for k in "abc"] == ["skipped", "stale", "dead"]
    assert read(any_uow_factory, lambda u: u.ledger.get("c")).last_error == "channel_not_found"  # type: ignore[union-attr]
    assert claim(any_uow_factory, now=NOW + timedelta(days=30)) == []


def test_rows_past_their_moment_go_stale_unless_under_way(any_uow_factory: UowFactory) -> None:
    end = NOW + timedelta(hours=1)
    add(any_uow_factory, owed("pending", expires=end), owed("failed", expires=end),
        owed("sending", expires=end), owed("forever"), owed("later", expires=end + timedelta(hours=1)))
    claims = {c.key: c for c in claim(any_uow_factory)}
    with any_uow_factory() as uow:
        uow.ledger.mark_retry(claims["failed"].id, "w1", NOW, "x")
        for key in ("pending", "forever", "later"):
            uow.ledger.mark_retry(claims[key].id, "w1", NOW, "x")
        assert uow.ledger.mark_stale(end - timedelta(seconds=1)) == 0
        assert uow.ledger.mark_stale(end) == 2
        uow.commit()
    states = {r.key: r.state for r in read(any_uow_factory, lambda u: u.ledger.records())}
    assert states == {"pending": "stale", "failed": "stale", "sending": "sending", "forever": "failed",
                      "later": "failed"}


def test_claim_keys_takes_only_those_pending_and_due(any_uow_factory: UowFactory) -> None:
    notice = dict(kind=Kind.NOTICE, action_id="R1.1", meeting=None)
    add(any_uow_factory, owed("n1", **notice), owed("n2", **notice), owed("n3", **notice),  # type: ignore[arg-type]
        owed("n4", due=NOW + timedelta(hours=1), **notice))  # type: ignore[arg-type]
    assert [c.key for c in claim(any_uow_factory, "tick", limit=1)] == ["n1"]
    with any_uow_factory() as uow:
        got = uow.ledger.claim_keys(["n3", "n1", "n4", "nope", "n2", "n3"], NOW, "now", LEASE)
        uow.commit()
    assert [c.key for c in got] == ["n3", "n2"] and all(c.attempts == 1 and not c.recover for c in got)
    assert read(any_uow_factory, lambda u: u.ledger.claim_keys(["n2"], NOW, "again", LEASE)) == []


def test_two_workers_claiming_at_once_never_share_a_row(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, *[owed(f"p{i}", due=NOW - timedelta(minutes=i)) for i in range(4)])
    first, second, early = overlapping(any_uow_factory, lambda u: u.ledger.claim_due(NOW, "w1", LEASE, 2),
                                       lambda u: u.ledger.claim_due(NOW, "w2", LEASE, 4))
    assert [c.key for c in first] == ["p3", "p2"]
    assert [c.key for c in second] == ["p1", "p0"]
    # PostgreSQL skips the rows the first holds (SKIP LOCKED) instead of waiting for them; SQLite
    # and memory let one transaction write at a time
    assert early is on_postgres(any_uow_factory)


def test_what_was_sent_for_meetings_and_the_thread_of_a_message(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, owed("prompt"), owed("nudge", Kind.NUDGE), owed("other", meeting="gold:x"),
        owed("notice", Kind.NOTICE, meeting=None), owed("chase", Kind.CHASE, action_id=None))
    claims = {c.key: c for c in claim(any_uow_factory)}
    where = {k: MessageRef("D1", f"{i}.0") for i, k in enumerate(claims)}
    with any_uow_factory() as uow:
        for key, c in claims.items():
            uow.ledger.mark_sent(c.id, "w1", "chat", where[key], NOW + timedelta(minutes=1))
        uow.commit()
    with any_uow_factory() as uow:
        facts = uow.ledger.sent_facts([SILVER, "silver:none"], [Kind.PROMPT, Kind.NUDGE])
        assert set(facts) == {"prompt", "nudge"}
        assert facts["prompt"].where == where["prompt"] and facts["prompt"].state == "sent"
        assert facts["prompt"].person == "lead_a" and facts["prompt"].sent_at == NOW + timedelta(minutes=1)
        assert uow.ledger.sent_facts([], [Kind.PROMPT]) == {}
        assert uow.ledger.action_of_message("chat", where["prompt"]) == "R1.1"
        assert uow.ledger.action_of_message("chat", where["nudge"]) == "R1.1"
        assert uow.ledger.action_of_message("other", where["prompt"]) is None
        assert uow.ledger.action_of_message("chat", where["notice"]) is None  # not a prompt's thread
        assert uow.ledger.action_of_message("chat", MessageRef("D1", "9.9")) is None
        assert [r.key for r in uow.ledger.records(kinds=[Kind.NOTICE, Kind.CHASE])] == ["notice", "chase"]
        assert [r.key for r in uow.ledger.records([Kind.PROMPT], ["pending"])] == []


def test_prompts_sent_with_the_first_answer_after_each(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    add(any_uow_factory, owed("a"), owed("b", action_id="R1.2", person="lead_b"), owed("c", action_id="R2.1"),
        owed("unsent", action_id="R2.1"), owed("nudge", Kind.NUDGE))
    claims = {c.key: c for c in claim(any_uow_factory)}
    sent = {"a": NOW, "b": NOW + timedelta(hours=1), "c": NOW + timedelta(days=3), "nudge": NOW}
    with any_uow_factory() as uow:
        for key, at in sent.items():
            uow.ledger.mark_sent(claims[key].id, "w1", "chat", MessageRef("D", key), at)
        uow.updates.add(update("R1.1", NOW - timedelta(hours=1)))  # before the prompt: not an answer
        uow.updates.add(update("R1.1", NOW + timedelta(hours=5)))
        uow.updates.add(update("R1.1", NOW + timedelta(hours=2)))
        uow.updates.add(update("R1.2", NOW + timedelta(days=2)))
        uow.commit()
    with any_uow_factory() as uow:
        until_day = uow.ledger.prompts_sent(NOW + timedelta(days=1))
        later = uow.ledger.prompts_sent(NOW + timedelta(days=4))
    assert until_day == [PromptRecord("lead_a", "R1.1", NOW, SILVER, NOW + timedelta(hours=2)),
                         PromptRecord("lead_b", "R1.2", NOW + timedelta(hours=1), SILVER, None)]
    assert later[1].answered_at == NOW + timedelta(days=2) and later[1].answered_at.tzinfo is not None
    assert [p.action_id for p in later] == ["R1.1", "R1.2", "R2.1"] and later[2].answered_at is None


def test_data_version_sees_a_send(any_uow_factory: UowFactory) -> None:
    add(any_uow_factory, owed("p"))
    before = read(any_uow_factory, lambda u: u.data_version())
    assert before.deliveries is not None and before.sent_at is None
    [c] = claim(any_uow_factory)
    with any_uow_factory() as uow:
        uow.ledger.mark_sent(c.id, "w1", "chat", MessageRef("D", "1"), NOW + timedelta(minutes=3))
        uow.commit()
    after = read(any_uow_factory, lambda u: u.data_version())
    assert after.sent_at == NOW + timedelta(minutes=3) and after.deliveries == before.deliveries


def test_a_prompt_is_answered_by_an_update_stored_before_its_send_was_recorded(any_uow_factory: UowFactory) -> None:
    # the answer is kept on the prompt's row: written by the send when the update came first
    seed_plan(any_uow_factory)
    add(any_uow_factory, owed("a"))
    [c] = claim(any_uow_factory)
    with any_uow_factory() as uow:  # the lead answered while the send was being recorded
        uow.updates.add(update("R1.1", NOW + timedelta(minutes=3)))
        uow.commit()
    with any_uow_factory() as uow:
        assert uow.ledger.mark_sent(c.id, "w1", "chat", MessageRef("D", "a"), NOW)
        uow.commit()
    with any_uow_factory() as uow:
        assert [p.answered_at for p in uow.ledger.prompts_sent(NOW + timedelta(days=1))] == [NOW + timedelta(minutes=3)]
        uow.updates.add(update("R1.1", NOW + timedelta(minutes=1)))  # an earlier one stored later
        uow.commit()
    with any_uow_factory() as uow:
        assert [p.answered_at for p in uow.ledger.prompts_sent(NOW + timedelta(days=1))] == [NOW + timedelta(minutes=1)]


def test_prompts_sent_narrowed_to_a_moment_or_to_actions(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    add(any_uow_factory, owed("a"), owed("b", action_id="R1.2", person="lead_b"), owed("c", action_id="R2.1"))
    claims = {c.key: c for c in claim(any_uow_factory)}
    sent = {"a": NOW, "b": NOW + timedelta(hours=1), "c": NOW + timedelta(hours=2)}
    with any_uow_factory() as uow:
        for key, at in sent.items():
            uow.ledger.mark_sent(claims[key].id, "w1", "chat", MessageRef("D", key), at)
        first = uow.updates.add(update("R1.1", NOW + timedelta(minutes=5)))
        uow.updates.add(update("R2.1", NOW + timedelta(hours=3)))
        uow.commit()
    until = NOW + timedelta(days=1)
    with any_uow_factory() as uow:
        everything = uow.ledger.prompts_sent(until)
        since_b = uow.ledger.prompts_sent(until, sent_from=NOW + timedelta(hours=1))
        of_two = uow.ledger.prompts_sent(until, action_ids={"R1.1", "R2.1"})
        assert uow.updates.actions_updated_after(None) == {"R1.1", "R2.1"}
        assert first is not None and uow.updates.actions_updated_after(first.id) == {"R2.1"}
    assert [p.action_id for p in since_b] == ["R1.2", "R2.1"]
    assert [p.action_id for p in of_two] == ["R1.1", "R2.1"] and of_two == [everything[0], everything[2]]
    assert len({p.id for p in everything}) == 3 and all(p.id for p in everything)
