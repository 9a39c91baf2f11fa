"""Benchmark data on demand: the North Yorkshire plan with years of updates, or a stress plan, in bulk.

Loads rows with SQLAlchemy Core `insert()` executemany on SQLite and with COPY on PostgreSQL, so
200,000 updates take seconds and 1,000,000 well under a minute. Every set also holds the prompts
that were sent (one `deliveries` row per action per fortnight), so participation and "missing"
have real work to do.

Run it on its own: `python -m tests.bench.generate --set stress --url sqlite:///stress.db`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text

from ncpi_core.config.schema import ForceConfig, PlanFile, load_force_config, load_plan_file
from ncpi_core.domain.ledger import Recipient
from ncpi_core.domain.models import Role
from ncpi_core.storage.engine import build_engine, normalise_url
from ncpi_core.storage.migrate import upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.storage.tables import ActionRow, PlanRow, RecommendationRow
from ncpi_core.usecases.plan import load_plan, sync_people

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "config"
POSTGRES_URL = os.environ.get("NCPI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

START = datetime(2022, 4, 4, 9, tzinfo=UTC)  # the first Monday after the report
SPAN = timedelta(weeks=104)  # two years of governance
NOW = START + SPAN + timedelta(days=1, hours=2)  # when the summaries are asked for
NARRATIVES = (
    "Training slots booked for all response supervisors; 60 % attended so far.",
    "Guidance drafted and out for consultation with the safeguarding partnership.",
    "Dip-sample of 40 incidents done; findings to the next Silver meeting.",
    "Waiting for the IT change window; workaround briefed to the control room.",
    "Policy signed off by the Chief Officer Team; now embedding through briefings.",
)
BLOCKERS = ("", "", "", "", "IT release slipped to next quarter", "Partner sign-off outstanding")
RAGS = ("green",) * 5 + ("amber",) * 3 + ("red",)
PLATFORM = "slack"  # the platform the generated history happened on


@dataclass
class Dataset:
    """What was generated and how long it took to load."""

    name: str
    url: str
    actions: int
    updates: int
    prompts: int
    load_seconds: float
    now: datetime = NOW
    phases: dict[str, float] | None = None  # seconds: plan, updates, prompts, analyze

    @property
    def backend(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"


# --- databases -------------------------------------------------------------------------------------
@contextlib.contextmanager
def sqlite_database(directory: Path, name: str = "bench") -> Iterator[str]:
    """A migrated SQLite file in `directory`."""
    path = directory / f"{name}-{uuid.uuid4().hex[:6]}.db"
    engine = build_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(path) + suffix).unlink()


@contextlib.contextmanager
def postgres_database(admin_url: str = POSTGRES_URL) -> Iterator[str]:
    """A private, migrated PostgreSQL database, dropped afterwards (as tests/conftest.py does)."""
    admin_url = normalise_url(admin_url)
    name = f"ncpi_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        engine = build_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def clear(engine: Engine) -> None:
    """Empty every table the generator fills (so one database serves several sizes)."""
    with engine.begin() as conn:
        for table in ("deliveries", "updates", "audit", "actions", "recommendations", "plan"):
            conn.execute(text(f"DELETE FROM {table}"))


# --- rows ------------------------------------------------------------------------------------------
def force_config() -> ForceConfig:
    return load_force_config(CONFIG_DIR / "ncpi.yaml")


def plan_file(config: ForceConfig) -> PlanFile:
    return load_plan_file(CONFIG_DIR / "action_plan.yaml", config)


def _bronze(config: ForceConfig) -> list[str]:
    return [p.id for p in config.people if Role.BRONZE in p.roles]


def _load_stress_plan(engine: Engine, config: ForceConfig, n_actions: int, per_rec: int = 20) -> list[tuple[str, str]]:
    """A synthetic plan of `n_actions` actions in recommendations of `per_rec`; returns (action, owner)."""
    with SqlUowFactory(engine)() as uow:
        sync_people(config, uow, START)
        uow.commit()
    owners = _bronze(config)
    recs, acts, out = [], [], []
    for r in range(n_actions // per_rec + (1 if n_actions % per_rec else 0)):
        rid = f"S{r + 1}"
        recs.append({"id": rid, "position": r, "title": f"Stress recommendation {r + 1}",
                     "text": "The force should make sure that " + "x" * 120, "category": "three_months",
                     "due": date(2022, 6, 29), "in_plan": True})
        for a in range(min(per_rec, n_actions - r * per_rec)):
            aid, owner = f"{rid}.{a + 1}", owners[(r * per_rec + a) % len(owners)]
            due = date(2022, 5, 1) + timedelta(days=7 * ((r + a) % 120))
            acts.append({"id": aid, "recommendation_id": rid, "position": a, "title": f"Stress action {aid}",
                         "owner": owner, "deputy": None, "due": due, "original_due": due,
                         "status": "open", "in_plan": True, "version": 1})
            out.append((aid, owner))
    with engine.begin() as conn:
        conn.execute(insert(PlanRow), [{"id": 1, "title": "Stress plan", "report": "synthetic",
                                        "published": date(2022, 3, 29), "loaded_at": START}])
        conn.execute(insert(RecommendationRow), recs)
        conn.execute(insert(ActionRow), acts)
    return out


def _load_real_plan(engine: Engine, config: ForceConfig) -> list[tuple[str, str]]:
    with SqlUowFactory(engine)() as uow:
        load_plan(plan_file(config), config, uow, START - timedelta(days=7))
        uow.commit()
        return [(a.id, a.owner) for a in uow.plan.actions()]


def _identity(config: ForceConfig, owner: str) -> str:
    """The "platform:id" an owner's updates came from, as the app stores it (`author_identity`)."""
    person = config.person(owner)
    slack_id = person.identity(PLATFORM) if person is not None else None
    return f"{PLATFORM}:{slack_id or 'U' + owner.upper()[:9].ljust(9, '0')}"


