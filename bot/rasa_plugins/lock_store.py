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

Several Rasa servers (``make cluster``, or several machines) share the database, so
on PostgreSQL :class:`PostgresLockStore` holds each conversation with a PostgreSQL
advisory lock instead: waiters are served in the order they asked, and a server that
dies releases its locks at once (they belong to its connections), so there is no
lifetime after which a slow server's lock can be taken from it.
:class:`ProjectLockStore`, the one ``endpoints.yml`` names, picks between the two by
``DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import AsyncGenerator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore
from sqlalchemy.engine import Connection

from bot.db.availability import DatabaseUnavailable, database_outages, is_unavailable
from bot.db.engine import create_db_engine, is_sqlite
from bot.private_files import private_dir
from bot.settings import get_settings

# Rasa polls for a busy conversation's lock every second by default; a message waiting
# behind another in the same conversation would wait up to a second for nothing.
POLL_SECONDS = 0.01
LOCK_LIFETIME_SECONDS = 60.0


class FileLockStore(LockStore):  # type: ignore[misc]
    """Ticket locks in files under ``directory``, each changed only under ``flock``."""

    def __init__(self, directory: str | None = None, **_kwargs: Any) -> None:
        self.directory = Path(directory) if directory else get_settings().var_dir / "locks"
        private_dir(self.directory)

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


# PostgreSQL's SQLSTATE for "lock_timeout expired while waiting".
LOCK_NOT_AVAILABLE = "55P03"
# At most this many messages per Rasa process wait for, or hold, a conversation lock.
MAX_WAITING = 64


def advisory_key(conversation_id: str) -> int:
    """The 64-bit advisory lock key of a conversation (a hash: ids can be any string)."""
    digest = hashlib.sha256(b"conversation-lock:" + conversation_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresLockStore(LockStore):  # type: ignore[misc]
    """One conversation at a time across every Rasa server, with PostgreSQL advisory locks.

    Each held lock is a session-level ``pg_advisory_lock`` on a connection of its own.
    PostgreSQL queues the waiters in the order they asked, so one conversation's messages
    are handled in order; if a Rasa server dies, its connections close and its locks
    are released by PostgreSQL at once. Waiting is bounded by the lock lifetime
    (``lock_timeout``); a database that cannot be reached raises
    :class:`~bot.db.availability.DatabaseUnavailable`.
    """

    def __init__(self, url: str, max_waiting: int = MAX_WAITING) -> None:
        # Connections wait in PostgreSQL, blocked: each waiting conversation has a thread and
        # a connection of its own, none of them on the event loop. Releasing has threads of
        # its own, so a release never queues behind waits for the lock it would free.
        self.engine = create_db_engine(url, pool_size=8, max_overflow=max_waiting + 4)
        self.executor = ThreadPoolExecutor(max_workers=max_waiting, thread_name_prefix="conv-lock")
        self.releaser = ThreadPoolExecutor(max_workers=4, thread_name_prefix="conv-unlock")
        # Within this process, one message per conversation goes to PostgreSQL at a time;
        # the others wait here, in order. So however many messages one conversation sends
        # at once, it takes one thread, and other conversations are never kept waiting.
        self._local: dict[str, tuple[asyncio.Lock, int]] = {}

    # Rasa's LockStore storage operations: unused, as :meth:`lock` needs no ticket records.

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """No ticket records are kept: the locks live in PostgreSQL."""
        return None

    def delete_lock(self, conversation_id: str) -> None:
        """No ticket records are kept: nothing to delete."""

    def save_lock(self, lock: TicketLock) -> None:
        """No ticket records are kept: nothing to save."""

    def _acquire(self, key: int, timeout_seconds: float) -> Connection:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            connection.execute(
                sa.text("SELECT set_config('lock_timeout', :timeout, false)"),
                {"timeout": f"{max(1, int(timeout_seconds * 1000))}ms"},
            )
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
        except BaseException:
            connection.invalidate()  # never back into the pool in an unknown state
            connection.close()
            raise
        return connection

    @staticmethod
    def _release(connection: Connection, key: int) -> None:
        try:
            unlocked = connection.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key}
            ).scalar()
            connection.execute(sa.text("SELECT set_config('lock_timeout', '0', false)"))
            if not unlocked:
                connection.invalidate()
        except BaseException:
            # Closing the connection for good releases every lock it held.
            connection.invalidate()
        finally:
            connection.close()

    def _release_when_acquired(self, waiting: Future[Connection], key: int) -> None:
        if not waiting.cancelled() and waiting.exception() is None:
            self.releaser.submit(self._release, waiting.result(), key)

    @contextlib.asynccontextmanager
    async def _in_process(
        self, conversation_id: str, lock_lifetime: float
    ) -> AsyncGenerator[None, None]:
        lock, users = self._local.get(conversation_id) or (asyncio.Lock(), 0)
        self._local[conversation_id] = (lock, users + 1)
        try:
            try:
                await asyncio.wait_for(lock.acquire(), lock_lifetime)
            except asyncio.TimeoutError:
                raise LockError(
                    f"the conversation was busy for more than {lock_lifetime:.0f} s"
                ) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._local[conversation_id]
            if users <= 1:
                del self._local[conversation_id]
            else:
                self._local[conversation_id] = (lock, users - 1)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME_SECONDS,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[None, None]:
        """Hold the conversation's lock while the message is handled.

        Raises:
            LockError: The lock was not free within ``lock_lifetime`` seconds.
            DatabaseUnavailable: PostgreSQL could not be reached.
        """
        async with (
            self._in_process(conversation_id, lock_lifetime),
            self._across_servers(conversation_id, lock_lifetime),
        ):
            yield None

    @contextlib.asynccontextmanager
    async def _across_servers(
        self, conversation_id: str, lock_lifetime: float
    ) -> AsyncGenerator[None, None]:
        key = advisory_key(conversation_id)
        waiting = self.executor.submit(self._acquire, key, lock_lifetime)
        try:
            connection = await asyncio.shield(asyncio.wrap_future(waiting))
        except asyncio.CancelledError:
            # The thread goes on waiting; whatever it gets is given back at once.
            waiting.add_done_callback(lambda done: self._release_when_acquired(done, key))
            raise
        except sqlalchemy.exc.DBAPIError as error:
            if getattr(error.orig, "pgcode", None) == LOCK_NOT_AVAILABLE:
                raise LockError(
                    f"the conversation was busy for more than {lock_lifetime:.0f} s"
                ) from None
            if is_unavailable(error):
                database_outages().failed(error)
                raise DatabaseUnavailable("the conversation lock could not be taken") from None
            raise
        try:
            yield None
        finally:
            await asyncio.shield(
                asyncio.wrap_future(self.releaser.submit(self._release, connection, key))
            )


class ProjectLockStore(LockStore):  # type: ignore[misc]
    """The lock store ``endpoints.yml`` names: advisory locks on PostgreSQL, files on SQLite.

    SQLite is one machine's database, so the file locks are shared by all its Rasa
    workers; PostgreSQL can be shared by several Rasa servers, so the locks are too.
    """

    def __init__(self, url: str | None = None, **_kwargs: Any) -> None:
        database_url = url or get_settings().database_url
        self.store: LockStore = (
            FileLockStore() if is_sqlite(database_url) else PostgresLockStore(database_url)
        )

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The chosen store's record of the conversation's lock, if it keeps one."""
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Forget the conversation's lock, if the chosen store keeps records."""
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Store a lock record, if the chosen store keeps records."""
        self.store.save_lock(lock)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME_SECONDS,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[Any, None]:
        """Hold the conversation's lock in the chosen store."""
        async with self.store.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
            yield held
