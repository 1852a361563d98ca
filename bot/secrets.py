"""Secrets the service makes for itself on first run, kept under ``var/``.

Used where an environment variable may supply the value instead (production), and a
random local one is right otherwise: the key that turns phone numbers into
pseudonymous conversation ids, and demo mode's stand-in Twilio auth token.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def local_secret(var_dir: Path, name: str) -> str:
    """The secret called ``name``, created (random, 256 bits) the first time it is asked for.

    Args:
        var_dir: The service's run-time folder.
        name: A file name for the secret.

    Returns:
        The secret, as 64 hexadecimal characters.
    """
    folder = var_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        value = secrets.token_hex(32)
        # Written once, readable by this user only; a concurrent first start may race,
        # so write to a temporary file and keep whichever lands first.
        temporary = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        temporary.write_text(value)
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
