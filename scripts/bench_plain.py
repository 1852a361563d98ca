"""Plain Rasa 3.6 beside this service, in the same benchmark run (issue 18, item 3).

"Plain Rasa" is what ``rasa init --no-prompt`` makes: Rasa's own example assistant with
its default pipeline and policies (DIET, TED, the response selector, all on TensorFlow),
trained once and kept under ``var/plain-rasa/`` (``make clean`` removes it). It is
started the way ``make run`` starts ours (same Python, same environment, the same number
of Sanic workers) and sent the same dev-set messages through the same REST channel, so
the two columns differ only in what each server does with a message.

Measured for each: seconds from starting the processes until the REST channel gives a
real answer, latency at a steady 10 messages a second, throughput with 20 conversations
at once, and the resident memory of every process.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.launcher import ServiceGroup, ServiceSpec, service_environment
from bot.settings import Settings

#: The message that proves a server answers: plain Rasa's example assistant knows it too.
PROBE = "hello"


class PlainRasaError(RuntimeError):
    """Plain Rasa could not be made or started (the message says which step and why)."""


def plain_project(where: Path, progress: Callable[[str], None]) -> Path:
    """Rasa's example assistant, trained: made with ``rasa init`` the first time only.

    Args:
        where: Its directory (kept between runs: training it takes a minute or two).
        progress: Where to say what is happening.

    Returns:
        The trained model's path.

    Raises:
        PlainRasaError: ``rasa init`` failed; its last output lines are in the message.
    """
    models = sorted((where / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    progress(f"plain Rasa: `rasa init` in {where} (trains its example assistant, once)")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(where)],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )
    models = sorted((where / "models").glob("*.tar.gz"))
    if done.returncode != 0 or not models:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise PlainRasaError(f"`rasa init` in {where} failed (exit {done.returncode}):\n{tail}")
    return models[-1]


def plain_spec(project: Path, model: Path, port: int) -> ServiceSpec:
    """Plain ``rasa run`` of the example assistant: the REST channel, no action server."""
    return ServiceSpec(
        name="plain-rasa",
        argv=(
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(model),
            "--credentials",
            str(project / "credentials.yml"),
            "--port",
            str(port),
        ),
        ready_url=None,  # it has no readiness URL: first_answer_seconds tells
    )


async def _answers(session: aiohttp.ClientSession, rest_url: str) -> bool:
    try:
        async with session.post(rest_url, json={"sender": "bench-probe", "message": PROBE}) as r:
            return r.status == 200 and bool(await r.json())
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return False


def first_answer_seconds(group: ServiceGroup, rest_url: str, timeout: float = 300.0) -> float:
    """Seconds from the group's start until ``rest_url`` gives a non-empty answer.

    Raises:
        PlainRasaError: A process exited, or no answer came within ``timeout`` seconds.
    """
    if group.started_at is None:
        raise PlainRasaError("the services were not started")
    started = group.started_at

    async def poll() -> float:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while time.monotonic() - started < timeout:
                gone = group.exited()
                if gone:
                    raise PlainRasaError(f"{gone} exited while starting")
                if await _answers(session, rest_url):
                    return time.monotonic() - started
                await asyncio.sleep(0.25)
        raise PlainRasaError(f"no answer from {rest_url} within {timeout:.0f} s")

    return asyncio.run(poll())


@contextmanager
def running_plain_rasa(
    settings: Settings, project: Path, model: Path, port: int, log: Path
) -> Iterator[tuple[ServiceGroup, str, float]]:
    """Start plain Rasa as ``make run`` starts ours; yield it, its REST URL and start time.

    The environment is this service's own (:func:`bot.launcher.service_environment`):
    the same Sanic worker count and thread settings.
    """
    with log.open("w") as out:
        group = ServiceGroup(
            [plain_spec(project, model, port)], service_environment(settings), project, log=out
        )
        group.start()
        try:
            rest_url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            yield group, rest_url, first_answer_seconds(group, rest_url)
        finally:
            group.stop()


def side_by_side(ours: dict[str, Any], plain: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The benchmark table's rows comparing the two (issue 18's goals in the last column).

    Both dicts hold ``start_s``, ``steady`` (``p50_ms``, ``p95_ms``), ``throughput``
    (``messages_per_second``) and ``memory_mb`` (process name to MB).
    """
    ours_mb = sum(ours["memory_mb"].values())
    plain_mb = sum(plain["memory_mb"].values())
    ratio = ours["throughput"]["messages_per_second"] / plain["throughput"]["messages_per_second"]
    parts = ", ".join(f"{name} {mb:.0f}" for name, mb in ours["memory_mb"].items())
    return [
        (
            "REST channel answering, seconds after start: this service / plain Rasa",
            f"{ours['start_s']:.1f} s / {plain['start_s']:.1f} s",
            "<= 20 s (issue 18)",
        ),
        (
            "memory (RSS), whole service / plain Rasa",
            f"{ours_mb:,.0f} MB ({parts}) / {plain_mb:,.0f} MB",
            "<= 1,500 MB (issue 18)",
        ),
        (
            "throughput, 20 conversations at once: this service / plain Rasa",
            f"{ours['throughput']['messages_per_second']:.1f} / "
            f"{plain['throughput']['messages_per_second']:.1f} messages/s = {ratio:.2f}x",
            ">= 3x (issue 18)",
        ),
        (
            "latency at 10 messages/s, p50 / p95: this service",
            f"{ours['steady']['p50_ms']:.0f} / {ours['steady']['p95_ms']:.0f} ms",
            "p95 <= 50 ms (issue 18)",
        ),
        (
            "  ... plain Rasa",
            f"{plain['steady']['p50_ms']:.0f} / {plain['steady']['p95_ms']:.0f} ms",
            "",
        ),
    ]
