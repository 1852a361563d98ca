"""Run the staff console: ``python -m bot.console`` (``make run`` starts it too).

Listens on ``CONSOLE_HOST`` (127.0.0.1) and ``CONSOLE_PORT`` (8080), one process.
Sanic's access log is off: the paths of one-time password links must not be logged.
"""

from __future__ import annotations

import sys

from bot.settings import SettingsError, get_settings


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
        workers=1,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