def _update_rows(actions: list[tuple[str, str]], total: int, rng: random.Random,
                 config: ForceConfig) -> Iterator[tuple[Any, ...]]:
    """`total` updates spread evenly over SPAN, round-robin over the actions, oldest first (UPDATE_COLUMNS)."""
    step = SPAN / max(1, total)
    author = {a: _identity(config, owner) for a, owner in actions}
    progress = dict.fromkeys(author, 0)
    n_actions = len(actions)
    for i in range(total):
        aid, owner = actions[i % n_actions]
        progress[aid] = p = min(100, progress[aid] + rng.randint(0, 4))
        yield (aid, RAGS[rng.randrange(len(RAGS))], p, NARRATIVES[i % len(NARRATIVES)],
               BLOCKERS[i % len(BLOCKERS)], "", owner, author[aid], "modal", START + step * i, None)


def _prompt_rows(actions: list[tuple[str, str]], every: timedelta = timedelta(weeks=2)) -> Iterator[tuple[Any, ...]]:
    """One sent prompt per action per cycle over SPAN (a Tuesday 14:00 Silver meeting a week later),
    addressed to its owner and recorded where it went: the owner's DM and the message's ts."""
    t = START
    while t < START + SPAN:
        meeting = (t + timedelta(days=8, hours=5)).strftime("%Y%m%dT%H%MZ")
        for aid, owner in actions:
            yield (f"prompt:silver:{meeting}:{aid}", "prompt", f"silver:{meeting}", aid, owner,
                   str(Recipient.of_person(owner)), t, t + timedelta(days=8), "sent", 1, PLATFORM,
                   "D" + owner.upper()[:9], f"{t.timestamp():.6f}", t, t, "{}")
        t += every


UPDATE_COLUMNS = ("action_id", "rag", "progress", "narrative", "blockers", "evidence", "author",
                  "author_identity", "source", "created_at", "idempotency_key")
ANSWERED_FILL = importlib.import_module("ncpi_core.storage.migrations.versions.0006_perf").BACKFILL
PROMPT_COLUMNS = ("key", "kind", "meeting", "action_id", "person", "recipient", "due_at", "expires_at",
                  "state", "attempts", "platform", "conversation", "message_ref", "sent_at", "created_at",
                  "payload")


@functools.lru_cache(maxsize=4096)
def _sqlite_time(v: datetime) -> str:
    # what SQLAlchemy's UTCDateTime stores on SQLite: naive UTC text (prompts share their times)
    return v.astimezone(UTC).isoformat(" ", "microseconds")[:26]  # = strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_value(v: Any) -> Any:
    return _sqlite_time(v) if isinstance(v, datetime) else v


