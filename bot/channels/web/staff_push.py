"""Pushes staff messages to the web chat sockets that are open, as soon as they are written.

One pusher per server process, shared by every socket in it: each open socket is
registered under its conversation id, and one loop asks the database every
:data:`POLL_SECONDS` for waiting messages of all of them at once (one query, whatever
the number of sockets; none when no socket is open), in a worker thread so the event
loop never waits on the database. A registration wakes the loop at once, so a chat
that connects gets what waited for it straight away.

Each conversation's waiting messages go as one frame::

    {"type": "staff", "messages": [{"ref", "text", "sender", "at"}]}

and are marked delivered only once a socket took the frame. If the send fails (the
socket closed), they stay waiting for the next connection. If marking them fails
after a send, they are sent again later; the page shows a ``ref`` once, so the young
person still sees each message once.

No Rasa and no Sanic here: a socket is anything with ``async send(str)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from bot.channels.web import staff_messages
from bot.clock import SYSTEM_CLOCK
from bot.db.availability import log_round_failure

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
SEND_SECONDS = 10.0


class Socket(Protocol):
    """What the pusher needs of a socket."""

    async def send(self, data: str) -> Any:
        """Send one text frame."""


def staff_frame(messages: list[staff_messages.StaffMessage]) -> str:
    """The socket frame carrying staff messages."""
    return json.dumps({"type": "staff", "messages": [m.visible() for m in messages]})


class StaffMessagePusher:
    """The process's open web chat sockets, and the loop that brings them staff messages."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        *,
        interval: float = POLL_SECONDS,
        clock: Callable[[], dt.datetime] = SYSTEM_CLOCK.now,
    ) -> None:
        self._engine = engine
        self.interval = interval
        self.clock = clock
        self._sockets: dict[str, list[Socket]] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def open_conversations(self) -> int:
        """How many conversations have a socket open here."""
        return len(self._sockets)

    def register(self, conversation_id: str, socket: Socket) -> None:
        """Bring this socket its conversation's staff messages (starts the loop if needed)."""
        self._sockets.setdefault(conversation_id, []).append(socket)
        self._ensure_running()
        assert self._wake is not None
        self._wake.set()

    def unregister(self, conversation_id: str, socket: Socket) -> None:
        """The socket closed: send it nothing more."""
        sockets = self._sockets.get(conversation_id, [])
        if socket in sockets:
            sockets.remove(socket)
        if not sockets:
            self._sockets.pop(conversation_id, None)

    def _ensure_running(self) -> None:
        if self._wake is None or self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                await self.push_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log_round_failure(
                    logger, error, "Pushing staff messages to web chats failed; trying again"
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)

    async def push_once(self) -> int:
        """Send every waiting message to its open sockets; return how many were delivered."""
        if not self._sockets:
            return 0
        engine = self._engine()
        waiting = await asyncio.to_thread(staff_messages.pending, engine, list(self._sockets))
        delivered: list[int] = []
        for conversation_id, messages in waiting.items():
            frame = staff_frame(messages)
            sent = False
            for socket in list(self._sockets.get(conversation_id, [])):
                try:
                    await asyncio.wait_for(socket.send(frame), SEND_SECONDS)
                    sent = True
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # Closed under us: the messages wait for the next connection.
                    logger.info("A web chat socket closed before staff messages reached it")
            if sent:
                delivered.extend(m.id for m in messages)
        if delivered:
            await asyncio.to_thread(staff_messages.mark_delivered, engine, delivered, self.clock())
        return len(delivered)

    async def stop(self) -> None:
        """Stop the loop (the server is stopping)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
