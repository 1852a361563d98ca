"""Folders and files only the service's own account can read: ``var/`` and what is in it.

``var/`` holds the SQLite database (every young person's data), the secrets made in
development (``var/secrets``) and the conversation locks. Each folder is made 0700 and
each file 0600 *with* that mode (``os.mkdir`` and ``os.open`` take it, and a umask can
only take bits away), so there is no moment at which another account could open one.
Nothing is made readable and restricted afterwards.

Files and folders an earlier version made readable by others are restricted when the
service next opens them (:func:`restrict`): that changes nothing anyone could already
read, and closes it from then on.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
"""A folder of the service's: its owner may list, enter and change it; nobody else."""
PRIVATE_FILE_MODE = 0o600
"""A file of the service's: its owner may read and write it; nobody else."""
SERVICE_UMASK = 0o077
"""The umask the launcher runs the services with: whatever they make is theirs alone."""

_OTHERS = 0o077


def private_dir(path: Path) -> Path:
    """Make ``path`` and any missing folders above it, each 0700 from the start.

    A folder that exists already is left as it is (see :func:`restrict`).

    Returns:
        ``path``.

    """
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        # Made at the same moment by another process: with the same mode.
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, PRIVATE_DIR_MODE)
    return path


def create_private_file(path: Path) -> bool:
    """Make an empty file at ``path``, 0600 from the start, unless one is there.

    Returns:
        True if this call made it.

    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` (0600 from the start).

    Raises:
        FileExistsError: There is a file at ``path`` already.

    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as sink:
        sink.write(data)
        sink.flush()
        os.fsync(sink.fileno())


def write_private_file_once(path: Path, data: bytes) -> bool:
    """Put ``data`` at ``path`` unless a file is there; never a half-written file.

    The data go to a temporary private file beside it, which is then linked into
    place: of several processes doing this at once, the first to link wins and the
    others leave the file as it is.

    Returns:
        True if this call's data are the ones at ``path``.

    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    write_private_file(temporary, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


def replace_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (replacing it, if there is one) as a 0600 file.

    Written whole to a private file beside it, then renamed over it: a reader sees the
    old file or the new one, never part of one.
    """
    partial = path.with_name(f"{path.name}.part-{secrets.token_hex(4)}")
    try:
        write_private_file(partial, data)
        partial.replace(path)
    finally:
        if partial.exists():
            partial.unlink()


def restrict(path: Path) -> bool:
    """Take every permission away from group and others on ``path``, if it has any.

    For what an earlier version made readable by others; a missing path is left alone.

    Returns:
        True if the mode was changed.

    """
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if not current & _OTHERS:
        return False
    os.chmod(path, current & ~_OTHERS)
    return True


def secure_var_dir(var_dir: Path) -> Path:
    """``var/`` as the services want it: there, 0700, and its secrets folder private too.

    Called when the services start and by ``python -m bot setup``. Also restricts
    what an earlier version left readable: ``var/`` itself, ``var/secrets`` and the
    files in it.

    Returns:
        ``var_dir``.

    """
    private_dir(var_dir)
    restrict(var_dir)
    folder = var_dir / "secrets"
    if folder.is_dir():
        restrict(folder)
        for secret in folder.iterdir():
            if secret.is_file():
                restrict(secret)
    return var_dir
