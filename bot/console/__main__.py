"""Run the staff console: ``python -m bot.console`` (``make run`` starts it too).

Listens on ``CONSOLE_HOST`` (127.0.0.1) and ``CONSOLE_PORT`` (8080), one process.
Sanic's access log is off: the paths of one-time password links must not be logged.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from bot.settings import SettingsError, get_settings


def one_process(run: Any) -> dict[str, Any]:
    """The options that make Sanic's ``app.run`` serve in this one process.

    Sanic 22.9 and later (the staff service's environment) start worker processes
    that import the app again by name, which an app made by a factory here cannot
    be: ``single_process`` serves in this process instead. Sanic 21.12 (the Rasa
    runtime's) has no such option and serves one worker in this process.
    """
    if "single_process" in inspect.signature(run).parameters:
        return {"single_process": True}
    return {"workers": 1}


def main() -> int:
    """Start the console in the foreground until Ctrl-C."""
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    from bot.console.app import create_app

    app = create_app(settings)
    app.run(
        host=settings.console_host,
        port=settings.console_port,
        access_log=False,
        motd=False,
        **one_process(app.run),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
