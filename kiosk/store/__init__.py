"""Storage: SQLAlchemy models, the database and its migrations, files on disk (no Qt)."""
