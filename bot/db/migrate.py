"""Bring a database up to the latest schema (``python -m bot.db.migrate``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url``, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at ``database_url`` up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def main() -> None:
    """Migrate the configured database (``DATABASE_URL``) to the latest schema."""
    url = get_settings().database_url
    upgrade(url)
    print("Database is up to date.")


if __name__ == "__main__":
    main()
