"""A PostgreSQL server in a folder of its own, from Debian's binaries.

The cluster (:mod:`bot.cluster.layout`) runs one; the tests start one per session
(``tests/support/postgres.py``). PostgreSQL refuses to run as root: as root, the server
runs as the ``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.cluster.errors import ClusterError

DATABASE_NAME = "careleavers"
MAX_CONNECTIONS = 400


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ClusterError(
        "PostgreSQL is not installed: run `make system-packages` (Debian's postgresql)"
    )


class Postgres:
    """A PostgreSQL server in a folder of its own, started and stopped with ``pg_ctl``.

    PostgreSQL refuses to run as root; as root, it runs as Debian's ``postgres`` user.
    """

    def __init__(
        self,
        folder: Path,
        port: int,
        max_connections: int = MAX_CONNECTIONS,
        settings: Sequence[str] = (),
    ) -> None:
        """Describe the server; nothing starts until :meth:`start`.

        Args:
            folder: Its own folder (the data folder, socket and log go in it).
            port: The port on 127.0.0.1.
            max_connections: Two Rasa servers, two action servers, the console and the
                scheduler each keep a pool, and each conversation lock holds a connection.
            settings: More ``name=value`` server settings (the tests turn fsync off).

        """
        self.folder = folder
        self.port = port
        self.max_connections = max_connections
        self.settings = tuple(settings)
        self.data = folder / "data"
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            self._prefix = ["runuser", "-u", "postgres", "--"]

    @property
    def admin_url(self) -> str:
        """The superuser's URL (trust on the loopback address only)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = DATABASE_NAME) -> str:
        """The URL of one database on this server."""
        return str(make_url(self.admin_url).set(database=database))

    def _run(self, *argv: str) -> None:
        result = subprocess.run(  # noqa: S603 (Debian's PostgreSQL binaries, fixed arguments)
            [*self._prefix, *argv], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ClusterError(f"{Path(argv[0]).name} failed: {result.stderr.strip()[-500:]}")

    def start(self) -> None:
        """Create the data folder on first use, then start the server and wait for it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        bindir = _postgres_bin()
        if not (self.data / "PG_VERSION").exists():
            self._run(
                str(bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
        options = " ".join(
            [
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                f"-c max_connections={self.max_connections}",
                *(f"-c {setting}" for setting in self.settings),
            ]
        )
        self._run(
            str(bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "server.log"),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect everyone; ``immediate``: as a crash)."""
        self._run(str(_postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        """Whether the server is running."""
        result = subprocess.run(  # noqa: S603
            [*self._prefix, str(_postgres_bin() / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def ensure_database(self, database: str = DATABASE_NAME) -> str:
        """Create ``database`` if it is missing; return its URL."""
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                exists = connection.execute(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
                ).first()
                if exists is None:
                    connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
        finally:
            engine.dispose()
        return self.url(database)
