"""The layer rules, checked over the source with `ast` (see docs/ARCHITECTURE.md).

- ncpi_core knows no chat platform: no platform library, no `bot`, no "slack" or "/ncpi" in its
  text (but for the ncpi.yaml keys that name a platform's ids), no mrkdwn.
- domain imports only domain, config and errors; reports present and never read; use cases
  reach storage only through its abstract port.
- Only ncpi_core/storage imports SQLAlchemy or Alembic, or touches a session.
- No module over 400 lines in ncpi_core/ or bot/; no function-level import of our own modules
  unless marked `# lazy:` with the reason (start-up time), never to dodge a cycle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "ncpi_core"
BOT = ROOT / "bot"
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "apscheduler", "microsoft_agents", "aiohttp", "bot")
STORAGE_LIBRARIES = ("sqlalchemy", "alembic", "psycopg")
# the only lines of the core allowed to name a platform: ncpi.yaml's keys for a person's ids
PLATFORM_WORDS_ALLOWED = {("config/schema.py", 'IDENTITY_KEYS = {"slack_user": "slack", "teams_user": "teams"}'),
                          ("config/schema.py", 'FIRST_PLATFORM = "slack"'),
                          ("config/schema.py", "slack_user: str | None = Field(default=None, min_length=1)"),
                          ("config/schema.py", '# `silver: {slack: C0SILVER01, teams: "19:…@thread.tacv2"}`')}
MAX_LINES = 400


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts or p.name != "script.py.mako")


def imports_of(path: Path) -> list[tuple[int, str, bool]]:
    """(line, module, at top level) of every absolute import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((child.lineno, a.name, not in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.lineno, child.module, not in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _offenders(paths: list[Path], forbidden: tuple[str, ...], base: Path) -> list[str]:
    return [f"{p.relative_to(base)}:{line} imports {name}" for p in paths
            for line, name, _ in imports_of(p) if name.split(".")[0] in forbidden or name in forbidden
            or any(name.startswith(f + ".") for f in forbidden)]


def test_core_imports_no_platform_library_and_never_bot() -> None:
    files = _modules(CORE)
    assert len(files) > 20
    assert _offenders(files, PLATFORM_LIBRARIES, ROOT) == []


def test_only_storage_imports_sqlalchemy_or_alembic() -> None:
    outside = [p for p in _modules(CORE) + _modules(BOT) if "storage" not in p.relative_to(ROOT).parts[:2]]
    assert _offenders(outside, STORAGE_LIBRARIES, ROOT) == []


def test_domain_imports_only_domain_config_and_errors() -> None:
    domain = _modules(CORE / "domain")
    allowed = ("ncpi_core.domain", "ncpi_core.config", "ncpi_core.errors")
    bad = [f"{p.relative_to(ROOT)}:{line} imports {name}" for p in domain for line, name, _ in imports_of(p)
           if name.startswith("ncpi_core") and not name.startswith(allowed)]
    assert bad == []


def test_config_imports_only_domain_models_and_errors() -> None:
    allowed = ("ncpi_core.config", "ncpi_core.domain.models", "ncpi_core.errors")
    bad = [f"{p.relative_to(ROOT)}:{line} imports {name}" for p in _modules(CORE / "config")
           for line, name, _ in imports_of(p) if name.startswith("ncpi_core") and not name.startswith(allowed)]
    assert bad == []


def test_use_cases_reach_storage_only_through_its_port() -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {name}" for p in _modules(CORE / "usecases")
           for line, name, _ in imports_of(p)
           if name.startswith("ncpi_core.storage") and name != "ncpi_core.storage.base"]
    assert bad == []


def test_reports_present_and_never_read() -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {name}" for p in _modules(CORE / "reports")
           for line, name, _ in imports_of(p)
           if name.startswith(("ncpi_core.storage", "ncpi_core.usecases"))]
    assert bad == []


def test_nothing_outside_storage_touches_a_session() -> None:
    pattern = re.compile(r"\.session\b|\bSession\(|sessionmaker")
    bad = [f"{p.relative_to(ROOT)}:{i}" for p in _modules(CORE) + _modules(BOT)
           if "storage" not in p.relative_to(ROOT).parts[:2]
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert bad == []


COMMAND_WORD = re.compile(r"(?<![\w./-])/ncpi\b")  # the Slack command, not a path like config/ncpi.yaml


def test_the_core_never_names_a_platform_or_its_commands() -> None:
    bad = []
    for p in _modules(CORE):
        rel = p.relative_to(CORE).as_posix()
        if rel.startswith("storage/migrations/versions/"):
            continue  # a migration names the columns it converts, as they were
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if (COMMAND_WORD.search(line) or re.search(r"slack", line, re.I)) and (rel, line.strip()) not in PLATFORM_WORDS_ALLOWED:
                bad.append(f"ncpi_core/{rel}:{i}: {line.strip()[:90]}")
    assert bad == []


def test_the_core_writes_no_slack_markup() -> None:
    # mrkdwn's mentions and links (<@U…>, <!channel>, <url|text>) and emoji names belong to a front end
    markup = re.compile(r"<[@!#][A-Za-z]|:[a-z_]+_circle:|:white_check_mark:")
    bad = [f"{p.relative_to(ROOT)}:{i}" for p in _modules(CORE)
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if markup.search(line)]
    assert bad == []


@pytest.mark.parametrize("root", [CORE, BOT], ids=["ncpi_core", "bot"])
def test_no_module_is_over_400_lines(root: Path) -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules(root)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("root", [CORE, BOT], ids=["ncpi_core", "bot"])
def test_function_level_imports_of_our_modules_say_why(root: Path) -> None:
    bad = []
    for p in _modules(root):
        lines = p.read_text(encoding="utf-8").splitlines()
        for line, name, top_level in imports_of(p):
            if not top_level and name.split(".")[0] in ("ncpi_core", "bot") and "# lazy:" not in lines[line - 1]:
                bad.append(f"{p.relative_to(ROOT)}:{line} imports {name} inside a function")
    assert bad == []


def test_the_guards_catch_what_they_guard(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom slack_sdk import WebClient\n\ndef f():\n    from ncpi_core import errors\n")
    found = imports_of(bad)
    assert (2, "slack_sdk", True) in found and (5, "ncpi_core", False) in found
    assert _offenders([bad], PLATFORM_LIBRARIES, tmp_path) == ["bad.py:2 imports slack_sdk"]
    assert COMMAND_WORD.search("Try `/ncpi summary`") and not COMMAND_WORD.search("see config/ncpi.yaml")
