"""Summary inputs are kept until the data changes, and never serve a summary a row it missed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient
from ncpi_core.domain.models import RAG, Source
from ncpi_core.storage.base import DataVersion
from ncpi_core.usecases.summaries import summary_now, summary_reads
from ncpi_core.usecases.summary_cache import SummaryCache, estimate_size
from ncpi_core.usecases.updates import UpdateCommand, record_update

NOW = datetime(2022, 3, 17, 9, tzinfo=UTC)
SAFE = "head_safeguarding"


def _rag(summary, action_id):  # type: ignore[no-untyped-def]
    return next(a.rag for a in summary.actions if a.id == action_id)


def _update(loaded, config, at: datetime, rag: RAG = RAG.AMBER) -> None:  # type: ignore[no-untyped-def]
    actor = config.person(SAFE)
    assert actor is not None
    record_update(loaded, config, actor, UpdateCommand(action_id="R2.1", rag=rag, progress=50, narrative="n",
                                                       source=Source.DM), now=at, today=at.date())


def test_repeated_summaries_reuse_inputs_and_match_uncached(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    _update(loaded, force_config, NOW - timedelta(days=1))
    cache = SummaryCache()
    first = summary_now(loaded, force_config, NOW, "silver", cache=cache)
    misses = cache.misses
    second = summary_now(loaded, force_config, NOW + timedelta(minutes=5), "silver", cache=cache)
    assert cache.misses == misses and cache.hits >= 3
    plain = summary_now(loaded, force_config, NOW + timedelta(minutes=5), "silver")
    assert second.actions == plain.actions and second.totals == plain.totals
    assert second.generated_at > first.generated_at  # built afresh for its own moment


def test_a_new_update_is_seen_at_once(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    cache = SummaryCache()
    assert _rag(summary_now(loaded, force_config, NOW, "gold", cache=cache), "R2.1") is None
    _update(loaded, force_config, NOW + timedelta(minutes=1), RAG.RED)
    later = summary_now(loaded, force_config, NOW + timedelta(minutes=2), "gold", cache=cache)
    assert _rag(later, "R2.1") == RAG.RED


def test_a_sent_prompt_changes_participation(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    cache = SummaryCache()
    asked = NOW - timedelta(days=2)
    with loaded() as uow:
        uow.ledger.add_owed([Owed("prompt:x:R2.1", Kind.PROMPT, asked, None, Recipient.of_person(SAFE),
                                  meeting="silver:20220322T1400Z", action_id="R2.1", person=SAFE)], asked)
        uow.commit()
    before = summary_now(loaded, force_config, NOW, "silver", cache=cache)
    with loaded() as uow:
        [claim] = uow.ledger.claim_keys(["prompt:x:R2.1"], asked, "seed", asked + timedelta(minutes=5))
        assert uow.ledger.mark_sent(claim.id, "seed", "slack", MessageRef("D0", "1.0"), asked)
        uow.commit()
    after = summary_now(loaded, force_config, NOW, "silver", cache=cache)
    assert before.participation != after.participation


def test_kept_inputs_never_serve_an_earlier_moment_rows_they_include(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    cache = SummaryCache()
    _update(loaded, force_config, NOW + timedelta(hours=1), RAG.GREEN)
    summary_now(loaded, force_config, NOW + timedelta(hours=2), "gold", cache=cache)
    misses = cache.misses
    earlier = summary_now(loaded, force_config, NOW, "gold", cache=cache)  # before that update
    assert cache.misses > misses  # not served from what was read at a later moment
    plain = summary_now(loaded, force_config, NOW, "gold")
    assert earlier.totals == plain.totals and earlier.actions == plain.actions


def _finished(loaded, config, cache, at: datetime, builds: list[datetime], level: str = "gold"):  # type: ignore[no-untyped-def]
    def render(summary):  # type: ignore[no-untyped-def]
        builds.append(at)
        return (summary.generated_at.replace(second=0, microsecond=0), dict(summary.totals), len(summary.actions))

    with summary_reads(loaded, config, at, cache) as reads:
        return reads.finished("test", level, None, None, render)


def test_a_finished_summary_is_kept_per_data_version_and_minute(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    cache, builds = SummaryCache(), []
    first = _finished(loaded, force_config, cache, NOW, builds)
    again = _finished(loaded, force_config, cache, NOW + timedelta(seconds=40), builds)
    assert again == first and len(builds) == 1  # the same minute, nothing written: not built again
    fresh = summary_now(loaded, force_config, NOW + timedelta(seconds=40), "gold")
    assert again == (fresh.generated_at.replace(second=0, microsecond=0), dict(fresh.totals), len(fresh.actions))
    _finished(loaded, force_config, cache, NOW + timedelta(minutes=1), builds)
    assert len(builds) == 2  # a new minute shows a new time: built again
    _update(loaded, force_config, NOW + timedelta(minutes=1, seconds=5), RAG.RED)
    after = _finished(loaded, force_config, cache, NOW + timedelta(minutes=1, seconds=10), builds)
    assert len(builds) == 3 and after[1] != first[1]  # a write: the next reader builds it afresh


def test_readers_of_one_missing_value_build_it_once() -> None:
    cache = SummaryCache()
    version = DataVersion(1, NOW, None, None, None, None)
    started, release, builds = threading.Event(), threading.Event(), []

    def build() -> str:
        builds.append(1)
        started.set()
        release.wait(5)
        return "kept"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(cache.get("k", version, NOW, build)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: results.append(cache.get("k", version, NOW, build)))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert results == ["kept", "kept"] and builds == [1]


def test_the_cache_is_bounded_in_bytes_not_entries() -> None:
    cache = SummaryCache(size=100, max_bytes=10_000)
    version = DataVersion(1, NOW, None, None, None, None)
    for i in range(5):
        cache.get(f"big{i}", version, NOW, lambda: "x" * 3_000)
    assert cache.bytes <= 10_000 and len(cache) == 3  # the oldest dropped as the bytes ran out
    assert cache.peek("big0", version, NOW) is None and cache.peek("big4", version, NOW) is not None
    assert cache.get("huge", version, NOW, lambda: "y" * 20_000) == "y" * 20_000  # served, never kept
    assert cache.peek("huge", version, NOW) is None and estimate_size(["ab", {"k": (1, 2)}]) > 0


def _send_prompt(loaded, key: str, action_id: str, person: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with loaded() as uow:
        uow.ledger.add_owed([Owed(key, Kind.PROMPT, at, None, Recipient.of_person(person),
                                  meeting="silver:20220322T1400Z", action_id=action_id, person=person)], at)
        [claim] = uow.ledger.claim_keys([key], at, "seed", at + timedelta(minutes=5))
        assert uow.ledger.mark_sent(claim.id, "seed", "slack", MessageRef("D0", key), at)
        uow.commit()


def test_participation_brought_up_to_date_matches_a_fresh_read(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    cache = SummaryCache()
    day = timedelta(days=1)
    _send_prompt(loaded, "p1", "R2.1", SAFE, NOW - 3 * day)
    steps = [
        lambda: _send_prompt(loaded, "p2", "R2.2", SAFE, NOW - 2 * day),  # a new send
        lambda: _update(loaded, force_config, NOW - 2 * day + timedelta(hours=3)),  # answers p1
        lambda: _send_prompt(loaded, "p3", "R2.1", SAFE, NOW - day),  # the next prompt for R2.1
        lambda: _update(loaded, force_config, NOW - day + timedelta(hours=1), RAG.GREEN),  # answers p3
    ]
    at = NOW
    for i, step in enumerate(steps):
        step()
        at = NOW + timedelta(minutes=i)
        kept = summary_now(loaded, force_config, at, "silver", cache=cache).participation
        fresh = summary_now(loaded, force_config, at, "silver").participation
        assert kept == fresh, f"after step {i}"
    assert fresh is not None and sum(r.answered for r in fresh.rows) == 2 and sum(r.prompts for r in fresh.rows) == 3
