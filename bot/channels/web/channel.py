"""The web chat channel: the page at ``/chat/``, its socket, history and record linking.

Routes (Rasa mounts the blueprint at ``/chat``, see :meth:`WebChatChannel.url_prefix`):

- ``GET /chat/``: the page (``static/``), with a strict Content-Security-Policy;
- ``POST /chat/session``: a new conversation (``web-`` + random) and its signed token
  (:mod:`bot.channels.web.sessions`); the browser never names a conversation;
- ``WS /chat/socket``: the chat itself. The Origin is checked before the handshake
  (:mod:`bot.channels.web.origins`); the first frame is ``{"type": "hello", "token"}``,
  then ``{"type": "message", "text"}`` frames, each answered by
  ``{"type": "reply", "messages": [...]}``, or a friendly ``notice`` when a limit is
  hit (:mod:`bot.channels.web.limits`). Before anything else, even a limit, each
  message is read by the safety net (:mod:`bot.channels.safety_first`): any risk is
  answered at once with ``{"type": "safety", "messages": [...]}``, while earlier
  messages of the chat may still be being answered;
- ``GET /chat/history``: the conversation's messages, for the page after a reload;
- staff messages (a PA's reply in the console) are pushed to an open socket as
  ``{"type": "staff", "messages": [...]}`` (:mod:`bot.channels.web.staff_push`);
- ``POST /chat/link/start``, ``/chat/link/verify``, ``/chat/link/forget``: link the
  chat to the young person's record with a code texted to their registered number
  (:mod:`bot.people.linking`), or unlink it.

Every request but the page needs the token (``Authorization: Bearer``, or the socket's
hello). A malformed request gets a 4xx with a plain reason; nothing from a request
body is echoed or logged. The database engine opens on first use, not at import.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import inspect
import json
import logging
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import linear_re
from bot.address_limits import AddressLimits, DatabaseAddressLimits
from bot.channels.handoff import HELD_NOTICE, Parse, held_for_handoff, parser_of
from bot.channels.payloads import INTENT_PREFIX, neutralise, offered_payloads
from bot.channels.safety_first import new_message_id, safety_first
from bot.channels.web import limits, origins, sessions
from bot.channels.web.history import visible_messages
from bot.channels.web.staff_push import StaffMessagePusher
from bot.clock import naive_utcnow
from bot.db.availability import is_unavailable
from bot.db.engine import create_db_engine
from bot.notify.sms import Outgoing, SmsQueue
from bot.people import linking
from bot.rasa_plugins.handling import handle
from bot.rasa_plugins.sentence_features import precompute
from bot.safety.screen import NO_RISK, Verdict
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
MAX_BODY = 2048
MAX_FRAME = 16_384
HELLO_SECONDS = 10.0
SOCKET_PATH = "/chat/socket"
_HOST = r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?"

# WebSocket close codes (4000 to 4999 are the application's own).
CLOSE_BAD_REQUEST = 4400
CLOSE_TOKEN_REFUSED = 4401
CLOSE_TOO_BIG = 1009

GENERIC_FAILURE = "Sorry, something went wrong on our side. Please try again in a minute."


class BadRequest(ValueError):
    """A request the channel refuses, with a plain reason and an HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def content_security_policy(host: str | None) -> str:
    """The page's CSP: our own origin only, plus the socket on the same host."""
    sockets = (
        f" ws://{host} wss://{host}" if host and linear_re.compile(_HOST).fullmatch(host) else ""
    )
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'{sockets}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'; object-src 'none'"
    )


