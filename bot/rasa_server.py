"""How the launcher starts the Rasa server: ``python -m bot.rasa_server run ...``.

Two things plain ``rasa run`` cannot do:

- Rasa takes its HTTP API's token only as ``--auth-token TOKEN``; on a command line any
  local user can read it (``ps``, ``/proc/*/cmdline``). With ``--enable-api`` this adds
  ``RASA_API_TOKEN`` to Rasa's arguments inside the process.
- Rasa's training-only module ``rasa.utils.train_utils`` is deferred
  (:mod:`bot.deferred_imports`) before Rasa is imported, so a server whose model needs no
  TensorFlow never imports it (with :mod:`bot.served_model`; docs/performance.md).
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
    """Run Rasa's command line with the token added and training-only code deferred."""
    from bot.deferred_imports import install

    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ.get("RASA_API_TOKEN"))]
    rasa_main()


if __name__ == "__main__":
    main()
