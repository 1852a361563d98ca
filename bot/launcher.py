"""Starts the Rasa server, the action server and the console together, and stops them together.

``make run`` calls ``python -m bot.launcher``: the services run in the
foreground, their logs interleaved with a name in front; Ctrl-C (or any
service dying) stops them all. The end-to-end tests and the benchmarks start the
Rasa and action servers through :class:`ServiceGroup` (:func:`service_specs`); the
console and the oversight scheduler are added by :func:`main` (:func:`console_spec`,
:func:`scheduler_spec`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from bot.private_files import SERVICE_UMASK, secure_var_dir
from bot.settings import Settings, SettingsError, get_settings

MODEL_NAME = "careleavers"


@dataclasses.dataclass(frozen=True)
class ServiceSpec:
    """How to start one service and how to tell it is ready."""

    name: str
    argv: tuple[str, ...]
    ready_url: str | None  # None: ready once started (it serves nothing over HTTP)
    env: Mapping[str, str] | None = None  # this service's own settings, over the group's


def model_path(settings: Settings) -> Path:
    """Where ``make run`` keeps the trained model."""
    return settings.project_root / "models" / f"{MODEL_NAME}.tar.gz"


def service_environment(
    settings: Settings, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment both services run with: settings made explicit, telemetry off.

    Without ``ACTION_SERVER_SECRET`` (development only: production refuses to start
    without it) a random one is made here, for this run, and given to both servers.
    """
    env = dict(os.environ if base is None else base)
    root = str(settings.project_root)
    env.update(
        {
            "PYTHONPATH": root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
            "DATABASE_URL": settings.database_url,
            "ACTION_PORT": str(settings.action_port),
            "ACTION_HOST": settings.action_host,
            "ACTION_SERVER_SECRET": settings.action_server_secret or secrets.token_hex(32),
            "APP_ENV": settings.app_env,
            "RASA_PORT": str(settings.rasa_port),
            "RASA_WORKERS": str(settings.rasa_workers),
            "SANIC_WORKERS": str(settings.rasa_workers),
            # Without keep-alive each request is accepted by whichever worker is free; kept
            # alive, a busy client's connection stays on one worker while another idles.
            "SANIC_KEEP_ALIVE": "False",
            "VAR_DIR": str(settings.var_dir),
            "PUBLIC_BASE_URL": settings.public_base_url,
            "TWILIO_API_URL": settings.twilio_api_url,
            "CONTENT_REFRESH_SECONDS": str(settings.content_refresh_seconds),
            "WEB_CHAT_SESSION_HOURS": str(settings.web_chat_session_hours),
            "WEB_CHAT_MAX_MESSAGE": str(settings.web_chat_max_message),
            "WEB_CHAT_MESSAGES_PER_MINUTE": str(settings.web_chat_messages_per_minute),
            "WEB_CHAT_ADDRESS_SESSIONS_PER_HOUR": str(settings.web_chat_address_sessions_per_hour),
            "WEB_CHAT_ADDRESS_MESSAGES_PER_MINUTE": str(
                settings.web_chat_address_messages_per_minute
            ),
            "SAFETY_ALERTS_PER_ADDRESS_PER_HOUR": str(settings.safety_alerts_per_address_per_hour),
            "SMS_IDENTITY_CHECK_DAYS": str(settings.sms_identity_check_days),
            "CONSOLE_PORT": str(settings.console_port),
            "CONSOLE_HOST": settings.console_host,
            "CONSOLE_IDLE_MINUTES": str(settings.console_idle_minutes),
            "CONSOLE_SESSION_HOURS": str(settings.console_session_hours),
            "HISTORY_WINDOW_TURNS": str(settings.history_window_turns),
            "CONTENT_DIR": str(settings.content_dir),
            "TOPICS_FILE": str(settings.topics_file),
            "DISTRICTS": ",".join(settings.districts),
            "TIMEZONE": settings.timezone,
            "OFFICE_HOURS": "-".join(t.strftime("%H:%M") for t in settings.office_hours),
            "EXTRA_BANK_HOLIDAYS": ",".join(d.isoformat() for d in settings.extra_bank_holidays),
            "CASE_ACKNOWLEDGE_WORKING_DAYS": str(settings.case_acknowledge_working_days),
            "CASE_ANSWER_WORKING_DAYS": str(settings.case_answer_working_days),
            "CASE_SCHEDULER_SECONDS": str(settings.case_scheduler_seconds),
            "SMS_RECOVERY_SECONDS": str(settings.sms_recovery_seconds),
            "PACK_EXPIRY_DAYS": str(settings.pack_expiry_days),
            "PACK_ROUND_MINUTES": str(settings.pack_round_minutes),
            "NUDGE_REVIEW_DAYS": str(settings.nudge_review_days),
            "NUDGE_AGE_LIMIT_DAYS": str(settings.nudge_age_limit_days),
            "RETENTION_MONTHS": str(settings.retention_months),
            "QA_SAMPLE_PER_DISTRICT": str(settings.qa_sample_per_district),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONUNBUFFERED": "1",
            # Matrices here are small: one BLAS thread per process is faster than several
            # fighting over two cores.
            "OPENBLAS_NUM_THREADS": env.get("OPENBLAS_NUM_THREADS", "1"),
            "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "1"),
        }
    )
    for name, value in (
        ("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
        ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token),
        ("TWILIO_FROM_NUMBER", settings.twilio_from_number),
        ("TWILIO_MESSAGING_SERVICE_SID", settings.twilio_messaging_service_sid),
        ("CONVERSATION_ID_SECRET", settings.conversation_id_secret),
        ("LEAVING_CARE_PHONE", settings.leaving_care_phone),
        ("OUT_OF_HOURS_PHONE", settings.out_of_hours_phone),
        ("DUTY_DISTRICT", settings.duty_district),
        ("COUNCIL_NAME", settings.council_name),
        ("REDIS_URL", settings.redis_url),
        ("WEB_CHAT_SECRET", settings.web_chat_secret),
        ("WEB_CHAT_ORIGINS", ",".join(settings.web_chat_origins)),
        ("CONSOLE_BASE_URL", settings.console_base_url),
        ("CONSOLE_SECRET", settings.console_secret),
        ("RASA_API_TOKEN", settings.rasa_api_token),
        ("REST_CHANNEL_TOKEN", settings.rest_channel_token),
    ):
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def service_specs(
    settings: Settings, model: Path, python: str = sys.executable
) -> list[ServiceSpec]:
    """The action server and the Rasa server, configured from ``settings``.

    Rasa's own HTTP API is off unless ``RASA_API_TOKEN`` is set; then it is on, for
    requests with that token only (:mod:`bot.rasa_server` adds it out of sight of ``ps``).
    """
    return [
        ServiceSpec(
            name="actions",
            argv=(python, "-m", "actions.server"),
            ready_url=f"{settings.action_server_url()}/health",
        ),
        rasa_spec(settings, model, python),
    ]


