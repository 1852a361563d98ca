"""Engine factory: one place that knows how to open the project's database.

SQLite is the default (a file under ``var/``) and PostgreSQL the production
choice; both are reached through the same ``DATABASE_URL``. Nothing connects
at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from bot.private_files import create_private_file, private_dir, restrict


def is_sqlite(url: str) -> bool:
    """True if ``url`` points at an SQLite database."""
    return bool(make_url(url).get_backend_name() == "sqlite")


def sqlite_engine_options(url: str) -> dict[str, Any]:
    """Engine options for SQLite shared by several processes (Rasa, actions, console).

    Creates the database file's folder (0700) and the file itself (0600) if they are
    missing, before SQLite opens it: SQLite would make it readable by everyone (0644).
    Its journal files (``-wal``, ``-shm``) take the database file's mode. A database
    file an earlier version left readable by others is restricted.
    """
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        private_dir(path.parent)
        if not create_private_file(path):
            for companion in ("", "-wal", "-shm", "-journal"):
                restrict(path.with_name(path.name + companion))
    return {
        "connect_args": {"check_same_thread": False, "timeout": 30},
        # A small pool of open connections (SQLAlchemy 1.4 would open one per checkout).
        "poolclass": QueuePool,
        "pool_size": 5,
        "max_overflow": 10,
    }


def configure_sqlite(engine: Engine) -> None:
    """Turn on WAL (readers never wait for the writer), foreign keys and a busy timeout."""

    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    sa.event.listen(engine, "connect", _on_connect)


def _first_line_only(context: Any) -> None:
    """Cut a database error's message to its first line, which names the problem.

    PostgreSQL adds a ``DETAIL`` line with the values of the failing row or key
    ("Failing row contains (..., Demo Name, +447700900...)"), and errors are logged. The
    exception's type, and its ``diag`` for code that needs it, are unchanged.
    """
    for error in (context.original_exception, context.sqlalchemy_exception):
        if error is not None and error.args and isinstance(error.args[0], str):
            error.args = (error.args[0].split("\n", 1)[0], *error.args[1:])


def create_db_engine(url: str, **options: Any) -> Engine:
    """Open an engine on the project's database.

    A database error's message never holds personal data: not the statement's values
    (``hide_parameters``), nor the row PostgreSQL quotes in its detail line; errors are
    logged, and the values can be a young person's words or number.

    Args:
        url: SQLAlchemy URL (``DATABASE_URL``).
        **options: Extra ``create_engine`` options.

    Returns:
        The engine; connections are opened lazily, on first use.

    """
    options = {"hide_parameters": True, **options}
    if is_sqlite(url):
        engine = sa.create_engine(url, future=True, **{**sqlite_engine_options(url), **options})
        configure_sqlite(engine)
    else:
        engine = sa.create_engine(url, future=True, pool_pre_ping=True, **options)
    sa.event.listen(engine, "handle_error", _first_line_only)
    return engine
