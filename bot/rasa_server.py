"""``rasa run`` with its HTTP API token taken from the environment, not the command line.

Rasa takes the API's token only as ``--auth-token TOKEN``; on a command line any local
user can read it (``ps``, ``/proc/*/cmdline``). The launcher starts the Rasa server as
``python -m bot.rasa_server run ... --enable-api`` when ``RASA_API_TOKEN`` is set, and
this adds the token to Rasa's arguments inside the process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def rasa_arguments(argv: Sequence[str], token: str | None) -> list[str]:
    """Rasa's command line: ``argv``, plus ``--auth-token`` when the API is enabled.

    Args:
        argv: The arguments after the program name (``run`` ...).
        token: ``RASA_API_TOKEN``.

    Returns:
        The arguments for Rasa.

    Raises:
        SystemExit: ``--enable-api`` without a token (the API would be open to anyone).

    """
    arguments = list(argv)
    if "--enable-api" in arguments:
        if not token:
            raise SystemExit("--enable-api needs RASA_API_TOKEN: Rasa's API is never open")
        arguments += ["--auth-token", token]
    return arguments


def main() -> None:
    """Run Rasa's command line with the token added."""
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ.get("RASA_API_TOKEN"))]
    rasa_main()


if __name__ == "__main__":
    main()
