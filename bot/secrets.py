"""Secrets the service makes for itself on first run, kept under ``var/``.

Used where an environment variable may supply the value instead (production), and a
random local one is right otherwise: the key that turns phone numbers into
pseudonymous conversation ids, and demo mode's stand-in Twilio auth token.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from bot.private_files import private_dir, write_private_file_once


def local_secret(var_dir: Path, name: str) -> str:
    """The secret called ``name``, created (random, 256 bits) the first time it is asked for.

    ``var_dir`` and ``var_dir/secrets`` are made 0700 and the secret's file 0600 from
    the start (:mod:`bot.private_files`): never readable by anyone else, not even for
    a moment. Of several processes making it at once, the first to finish wins.

    Args:
        var_dir: The service's run-time folder.
        name: A file name for the secret.

    Returns:
        The secret, as 64 hexadecimal characters.
    """
    folder = private_dir(var_dir / "secrets")
    path = folder / name
    if not path.exists():
        write_private_file_once(path, secrets.token_hex(32).encode())
    return path.read_text().strip()
