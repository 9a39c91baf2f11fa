"""The HTTP front door as an attacker finds it: lengths decided before the body, a deadline for a whole
request, and /healthz that tells a database that cannot be written (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.bootstrap import Core
from bot.slack.http import HttpServer, ServerLimits, make_http_server
from ncpi_core.storage.engine import build_engine, normalise_url
from tests.conftest import private_postgres_database
from tests.slack.conftest import LD_LEAD, BotHarness


def _exchange(port: int, head: bytes, body: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send a raw request and read the answer until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head + body)
        chunks = []
        try:
            while data := s.recv(65536):
                chunks.append(data)
                if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def _post_head(length: str | None, extra: str = "") -> bytes:
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def _port(bot: BotHarness) -> int:
    return int(bot.url.rsplit(":", 1)[1])


@pytest.mark.parametrize(("length", "expected"), [
    ("-1", 400), ("abc", 400), ("1e3", 400), (" 12", 400), (None, 400), (str(2 * 1024 * 1024), 413),
])
def test_the_length_is_decided_before_the_body_is_read(bot: BotHarness, length: str | None,
                                                        expected: int) -> None:
    # the body that follows is never what decides: 100 KB of it, and the answer comes at once
    answer = _exchange(_port(bot), _post_head(length), b"x" * 100_000)
    assert _status(answer) == expected, answer[:200]
    assert bot.command(LD_LEAD, "my").status == 200  # and the server still serves


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(bot: BotHarness) -> None:
    chunk = b"x" * 65536
    framed = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(40))  # 2.5 MiB
    answer = _exchange(_port(bot), _post_head(None, "Transfer-Encoding: chunked\r\n"), framed)
    assert _status(answer) == 413


@pytest.fixture
def quick_server(bot_core: Core) -> Iterator[HttpServer]:
    """The health-only front door with a one-second request deadline."""
    server = make_http_server(None, bot_core, host="127.0.0.1", port=0,
                              limits=ServerLimits(threads=2, request_deadline=1.0))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _closed_by_server(s: socket.socket) -> bool:
    try:
        return s.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_half_sent_and_silent_connections_hold_no_worker_and_are_closed(quick_server: HttpServer) -> None:
    port = quick_server.server_address[1]
    half = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
    for s in half:
        s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + b"x" * 10)
    # two workers, eighty stuck clients: a whole request is still answered at once
    answer = _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _status(answer) == 200
    time.sleep(2.5)  # past the deadline and one maintenance pass
    for s in half + silent:
        s.settimeout(2)
        assert _closed_by_server(s)
        s.close()


def test_a_slow_drip_does_not_keep_a_request_open(quick_server: HttpServer) -> None:
    port = quick_server.server_address[1]
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(0.1)
        closed = False
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200:
            try:
                s.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _closed_by_server(s):
                closed = True
                break
            time.sleep(0.05)  # a byte every 0.15 s: never silent long enough for an idle timeout
        assert closed


# --- /healthz and a database that cannot be written -----------------------------------------------
def _health_of(core: Core) -> tuple[int, dict[str, object]]:
    server = make_http_server(None, core, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        answer = _exchange(server.server_address[1], b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    finally:
        server.shutdown()
        server.server_close()
    return _status(answer), json.loads(answer.split(b"\r\n\r\n", 1)[1])


def _core_on(bot_core: Core, url: str) -> Core:
    return Core(settings=bot_core.settings, config=bot_core.config, engine=build_engine(url), clock=bot_core.clock)


def test_healthz_is_503_when_a_sqlite_database_cannot_be_written(bot_core: Core, tmp_path: Path,
                                                               _sqlite_template: Path) -> None:
    path = tmp_path / "ro.db"
    shutil.copy(_sqlite_template, path)
    writable = _core_on(bot_core, f"sqlite:///{path}")
    assert _health_of(writable)[0] == 200
    writable.engine.dispose()
    read_only = _core_on(bot_core, f"sqlite:///file:{path}?mode=ro&uri=true")
    status, body = _health_of(read_only)
    assert status == 503 and body["database"] == "read-only", body
    assert "ro.db" not in json.dumps(body)
    read_only.engine.dispose()


@pytest.mark.postgres
def test_healthz_is_503_when_a_postgresql_database_cannot_be_written(bot_core: Core) -> None:
    with private_postgres_database("ncpi_ro") as url:
        core = _core_on(bot_core, url)
        assert _health_of(core)[0] == 200
        core.engine.dispose()
        admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # what a hot standby or a locked-down role looks like
            conn.execute(text(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" SET default_transaction_read_only = on'))
        admin.dispose()
        core = _core_on(bot_core, url)
        status, body = _health_of(core)
        core.engine.dispose()
        assert status == 503 and body["database"] == "read-only", body
        assert body["problem"] == "ReadOnlySqlTransaction"
