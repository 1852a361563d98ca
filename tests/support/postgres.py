"""A real, throw-away PostgreSQL server for the tests, from Debian's binaries.

Started once per test session in a temporary folder, on a free port, and
stopped at the end. PostgreSQL refuses to run as root, so when the tests run as
root (as CI does) the server runs as the ``postgres`` user that Debian's package
creates. Set ``TEST_POSTGRES_URL`` (an admin URL, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) to use a server you run instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(
        "PostgreSQL is not installed: run `make system-packages` (Debian's postgresql)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One PostgreSQL server; each test gets its own database on it."""

    def __init__(self) -> None:
        self.admin_url = os.environ.get("TEST_POSTGRES_URL", "")
        self._external = bool(self.admin_url)
        self._dir: Path | None = None
        self._prefix: list[str] = []

    def start(self) -> None:
        if self._external:
            return
        bindir = _bin_dir()
        self._dir = Path(tempfile.mkdtemp(prefix="careleavers-pg-"))
        data = self._dir / "data"
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self._dir, user.pw_uid, user.pw_gid)
            self._prefix = ["runuser", "-u", "postgres", "--"]
        os.chmod(self._dir, 0o755)
        port = _free_port()
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        options = (
            f"-p {port} -k {self._dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(self._dir / "server.log"),
                "start",
            ]
        )
        self.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, argv: list[str]) -> None:
        subprocess.run([*self._prefix, *argv], check=True, capture_output=True)

    def stop(self) -> None:
        if self._external or self._dir is None:
            return
        try:
            self._run(
                [
                    str(_bin_dir() / "pg_ctl"),
                    "-D",
                    str(self._dir / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            )
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)

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