def rasa_spec(
    settings: Settings,
    model: Path,
    python: str = sys.executable,
    name: str = "rasa",
    port: int | None = None,
    interface: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ServiceSpec:
    """One Rasa server, started through :mod:`bot.rasa_server` (no TensorFlow).

    Its HTTP API is on only with ``RASA_API_TOKEN``.

    Args:
        settings: The service's settings.
        model: The trained model.
        python: The Python to run it with.
        name: The service's name in its group.
        port: Its port (``settings.rasa_port`` if not given).
        interface: The address it listens on (Rasa's default, every address, if not given).
        env: Its own settings, over the group's.

    Returns:
        How to start it and tell it is ready (model loaded and warmed up).
    """
    root = settings.project_root
    port = port or settings.rasa_port
    api = ("--enable-api",) if settings.rasa_api_token else ()
    where = ("--interface", interface) if interface else ()
    return ServiceSpec(
        name=name,
        argv=(
            python,
            "-m",
            "bot.rasa_server",
            "run",
            "--model",
            str(model),
            "--endpoints",
            str(root / "endpoints.yml"),
            "--credentials",
            str(root / "credentials.yml"),
            "--port",
            str(port),
            *where,
            *api,
        ),
        ready_url=f"http://127.0.0.1:{port}/webhooks/service/ready",
        env=env,
    )


def staff_python() -> str:
    """The interpreter of the staff service's environment: ``STAFF_PYTHON``, else this one.

    ``make run`` sets ``STAFF_PYTHON`` to ``.venv-staff``'s Python (3.12 or later, current
    Sanic, SQLAlchemy 2, twilio 9), so the console and the scheduler run there while the
    Rasa and action servers run on Rasa 3.6's stack (README, "Two environments").
    """
    return os.environ.get("STAFF_PYTHON") or sys.executable


def console_spec(settings: Settings, python: str | None = None) -> ServiceSpec:
    """The staff console, on ``settings.console_host`` and ``console_port``.

    Started with ``python``, by default the staff service's (:func:`staff_python`).
    """
    python = python or staff_python()
    host = settings.console_host
    if host in ("0.0.0.0", "::"):  # noqa: S104 (it listens on every address: ask the loopback)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return ServiceSpec(
        name="console",
        argv=(python, "-m", "bot.console"),
        ready_url=f"http://{host}:{settings.console_port}/health",
    )


def scheduler_spec(python: str | None = None) -> ServiceSpec:
    """The oversight rounds: late cases and unacknowledged alerts to the team manager.

    Started with ``python``, by default the staff service's (:func:`staff_python`).
    """
    python = python or staff_python()
    return ServiceSpec(name="scheduler", argv=(python, "-m", "bot.jobs"), ready_url=None)


# A server's worker processes get ready one by one, and each new connection may reach any
# of them: ready means this many answers in a row say so (one worker still starting would
# be missed by all ten about once in a thousand starts).
READY_IN_A_ROW = 10


