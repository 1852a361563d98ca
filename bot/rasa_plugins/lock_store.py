"""A lock store shared by every Rasa worker process on one machine, kept in files.

Rasa processes one conversation's messages one at a time, in the order they came,
with a "ticket lock" per conversation. Its in-memory lock store only works inside
one process, so Rasa refuses to run more than one worker with it; its Redis lock
store reads and writes a lock in separate steps, so two workers can race.

This store keeps each conversation's ticket lock in a small file under
``var/locks/`` and does every read-modify-write of it under an exclusive
``flock``, so issuing a ticket, finishing one and cleaning up are atomic across
processes. With it the Rasa server runs one worker per core (``SANIC_WORKERS``),
and a conversation is still handled by one worker at a time, in ticket order.
Several machines need a lock shared between them instead (a later issue).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore

from bot.settings import get_settings

# Rasa polls for a busy conversation's lock every second by default; a message waiting
# behind another in the same conversation would wait up to a second for nothing.
POLL_SECONDS = 0.01
LOCK_LIFETIME_SECONDS = 60.0


class FileLockStore(LockStore):  # type: ignore[misc]
    """Ticket locks in files under ``directory``, each changed only under ``flock``."""

    def __init__(self, directory: str | None = None, **_kwargs: Any) -> None:
        self.directory = Path(directory) if directory else get_settings().var_dir / "locks"
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, conversation_id: str) -> Path:
        digest = hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:40]
        return self.directory / f"{digest}.lock"

    @contextlib.contextmanager
    def _exclusive(self, conversation_id: str) -> Iterator[int]:
        # Files are emptied, never deleted: a process holding the old file open while
        # another created a new one at the same path would break mutual exclusion.
        fd = os.open(self._path(conversation_id), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @staticmethod
    def _read(fd: int) -> TicketLock | None:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = b""
        while chunk := os.read(fd, 65536):
            raw += chunk
        return TicketLock.from_dict(json.loads(raw)) if raw.strip() else None

    @staticmethod
    def _write(fd: int, lock: TicketLock | None) -> None:
        data = lock.dumps().encode("utf-8") if lock is not None else b""
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)

    # The storage operations Rasa's LockStore builds on, each under the file's lock.

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Read the conversation's lock, if any."""
        with self._exclusive(conversation_id) as fd:
            return self._read(fd)

    def delete_lock(self, conversation_id: str) -> None:
        """Forget the conversation's lock."""
        with self._exclusive(conversation_id) as fd:
            self._write(fd, None)

    def save_lock(self, lock: TicketLock) -> None:
        """Store a lock (only used outside the atomic operations below)."""
        with self._exclusive(lock.conversation_id) as fd:
            self._write(fd, lock)

    # Rasa's read-modify-write operations, made atomic.

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME_SECONDS
    ) -> int:
        """Issue the next ticket of the conversation's lock (creating it if needed)."""
        try:
            with self._exclusive(conversation_id) as fd:
                lock = self._read(fd) or self.create_lock(conversation_id)
                ticket = int(lock.issue_ticket(lock_lifetime))
                self._write(fd, lock)
                return ticket
        except OSError as error:
            raise LockError(f"Error while acquiring lock: {error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (of workers that died while holding them)."""
        with self._exclusive(conversation_id) as fd:
            lock = self._read(fd)
            if lock is not None:
                lock.remove_expired_tickets()
                self._write(fd, lock)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket."""
        with self._exclusive(conversation_id) as fd:
            lock = self._read(fd)
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
                self._write(fd, lock)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket, and the lock once nobody is waiting."""
        with self._exclusive(conversation_id) as fd:
            lock = self._read(fd)
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
                self._write(fd, lock if lock.is_someone_waiting() else None)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME_SECONDS,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock, waiting in ticket order."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(
                conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS)
            )
        finally:
            self.cleanup(conversation_id, ticket)
