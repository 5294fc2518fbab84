"""Persistence: SQLModel tables, the async engine and sessions, query functions, Alembic migrations."""
