"""Secrets from files (Docker/Kubernetes secrets) and the database password apart from its URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from ncpi_core.storage.errors import safe_url


def test_tokens_and_the_database_password_come_from_a_secrets_folder(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "SLACK_BOT_TOKEN").write_text("xoxb-from-a-file\n")
    (tmp_path / "NCPI_DATABASE_PASSWORD").write_text("s3cret/with:odd@chars\n")
    monkeypatch.setenv("NCPI_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("NCPI_DATABASE_URL", "postgresql://ncpi@db:5432/ncpi")
    s = Settings()
    assert s.bot_token() == "xoxb-from-a-file"
    assert safe_url(s.database_url) == "postgresql://ncpi:***@db:5432/ncpi"
    assert "s3cret" not in safe_url(s.database_url) and "%40chars" in s.database_url  # escaped, not cut


def test_a_password_in_the_url_wins_and_sqlite_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCPI_DATABASE_PASSWORD", "from-env")
    assert Settings(NCPI_DATABASE_URL="postgresql://u:inline@h/d").database_url == "postgresql://u:inline@h/d"
    assert Settings(NCPI_DATABASE_URL="sqlite:///ncpi.db").database_url == "sqlite:///ncpi.db"
    assert Settings(NCPI_DATABASE_URL="postgresql://u@h/d").database_url == "postgresql://u:from-env@h/d"


def test_no_secrets_folder_is_no_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         recwarn: pytest.WarningsRecorder) -> None:
    monkeypatch.setenv("NCPI_SECRETS_DIR", str(tmp_path / "absent"))
    Settings()
    assert not [w for w in recwarn if "does not exist" in str(w.message)]
