"""The web chat channel's state: settings, key, database, SMS queue and the page's files.

:class:`WebChatService` opens each on first use (nothing at import); the routes
(:mod:`bot.channels.web.channel`) and the socket (:mod:`bot.channels.web.conversation`)
share one per channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sanic.request import Request
from sqlalchemy.engine import Engine

from bot.address_limits import AddressLimits, DatabaseAddressLimits
from bot.channels.web import sessions
from bot.channels.web.requests import BadRequest
from bot.channels.web.staff_push import StaffMessagePusher
from bot.db.engine import create_db_engine
from bot.notify.sms import Outgoing, SmsQueue
from bot.people import linking
from bot.settings import Settings

logger = logging.getLogger("bot.channels.web.channel")  # the channel's, as before

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


class WebChatService:
    """The channel's state: settings, key, database and SMS queue (opened on first use)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._engine = engine
        self._queue: SmsQueue | None = None
        self._key: bytes | None = None
        self.clock = clock
        self.allowed_origins = settings.web_chat_allowed_origins()
        self.tasks: set[asyncio.Task[None]] = set()
        self._static: dict[str, bytes] = {}
        self._pusher: StaffMessagePusher | None = None
        self._address_limits: AddressLimits | DatabaseAddressLimits | None = None

    @property
    def engine(self) -> Engine:
        """The project's database."""
        if self._engine is None:
            self._engine = create_db_engine(self.settings.database_url)
        return self._engine

    @property
    def queue(self) -> SmsQueue:
        """The one SMS sender (the outbox in demo mode)."""
        if self._queue is None:
            self._queue = SmsQueue(self.engine, self.settings)
        return self._queue

    @property
    def address_limits(self) -> AddressLimits | DatabaseAddressLimits:
        """Per-address limits shared by every server: Redis (``REDIS_URL``), else the database."""
        if self._address_limits is None:
            if self.settings.redis_url:
                self._address_limits = AddressLimits(
                    self.settings.redis_url, self.settings.web_chat_key()
                )
            else:
                self._address_limits = DatabaseAddressLimits(
                    self.engine, self.settings.web_chat_key()
                )
        return self._address_limits

    async def over_address_limit(self, kind: str, address: str) -> bool:
        """Count one ``session`` or ``message`` from ``address``; True if over its limit."""
        limits_ = self.address_limits
        if kind == "session":
            limit, window = self.settings.web_chat_address_sessions_per_hour, 3600
        else:
            limit, window = self.settings.web_chat_address_messages_per_minute, 60
        return await asyncio.to_thread(limits_.over, kind, address, limit, window, self.clock())

    @property
    def pusher(self) -> StaffMessagePusher:
        """Brings open sockets the staff messages written for them (one per process)."""
        if self._pusher is None:
            self._pusher = StaffMessagePusher(lambda: self.engine)
        return self._pusher

    async def stop_pushing(self) -> None:
        """Stop bringing staff messages to sockets (the server is stopping)."""
        if self._pusher is not None:
            await self._pusher.stop()

    @property
    def key(self) -> bytes:
        """The web chat key: signs tokens, hashes link codes."""
        if self._key is None:
            self._key = self.settings.web_chat_key()
        return self._key

    def static(self, name: str) -> bytes:
        """A file of the page, read once."""
        if name not in self._static:
            self._static[name] = (STATIC_DIR / name).read_bytes()
        return self._static[name]

    def new_session(self) -> dict[str, Any]:
        """A new conversation and its token."""
        lifetime = self.settings.web_chat_session_hours * 3600
        conversation_id = sessions.new_conversation_id()
        token = sessions.issue_token(self.key, conversation_id, self.clock(), lifetime)
        return {"token": token, "expires_in": int(lifetime)}

    def session(self, token: object) -> sessions.WebSession:
        """The session a token belongs to.

        Raises:
            sessions.TokenError: The token is refused.

        """
        return sessions.read_token(self.key, token, self.clock())

    def request_session(self, request: Request) -> sessions.WebSession:
        """The session of an HTTP request (``Authorization: Bearer <token>``).

        Raises:
            BadRequest: No token, or a refused one (401).

        """
        token = sessions.bearer(request.headers.get("Authorization"))
        try:
            return self.session(token)
        except sessions.TokenError as error:
            raise BadRequest(401, str(error)) from None

    def send_code(self, sms: linking.CodeToSend, conversation_id: str) -> None:
        """Queue a link code's SMS (Twilio delivers it, or the outbox keeps it)."""
        self.queue.enqueue(
            [Outgoing(f"link-code:{sms.code_id}", conversation_id, sms.number, sms.body)]
        )

    def later(self, work: Callable[[], None]) -> None:
        """Run blocking work on a thread after the answer has gone (kept until done)."""

        async def run() -> None:
            try:
                await asyncio.to_thread(work)
            except Exception:
                logger.exception("Web chat background work failed")

        task = asyncio.create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
