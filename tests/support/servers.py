"""Starts the real Rasa server and action server for end-to-end tests and benchmarks."""

from __future__ import annotations

import dataclasses
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.cluster.layout import ClusterPorts
from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.launcher import ServiceGroup, model_path, service_environment, service_specs
from bot.people.demo import seed_demo
from bot.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_cluster_ports() -> ClusterPorts:
    """Free ports for every part of the cluster (``make cluster`` uses fixed ones)."""
    return ClusterPorts(
        public=free_port(),
        rasa=(free_port(), free_port()),
        actions_balancer=free_port(),
        actions=(free_port(), free_port()),
        console=free_port(),
        postgres=free_port(),
        redis=free_port(),
    )


@dataclasses.dataclass(frozen=True)
class RunningBot:
    settings: Settings
    group: ServiceGroup

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"

    @property
    def action_headers(self) -> dict[str, str]:
        """The header the action server wants on every route but /health."""
        return {"X-Action-Server-Secret": self.settings.action_server_secret or ""}


class NoModelError(RuntimeError):
    pass


@contextmanager
def running_bot(
    database_url: str,
    workdir: Path,
    log_name: str = "services.log",
    demo_people: bool = False,
    **overrides: object,
) -> Iterator[RunningBot]:
    """Migrate and load ``database_url`` (and the demo people), then run both servers.

    The action server's secret is made here (unless given), so tests can call it too.
    """
    overrides.setdefault("action_server_secret", secrets.token_hex(32))
    settings = dataclasses.replace(
        Settings(),
        var_dir=workdir,
        database_url=database_url,
        rasa_port=free_port(),
        action_port=free_port(),
        **overrides,  # type: ignore[arg-type]
    )
    # TEST_MODEL: a model trained elsewhere (e.g. to a temporary --out) instead of models/.
    model = Path(os.environ["TEST_MODEL"]) if os.environ.get("TEST_MODEL") else model_path(settings)
    if not model.exists():
        raise NoModelError(
            f"no trained model at {model}: `make test` trains it before running pytest"
        )
    upgrade(database_url)
    engine = create_db_engine(database_url)
    load_content_files(engine, settings)
    if demo_people:
        seed_demo(engine, settings)
    engine.dispose()
    env = service_environment(settings)
    with (workdir / log_name).open("w") as log:
        group = ServiceGroup(service_specs(settings, model), env, settings.project_root, log=log)
        group.start()
        try:
            group.wait_ready(timeout=300)
            yield RunningBot(settings, group)
        finally:
            group.stop()