def json_body(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    """The request's JSON object with these string fields (each at most 64 characters).

    Raises:
        BadRequest: The body is too big, not JSON, or lacks a field.

    """
    if len(request.body or b"") > MAX_BODY:
        raise BadRequest(413, "the body is too big")
    try:
        body = json.loads(request.body or b"")
    except ValueError:
        raise BadRequest(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object")
    values: dict[str, str] = {}
    for field in fields:
        value = body.get(field)
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(400, f"{field} is missing: it must be a non-empty string")
        if len(value) > 64:
            raise BadRequest(400, f"{field} is too long")
        values[field] = value
    return values


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


class WebChatChannel(InputChannel):  # type: ignore[misc]
    """The web chat page and its socket, with server-made sessions and record linking."""

    @classmethod
    def name(cls) -> str:
        """The channel's name (conversation ids start ``web-``)."""
        return "web"

    def url_prefix(self) -> str:
        """Mounted at ``/chat`` (Rasa joins this onto ``/webhooks/``: an absolute path wins)."""
        return "/chat"

    def __init__(self, service: WebChatService | None = None) -> None:
        self._service = service

    def service(self) -> WebChatService:
        """The channel's service, created on first use from the environment's settings."""
        if self._service is None:
            self._service = WebChatService(get_settings())
        return self._service

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The page, the session, the socket, the history and the linking routes."""
        module = inspect.getmodule(self)
        hook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @hook.on_request
        async def check_origin(request: Request) -> HTTPResponse | None:
            socket = request.path.rstrip("/") == SOCKET_PATH
            if origins.origin_allowed(
                request.headers.get("Origin"), self.service().allowed_origins, required=socket
            ):
                return None
            return response.text("this origin is not allowed", status=403)

        @hook.on_response
        async def security_headers(request: Request, reply: HTTPResponse) -> None:
            reply.headers.setdefault("Cache-Control", "no-store")
            reply.headers["X-Content-Type-Options"] = "nosniff"
            reply.headers["Referrer-Policy"] = "no-referrer"
            reply.headers["X-Frame-Options"] = "DENY"
            reply.headers["Content-Security-Policy"] = content_security_policy(
                request.headers.get("Host")
            )

        @hook.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):  # the page's links are relative to /chat/
                return response.redirect("/chat/")
            return self._file("index.html")

        @hook.route("/<name:(chat\\.css|chat\\.js|favicon\\.svg)>", methods=["GET"])
        async def asset(_request: Request, name: str) -> HTTPResponse:
            return self._file(name)

        @hook.route("/session", methods=["POST"])
        async def new_session(request: Request) -> HTTPResponse:
            service = self.service()
            if await service.over_address_limit("session", client_address(request)):
                return response.json({"error": TOO_MANY_CHATS}, status=429)
            return response.json(service.new_session(), status=201)

        @hook.route("/history", methods=["GET"])
        async def history(request: Request) -> HTTPResponse:
            service = self.service()
            try:
                session = service.request_session(request)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            messages = await asyncio.to_thread(
                visible_messages, service.engine, session.conversation_id
            )
            linked = await asyncio.to_thread(
                linking.is_linked, service.engine, session.conversation_id
            )
            return response.json({"messages": messages, "linked": linked})

        @hook.route("/link/start", methods=["POST"])
        async def link_start(request: Request) -> HTTPResponse:
            service = self.service()
            try:
                session = service.request_session(request)
                mobile = json_body(request, ("mobile",))["mobile"]
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            result = await asyncio.to_thread(
                linking.start_link,
                service.engine,
                service.key,
                session.conversation_id,
                mobile,
                naive_utcnow(),
            )
            sms = result.sms
            if sms is not None:
                # After the answer, so a number on record is not answered any slower.
                service.later(lambda: service.send_code(sms, session.conversation_id))
            return response.json({"outcome": result.outcome.value, "message": result.message})

        @hook.route("/link/verify", methods=["POST"])
        async def link_verify(request: Request) -> HTTPResponse:
            service = self.service()
            try:
                session = service.request_session(request)
                code = json_body(request, ("code",))["code"]
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            now = naive_utcnow()
            result = await asyncio.to_thread(
                linking.verify_link,
                service.engine,
                service.key,
                session.conversation_id,
                code,
                now,
            )
            locked = result.locked_record
            if locked is not None:
                # Too many wrong codes for one record, across chats: their PA is told.
                def tell(person: int = locked) -> None:
                    linking.tell_staff_of_lock(service.engine, service.settings, person, now)

                service.later(tell)
            return response.json(
                {
                    "outcome": result.outcome.value,
                    "message": result.message,
                    "linked": result.outcome is linking.VerifyOutcome.LINKED,
                }
            )

        @hook.route("/link/forget", methods=["POST"])
        async def link_forget(request: Request) -> HTTPResponse:
            service = self.service()
            try:
                session = service.request_session(request)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            await asyncio.to_thread(linking.forget_link, service.engine, session.conversation_id)
            return response.json(
                {
                    "outcome": "forgotten",
                    "message": "This chat is no longer linked to your record.",
                    "linked": False,
                }
            )

        @hook.websocket("/socket")
        async def socket(request: Request, ws: Any) -> None:
            await self._converse(
                ws,
                functools.partial(handle, request.app),
                parser_of(request.app),
                client_address(request),
            )

        @hook.listener("before_server_stop")
        async def _finish_tasks(_app: Any, _loop: Any) -> None:
            if self._service is not None:
                await self._service.stop_pushing()
            if self._service is not None and self._service.tasks:
                await asyncio.wait(set(self._service.tasks), timeout=10)

        return hook

    def _file(self, name: str) -> HTTPResponse:
        return response.raw(self.service().static(name), content_type=STATIC_FILES[name])

    async def _converse(
        self,
        ws: Any,
        on_new_message: Callable[..., Awaitable[Any]],
        parse: Parse | None = None,
        address: str = "",
    ) -> None:
        """One socket: a hello with a valid token, then messages answered one at a time."""
        service = self.service()
        hello = await ws.recv(timeout=HELLO_SECONDS)
        frame = _frame(hello)
        if frame is None or frame.get("type") != "hello":
            await ws.close(CLOSE_BAD_REQUEST, 'the first message must be {"type": "hello"}')
            return
        try:
            session = service.session(frame.get("token"))
        except sessions.TokenError as error:
            await ws.close(CLOSE_TOKEN_REFUSED, str(error))
            return
        try:
            linked = await asyncio.to_thread(
                linking.is_linked, service.engine, session.conversation_id
            )
        except SQLAlchemyError as error:
            if not is_unavailable(error):
                raise
            linked = False  # the database is down: messages get the holding reply
        await ws.send(json.dumps({"type": "ready", "linked": linked}))
        service.pusher.register(session.conversation_id, ws)
        try:
            await self._messages(ws, service, session, on_new_message, parse, address)
        finally:
            service.pusher.unregister(session.conversation_id, ws)

    async def _messages(
        self,
        ws: Any,
        service: WebChatService,
        session: sessions.WebSession,
        on_new_message: Callable[..., Awaitable[Any]],
        parse: Parse | None,
        address: str = "",
    ) -> None:
        """The socket's messages after the hello, until it closes.

        The safety net reads each message as it arrives and answers any risk at once;
        the messages are then answered in turn, one at a time, by a worker of their own,
        so a slow answer never holds back the safety net's.
        """
        waiting: asyncio.Queue[tuple[str, str, Verdict] | None] = asyncio.Queue()
        worker = asyncio.create_task(
            self._answer_in_turn(ws, session, waiting, on_new_message, parse, address)
        )
        try:
            await self._read(ws, service, session, waiting, address)
        finally:
            waiting.put_nowait(None)
            try:
                await asyncio.wait_for(asyncio.shield(worker), timeout=30)
            except (asyncio.TimeoutError, Exception):
                worker.cancel()

    async def _read(
        self,
        ws: Any,
        service: WebChatService,
        session: sessions.WebSession,
        waiting: asyncio.Queue[tuple[str, str, Verdict] | None],
        address: str = "",
    ) -> None:
        while True:
            raw = await ws.recv()
            if raw is None:
                return
            if service.clock() >= session.expires_at:
                await ws.close(CLOSE_TOKEN_REFUSED, "the session has expired: start a new chat")
                return
            frame = _frame(raw)
            if (
                frame is None
                or frame.get("type") != "message"
                or not isinstance(frame.get("text"), str)
            ):
                if len(raw) > MAX_FRAME:
                    await ws.send(
                        json.dumps(
                            {
                                "type": "notice",
                                "text": limits.too_long(service.settings.web_chat_max_message),
                            }
                        )
                    )
                    continue
                await ws.send(
                    json.dumps(
                        {
                            "type": "error",
                            "reason": 'messages must be {"type": "message", "text": "..."}',
                        }
                    )
                )
                continue
            message_id = frame.get("id")
            if not isinstance(message_id, str) or not linear_re.compile(MESSAGE_ID).fullmatch(
                message_id
            ):
                message_id = None
            text = frame["text"]
            # One id for the message from here on: its one safety event is keyed by it.
            message_id = message_id or new_message_id()
            button = neutralise(text, offered_payloads()).startswith(INTENT_PREFIX)
            verdict = await self._safety_first(ws, session, text, message_id, button, address)
            if len(raw) > MAX_FRAME:
                await ws.send(
                    json.dumps(
                        {
                            "type": "notice",
                            "text": limits.too_long(service.settings.web_chat_max_message),
                        }
                    )
                )
                continue
            waiting.put_nowait((text, message_id, verdict))

    async def _safety_first(
        self,
        ws: Any,
        session: sessions.WebSession,
        text: str,
        message_id: str,
        button: bool = False,
        address: str = "",
    ) -> Verdict:
        """The safety net's look at a message, its reply pushed at once as a ``safety`` frame."""
        if not text.strip():
            return NO_RISK
        service = self.service()

        async def send(messages: list[dict[str, Any]]) -> None:
            await ws.send(
                json.dumps({"type": "safety", "messages": [_visible(m) for m in messages]})
            )

        try:
            return await safety_first(
                text=text,
                conversation_id=session.conversation_id,
                channel=self.name(),
                send=send,
                settings=service.settings,
                engine=service.engine,
                message_id=message_id,
                clock=lambda: dt.datetime.fromtimestamp(service.clock(), dt.timezone.utc),
                button=button,
                address=address,
            )
        except Exception:
            logger.exception("The safety net's first look at a web chat message failed")
            return NO_RISK

    async def _answer_in_turn(
        self,
        ws: Any,
        session: sessions.WebSession,
        waiting: asyncio.Queue[tuple[str, str, Verdict] | None],
        on_new_message: Callable[..., Awaitable[Any]],
        parse: Parse | None,
        address: str,
    ) -> None:
        while True:
            item = await waiting.get()
            if item is None:
                return
            text, message_id, verdict = item
            answer = await self._answer(
                session, text, on_new_message, parse, message_id, address, verdict
            )
            try:
                await ws.send(json.dumps(answer))
            except Exception:
                return  # the socket closed: the page asks again with the same id

    async def _answer(
        self,
        session: sessions.WebSession,
        text: str,
        on_new_message: Callable[..., Awaitable[Any]],
        parse: Parse | None = None,
        message_id: str | None = None,
        address: str = "",
        verdict: Verdict = NO_RISK,
    ) -> dict[str, Any]:
        """The socket's answer to one message: the bot's replies, or a friendly notice.

        The page gives each message an id and sends it again if the socket closed before
        the answer came (the server died, say): one already handled is not handled again.
        """
        service = self.service()
        settings = service.settings
        problem = limits.message_problem(text, settings.web_chat_max_message)
        if problem:
            return {"type": "notice", "text": problem}
        text = neutralise(text, offered_payloads())
        try:
            if await asyncio.to_thread(
                limits.over_rate,
                service.engine,
                session.conversation_id,
                service.clock(),
                settings.web_chat_messages_per_minute,
            ):
                return {"type": "notice", "text": limits.TOO_FAST}
            if await service.over_address_limit("message", address):
                return {"type": "notice", "text": limits.TOO_FAST}
            await precompute(text)
            if await held_for_handoff(
                service.engine, session.conversation_id, text, parse, verdict
            ):
                return {"type": "notice", "text": HELD_NOTICE}
        except SQLAlchemyError as error:
            # The database is down: the message goes to the bot, whose answer is then
            # the holding reply with the crisis numbers (bot.rasa_plugins.handling).
            if not is_unavailable(error):
                raise
        collector = CollectingOutputChannel()
        try:
            message = UserMessage(
                text, collector, session.conversation_id, input_channel=self.name()
            )
            if message_id is None:
                await on_new_message(message, answered=verdict)
            else:
                await on_new_message(message, message_id=message_id, answered=verdict)
        except CancelledError:
            logger.error("A web chat message timed out before it was handled")
            return {"type": "notice", "text": GENERIC_FAILURE}
        except Exception:
            logger.exception("Handling a web chat message failed")
            return {"type": "notice", "text": GENERIC_FAILURE}
        return {"type": "reply", "messages": [_visible(m) for m in collector.messages]}


TOO_MANY_CHATS = (
    "Too many new chats have started from this connection. Please wait a while, then "
    "try again. If you are in danger now, call 999."
)


def client_address(request: Request) -> str:
    """The client's internet address (from the load balancer's header when it is trusted).

    Sanic takes ``X-Forwarded-For`` only when ``SANIC_PROXIES_COUNT`` says how many
    proxies are in front (``make cluster`` sets 1); otherwise the connection's address.
    """
    return str(request.remote_addr or request.ip or "")


MESSAGE_ID = r"[A-Za-z0-9_-]{8,64}"
"""A message id the client may give (a pattern for :func:`bot.linear_re.compile`)."""


def _frame(raw: Any) -> dict[str, Any] | None:
    """A socket frame as a JSON object, or None if it is not one."""
    if not isinstance(raw, str):
        return None
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def _visible(message: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of a bot message: its text and its buttons."""
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in message.get("buttons") or []
        if isinstance(b, dict) and b.get("title") and b.get("payload")
    ]
    return {"text": message.get("text") or "", "buttons": buttons}
