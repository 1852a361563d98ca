"""A real, throw-away PostgreSQL server for the tests, from Debian's binaries.

Started once per test session in a temporary folder, on a free port, and stopped at the
end: the cluster's own :class:`bot.cluster.postgres.Postgres`, with durability turned off
(a crash loses nothing a test needs). Set ``TEST_POSTGRES_URL`` (an admin URL, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) to use a server you run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.cluster.postgres import Postgres

FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One PostgreSQL server; each test gets its own database on it."""

    def __init__(self) -> None:
        self.admin_url = os.environ.get("TEST_POSTGRES_URL", "")
        self._external = bool(self.admin_url)
        self._server: Postgres | None = None

    def start(self) -> None:
        if self._external:
            return
        folder = Path(tempfile.mkdtemp(prefix="careleavers-pg-"))
        self._server = Postgres(folder, _free_port(), settings=FAST)
        try:
            self._server.start()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self.admin_url = self._server.admin_url

    def stop(self) -> None:
        if self._external or self._server is None:
            return
        try:
            self._server.stop("immediate")
        finally:
            shutil.rmtree(self._server.folder, ignore_errors=True)

    def create_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return str(make_url(self.admin_url).set(database=name))

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
