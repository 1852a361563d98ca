"""The cluster on one machine: PostgreSQL, Redis, two action and two Rasa servers, nginx.

``make cluster`` (``python -m bot.cluster``) starts, under ``var/cluster/``:

- PostgreSQL (Debian's binaries; its own data folder and port): the tracker store, the
  project's data and the per-conversation locks;
- Redis: per-address limits shared by the Rasa servers (counters only; nothing depends
  on it to answer: see :mod:`bot.address_limits`);
- two action servers, reached by the Rasa servers through nginx's internal side;
- two Rasa servers, each one worker, behind nginx's public side;
- nginx (the one public address), the staff console and the oversight scheduler.

The fault tests start the same layout on free ports in a temporary folder, kill and
restart its parts. docs/cluster.md says how it maps onto several machines.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bot.cluster.errors import ClusterError
from bot.cluster.nginx import nginx_config
from bot.cluster.postgres import Postgres
from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.launcher import (
    ServiceGroup,
    ServiceSpec,
    console_spec,
    rasa_spec,
    scheduler_spec,
    service_environment,
    staff_python,
)
from bot.people.demo import seed_demo
from bot.settings import Settings


@dataclasses.dataclass(frozen=True)
class ClusterPorts:
    """Where each part listens (all on this machine)."""

    public: int = 8000
    rasa: tuple[int, ...] = (5011, 5012)
    actions_balancer: int = 5060
    actions: tuple[int, ...] = (5061, 5062)
    console: int = 8080
    postgres: int = 5433
    redis: int = 6380


def _redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise ClusterError(
            "Redis is not installed: run `make system-packages` (Debian's redis-server)"
        )
    return found


def _nginx() -> str:
    for candidate in ("/usr/sbin/nginx", "/usr/bin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise ClusterError("nginx is not installed: run `make system-packages` (Debian's nginx)")


class Cluster:
    """The whole layout: start it, look at it, break it, stop it."""

    def __init__(
        self,
        settings: Settings,
        folder: Path,
        model: Path,
        ports: ClusterPorts | None = None,
        log: IO[str] | None = None,
        demo_people: bool = True,
        python: str | None = None,
        postgres_folder: Path | None = None,
        staff: str | None = None,
    ) -> None:
        self.ports = ports or ClusterPorts()
        self.folder = folder
        self.model = model
        self.log = log
        self.demo_people = demo_people
        self.python = python or sys.executable
        # The console and the scheduler run on the staff service's stack, as with make run.
        self.staff_python = staff or staff_python()
        # As root, PostgreSQL runs as the postgres user, who must be able to reach it.
        self.postgres = Postgres(postgres_folder or folder / "postgres", self.ports.postgres)
        self.settings = dataclasses.replace(
            settings,
            database_url=self.postgres.url(),
            var_dir=folder / "var",
            console_port=self.ports.console,
            action_port=self.ports.actions_balancer,
            rasa_port=self.ports.public,
            rasa_workers=1,
            redis_url=f"redis://127.0.0.1:{self.ports.redis}/0",
            public_base_url=(
                f"http://localhost:{self.ports.public}"
                if settings.public_base_url == Settings().public_base_url
                else settings.public_base_url
            ),
        )
        self.group: ServiceGroup | None = None

    @property
    def public_url(self) -> str:
        """The one address young people's channels are served on (nginx)."""
        return f"http://127.0.0.1:{self.ports.public}"

    def rasa_url(self, index: int) -> str:
        """One Rasa server's own address (1 or 2), behind nginx."""
        return f"http://127.0.0.1:{self.ports.rasa[index - 1]}"

    def specs(self) -> list[ServiceSpec]:
        """Every service but PostgreSQL, in the order they start."""
        python = self.python
        nginx_folder = self.folder / "nginx"
        redis_folder = self.folder / "redis"
        redis_folder.mkdir(parents=True, exist_ok=True)
        specs: list[ServiceSpec] = [
            ServiceSpec(
                name="redis",
                # Counters only (per-address limits): nothing is saved to disk.
                argv=(
                    _redis_server(),
                    "--port",
                    str(self.ports.redis),
                    "--bind",
                    "127.0.0.1",
                    "--protected-mode",
                    "yes",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(redis_folder),
                ),
                ready_url=None,
            )
        ]
        for number, port in enumerate(self.ports.actions, start=1):
            specs.append(
                ServiceSpec(
                    name=f"actions-{number}",
                    argv=(python, "-m", "actions.server"),
                    ready_url=f"http://127.0.0.1:{port}/health",
                    env={"ACTION_PORT": str(port)},
                )
            )
        specs.append(
            ServiceSpec(
                name="nginx",
                argv=(
                    _nginx(),
                    "-p",
                    str(nginx_folder),
                    "-c",
                    str(nginx_folder / "nginx.conf"),
                    "-g",
                    "daemon off;",
                ),
                ready_url=None,
            )
        )
        for number, port in enumerate(self.ports.rasa, start=1):
            specs.append(
                rasa_spec(
                    self.settings,
                    self.model,
                    python,
                    name=f"rasa-{number}",
                    port=port,
                    interface="127.0.0.1",  # only nginx talks to it
                    # Behind nginx (one proxy): the client's address is X-Forwarded-For's.
                    env={"RASA_PORT": str(port), "SANIC_PROXIES_COUNT": "1"},
                )
            )
        specs.append(console_spec(self.settings, self.staff_python))
        specs.append(scheduler_spec(self.staff_python))
        return specs

    def _write_nginx_config(self) -> None:
        folder = self.folder / "nginx"
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            path = folder / "tmp" / name
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o777)  # nginx's workers run as nobody when started as root
        (folder / "nginx.conf").write_text(
            nginx_config(
                folder,
                self.ports.public,
                self.ports.rasa,
                self.ports.actions_balancer,
                self.ports.actions,
            )
        )

    def prepare_data(self) -> None:
        """Migrate the database and load the content (and the demo people) into it."""
        upgrade(self.settings.database_url)
        engine = create_db_engine(self.settings.database_url)
        try:
            load_content_files(engine, self.settings)
            if self.demo_people and not self.settings.production:
                seed_demo(engine, self.settings)
        finally:
            engine.dispose()

    def start(self, env: Mapping[str, str] | None = None, timeout: float = 420.0) -> None:
        """Start PostgreSQL, prepare the data, then every service; wait until all are ready.

        Raises:
            ClusterError: A part could not be started.
        """
        if not self.model.exists():
            raise ClusterError(f"no trained model at {self.model}: run `make train`")
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        self.postgres.ensure_database()
        self.prepare_data()
        self._write_nginx_config()
        environment = service_environment(self.settings)
        environment.update(env or {})
        self.group = ServiceGroup(self.specs(), environment, self.settings.project_root, self.log)
        self.group.start()
        try:
            self.group.wait_ready(timeout=timeout)
        except RuntimeError as error:
            self.stop()
            raise ClusterError(str(error)) from None

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one service (``rasa-1``, ``actions-2``, ``nginx``...)."""
        assert self.group is not None
        self.group.kill(name, sig)

    def restart(self, name: str) -> None:
        """Start a killed service again and wait until it is ready."""
        assert self.group is not None
        self.group.restart(name)

    def stop(self) -> None:
        """Stop every service, then PostgreSQL."""
        if self.group is not None:
            self.group.stop()
        if self.postgres.running():
            self.postgres.stop()
