"""Storage: SQLAlchemy tables, engine, repository and unit of work."""