def _is_ready(url: str) -> bool:
    for _ in range(READY_IN_A_ROW):
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 (our local URL)
                if reply.status != 200:
                    return False
        except (urllib.error.URLError, OSError):
            return False
    return True


def _pump(name: str, stream: IO[bytes], sink: IO[str]) -> None:
    for raw in iter(stream.readline, b""):
        sink.write(f"{name:>7} | {raw.decode('utf-8', 'replace').rstrip()}\n")
        sink.flush()


class ServiceGroup:
    """A set of service processes started and stopped as one."""

    def __init__(
        self,
        specs: Sequence[ServiceSpec],
        env: Mapping[str, str],
        cwd: Path,
        log: IO[str] | None = None,
    ) -> None:
        self.specs = list(specs)
        self.env = dict(env)
        self.cwd = cwd
        self.log = log if log is not None else sys.stdout
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.started_at: float | None = None  # time.monotonic() when start() began

    def start(self) -> None:
        """Start every service (in its own process group, so it can be stopped whole)."""
        self.started_at = time.monotonic()
        for spec in self.specs:
            self._start(spec)

    def _start(self, spec: ServiceSpec) -> None:
        process = subprocess.Popen(  # noqa: S603 (fixed argv of our own services)
            spec.argv,
            cwd=self.cwd,
            env={**self.env, **(spec.env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[spec.name] = process
        assert process.stdout is not None
        threading.Thread(
            target=_pump, args=(spec.name, process.stdout, self.log), daemon=True
        ).start()

    def spec(self, name: str) -> ServiceSpec:
        """The service called ``name``.

        Raises:
            KeyError: There is no such service in the group.
        """
        for spec in self.specs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to one service's process group (SIGKILL: it dies at once) and reap it."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            process.wait(30)

    def restart(self, name: str, timeout: float = 180.0) -> None:
        """Start a stopped (or killed) service again and wait until it is ready.

        Raises:
            RuntimeError: It exited or was not ready within ``timeout`` seconds.
        """
        if self.processes[name].poll() is None:
            self.kill(name, signal.SIGTERM)
        spec = self.spec(name)
        self._start(spec)
        self._wait_ready([spec], timeout, None)

    def wait_ready(self, timeout: float = 180.0, stop: threading.Event | None = None) -> None:
        """Wait until every service answers its readiness URL.

        Raises:
            RuntimeError: A service exited, was not ready in time, or ``stop`` was set.
        """
        self._wait_ready(self.specs, timeout, stop)

    def _wait_ready(
        self, specs: Sequence[ServiceSpec], timeout: float, stop: threading.Event | None
    ) -> None:
        deadline = time.monotonic() + timeout
        pending = list(specs)
        while pending:
            if stop is not None and stop.is_set():
                raise RuntimeError("stopped while starting")
            for spec in list(pending):
                code = self.processes[spec.name].poll()
                if code is not None:
                    raise RuntimeError(f"{spec.name} exited with code {code} while starting")
                if spec.ready_url is None or _is_ready(spec.ready_url):
                    pending.remove(spec)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise RuntimeError(f"not ready after {timeout:.0f} s: {names}")
            if pending:
                time.sleep(0.5)

    def exited(self) -> str | None:
        """The name of a service that has exited, if any."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every service: SIGTERM to each process group, then SIGKILL if needed."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> ServiceGroup:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main() -> int:
    """Run the services in the foreground until Ctrl-C or until one of them stops."""
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 1
    model = model_path(settings)
    if not model.exists():
        print(f"No trained model at {model}; run `make run`, which trains it.", file=sys.stderr)
        return 1
    # Whatever the services make (under var/ or elsewhere) is this account's alone.
    os.umask(SERVICE_UMASK)
    secure_var_dir(settings.var_dir)
    group = ServiceGroup(
        [*service_specs(settings, model), console_spec(settings), scheduler_spec()],
        service_environment(settings),
        settings.project_root,
    )
    stopping = threading.Event()

    def _on_signal(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    group.start()
    try:
        group.wait_ready(stop=stopping)
        print(
            f"\nReady. Rasa server: http://localhost:{settings.rasa_port}  "
            f"(REST: POST /webhooks/rest/webhook); action server: "
            f"{settings.action_server_url()}; staff console: "
            f"{settings.console_url()}; oversight rounds every "
            f"{settings.case_scheduler_seconds:g} s. Ctrl-C stops them all.\n",
            flush=True,
        )
    except RuntimeError as exc:
        print(f"Could not start the services: {exc}", file=sys.stderr)
        group.stop()
        return 1
    while not stopping.is_set():
        name = group.exited()
        if name:
            print(f"{name} stopped; stopping the others.", file=sys.stderr)
            group.stop()
            return 1
        stopping.wait(0.5)
    print("\nStopping...", flush=True)
    group.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
