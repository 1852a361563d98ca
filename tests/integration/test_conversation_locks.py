"""The conversation lock across servers: PostgreSQL advisory locks, on a real server.

Two ``PostgresLockStore`` objects stand for two Rasa servers sharing one database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import LockError

from bot.db.availability import DatabaseUnavailable
from bot.rasa_plugins.lock_store import (
    FileLockStore,
    PostgresLockStore,
    ProjectLockStore,
    advisory_key,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def database(postgres_server) -> Iterator[str]:
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def servers(database: str) -> Iterator[tuple[PostgresLockStore, PostgresLockStore]]:
    one, two = PostgresLockStore(database), PostgresLockStore(database)
    yield one, two
    for store in (one, two):
        store.executor.shutdown(wait=True)
        store.releaser.shutdown(wait=True)
        store.engine.dispose()


async def test_one_conversation_is_handled_by_one_server_at_a_time_in_order(database):
    # Ten servers, one message each (within one server, messages queue in the process).
    stores = [PostgresLockStore(database, max_waiting=2) for _ in range(10)]
    inside: list[int] = []
    order: list[int] = []
    overlaps = 0
    all_queued = asyncio.Event()

    async def message(number: int, store: PostgresLockStore) -> None:
        nonlocal overlaps
        async with store.lock("sms-abc"):
            if inside:
                overlaps += 1
            inside.append(number)
            order.append(number)
            if number == 0:
                await all_queued.wait()  # the first holds on until all the others wait
            await asyncio.sleep(0.01)
            inside.pop()

    admin = sa.create_engine(database)

    def waiting() -> int:
        with admin.connect() as connection:
            return int(
                connection.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                ).scalar_one()
            )

    tasks = []
    try:
        # Each message starts once the one before it is queued in PostgreSQL (or, for the
        # first, holds the lock).
        for number in range(10):
            tasks.append(asyncio.ensure_future(message(number, stores[number])))
            for _ in range(500):
                if (number == 0 and order) or (
                    number > 0 and await asyncio.to_thread(waiting) == number
                ):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError(f"message {number} never reached PostgreSQL")
        all_queued.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    finally:
        admin.dispose()
        for store in stores:
            store.executor.shutdown(wait=True)
            store.releaser.shutdown(wait=True)
            store.engine.dispose()
    assert overlaps == 0
    assert order == list(range(10))  # served in the order they asked, across servers


async def test_other_conversations_do_not_wait(servers):
    one, two = servers
    async with one.lock("web-a"):
        await asyncio.wait_for(_hold_briefly(two, "web-b"), timeout=5)


async def _hold_briefly(store: PostgresLockStore, conversation_id: str) -> None:
    async with store.lock(conversation_id):
        await asyncio.sleep(0)


def _waiting_in_postgres(database: str) -> int:
    """How many advisory locks PostgreSQL has been asked for and not granted yet."""
    admin = sa.create_engine(database)
    try:
        with admin.connect() as connection:
            return int(
                connection.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                ).scalar_one()
            )
    finally:
        admin.dispose()


async def _until_waiting_in_postgres(database: str, count: int = 1) -> None:
    """Wait (at most 10 s) until PostgreSQL itself records ``count`` waiting lock requests."""
    for _ in range(500):
        if await asyncio.to_thread(_waiting_in_postgres, database) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the lock request never reached PostgreSQL")


async def test_a_server_that_dies_releases_its_locks_at_once(servers, database):
    one, two = servers
    holder = one.engine.connect()
    try:
        # A server holding the lock, as PostgreSQL sees it: a session with the lock.
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": advisory_key("rest-x")})
        waiting = asyncio.ensure_future(_hold_briefly(two, "rest-x"))
        # PostgreSQL's own record: the other server's request is there, and not granted.
        await _until_waiting_in_postgres(database)
        assert not waiting.done()
        # The server dies: its connection goes, and PostgreSQL frees what it held.
        admin = sa.create_engine(database)
        with admin.connect() as connection:
            pid = holder.connection.dbapi_connection.get_backend_pid()
            connection.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        admin.dispose()
        await asyncio.wait_for(waiting, timeout=5)
    finally:
        holder.invalidate()
        holder.close()


async def test_a_busy_conversation_times_out_with_a_lock_error(servers):
    one, two = servers
    async with one.lock("rest-busy"):
        with pytest.raises(LockError):
            async with two.lock("rest-busy", lock_lifetime=0.3):
                pass
    # Nothing was left held by the one that gave up.
    await asyncio.wait_for(_hold_briefly(two, "rest-busy"), timeout=5)


async def test_a_cancelled_wait_leaves_nothing_locked(servers, database):
    one, two = servers
    async with one.lock("rest-cancel"):
        waiting = asyncio.ensure_future(_hold_briefly(two, "rest-cancel"))
        await _until_waiting_in_postgres(database)  # cancelled while PostgreSQL has it waiting
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    # The cancelled waiter's thread got the lock afterwards and gave it back.
    await asyncio.wait_for(_hold_briefly(one, "rest-cancel"), timeout=5)


async def test_an_unreachable_database_raises_database_unavailable():
    store = PostgresLockStore("postgresql://postgres@127.0.0.1:9/nothing")
    try:
        with pytest.raises(DatabaseUnavailable):
            async with store.lock("rest-x"):
                pass
    finally:
        store.executor.shutdown(wait=True)
        store.engine.dispose()


def test_the_project_store_picks_files_for_sqlite_and_advisory_locks_for_postgres(
    database, tmp_path, monkeypatch
):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    assert isinstance(ProjectLockStore(f"sqlite:///{tmp_path / 'x.db'}").store, FileLockStore)
    chosen = ProjectLockStore(database).store
    assert isinstance(chosen, PostgresLockStore)
    chosen.executor.shutdown()
    chosen.engine.dispose()


async def test_a_flood_on_one_conversation_neither_stalls_itself_nor_others(database):
    # More messages at once on one conversation than the store has threads: each waits
    # its turn in this process, so releases are never stuck behind waits.
    store = PostgresLockStore(database, max_waiting=4)
    done: list[str] = []
    try:

        async def flood(number: int) -> None:
            async with store.lock("rest-flood", lock_lifetime=30):
                await asyncio.sleep(0.02)
            done.append(f"flood-{number}")

        flooding = [asyncio.ensure_future(flood(n)) for n in range(40)]
        # The flood is under way (one message through) before the other conversation asks.
        for _ in range(500):
            if done:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("no message of the flood got through in 10 s")
        async with store.lock("rest-other", lock_lifetime=30):
            done.append("other")
        await asyncio.wait_for(asyncio.gather(*flooding), timeout=60)
    finally:
        store.executor.shutdown(wait=True)
        store.releaser.shutdown(wait=True)
        store.engine.dispose()
    assert len(done) == 41
    # The other conversation did not wait for the flood to finish.
    assert done.index("other") < len(done) - 10