def _copy_value(v: Any) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _sqlite_bulk(path: str, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]],
                 chunk: int) -> int:
    # A private connection: no FK check per row, no fsync, and a page cache big enough that the
    # (action_id, created_at) index is not read back from disk for every round-robin insert.
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")
        conn.execute("BEGIN")
        # secondary indexes are rebuilt once from the loaded rows: faster than updated row by row
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                               "AND sql IS NOT NULL", (table,)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        n, batch = 0, []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= chunk:
                conn.executemany(sql, batch)
                n, batch = n + len(batch), []
        conn.executemany(sql, batch)
        for _, create in indexes:
            conn.execute(create)
        conn.execute("COMMIT")
        return n + len(batch)
    finally:
        conn.close()


def bulk_insert(engine: Engine, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]],
                chunk: int = 50_000) -> int:
    """Insert rows fast: COPY on PostgreSQL, the driver's executemany in chunks on SQLite.

    The ORM and Core type processing cost tens of microseconds a row; pre-formatted values go
    straight to the driver (the formats are those UTCDateTime and JSON store).
    """
    if engine.dialect.name == "sqlite":
        return _sqlite_bulk(str(engine.url.database), table, columns, rows, chunk)
    n = 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buf: list[str] = []
            for row in rows:
                buf.append("\t".join(_copy_value(v) for v in row))
                if len(buf) >= chunk:
                    copy.write("\n".join(buf) + "\n")
                    n, buf = n + len(buf), []
            if buf:
                copy.write("\n".join(buf) + "\n")
                n += len(buf)
        raw.commit()
    finally:
        raw.close()
    return n


def generate(url: str, name: str, *, actions: int | None = None, updates: int | None = None,
             prompts: bool = True, seed: int = 7) -> Dataset:
    """Fill an empty, migrated database at `url`.

    Args:
        url: SQLAlchemy URL of a migrated database (emptied of plan rows first).
        name: a label for reports ("realistic", "stress", "scale-100000").
        actions: None for the North Yorkshire plan in config/; else a synthetic plan of this many.
        updates: how many updates in all, spread evenly over two years (None: one a week
            for every action, 104 each).
        prompts: also record the prompts sent (one per action per fortnight).
        seed: the random seed (RAGs, progress), so runs are comparable.
    """
    config = force_config()
    engine = build_engine(url)
    try:
        clear(engine)
        started = time.perf_counter()
        acts = _load_real_plan(engine, config) if actions is None else _load_stress_plan(engine, config, actions)
        phases = {"plan": time.perf_counter() - started}
        total = len(acts) * 104 if updates is None else updates
        n_updates = bulk_insert(engine, "updates", UPDATE_COLUMNS,
                                _update_rows(acts, total, random.Random(seed), config))
        phases["updates"] = time.perf_counter() - started - sum(phases.values())
        n_prompts = bulk_insert(engine, "deliveries", PROMPT_COLUMNS, _prompt_rows(acts)) if prompts else 0
        if n_prompts:  # each prompt's first answer, as the repositories write it (migration 0006's fill)
            with engine.begin() as conn:
                conn.execute(text(ANSWERED_FILL))
        phases["prompts"] = time.perf_counter() - started - sum(phases.values())
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE updates"))
                conn.execute(text("VACUUM ANALYZE deliveries"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        elapsed = time.perf_counter() - started
        phases["analyze"] = elapsed - sum(phases.values())
    finally:
        engine.dispose()
    return Dataset(name, url, len(acts), n_updates, n_prompts, elapsed,
                   phases={k: round(v, 2) for k, v in phases.items()})


REALISTIC: dict[str, Any] = {"actions": None, "updates": None}  # the NYP plan, weekly for two years
STRESS: dict[str, Any] = {"actions": 2_000, "updates": 200_000}  # 2,000 actions x 100 updates


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", choices=["realistic", "stress"], default="realistic")
    p.add_argument("--updates", type=int, default=None, help="override the number of updates")
    p.add_argument("--url", required=True, help="a migrated database (ncpi db upgrade) to fill")
    args = p.parse_args(argv)
    spec = dict(REALISTIC if args.set == "realistic" else STRESS)
    if args.updates:
        spec["updates"] = args.updates
    ds = generate(args.url, args.set, **spec)
    print(f"{ds.name}: {ds.actions} actions, {ds.updates:,} updates, {ds.prompts:,} prompts "
          f"loaded in {ds.load_seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
