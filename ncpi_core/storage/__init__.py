"""Storage: the port (`base`), its SQL and in-memory implementations, tables and migrations."""
