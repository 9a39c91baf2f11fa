"""Turn low-level failures at the edge into one clear line for a person (never a traceback).

The database's failures become core errors in storage (`database_errors`: an unreadable URL, a
server that does not answer, no tables yet, no PostgreSQL driver); the command line words them
through the message catalogue like any other core error.
"""

from __future__ import annotations

from ncpi_core.storage.errors import database_errors, safe_url

__all__ = ["database_errors", "safe_url"]
