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

This module holds the routes; the socket's conversation is
:mod:`bot.channels.web.conversation`, the channel's state :mod:`bot.channels.web.service`
and the checks of an HTTP request :mod:`bot.channels.web.requests`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.handoff import parser_of
from bot.channels.web import origins
from bot.channels.web.conversation import SocketConversation
from bot.channels.web.history import visible_messages
from bot.channels.web.requests import BadRequest, client_address, content_security_policy, json_body
from bot.channels.web.service import STATIC_FILES, WebChatService
from bot.clock import utcnow
from bot.people import linking
from bot.rasa_plugins.handling import handle
from bot.settings import get_settings

SOCKET_PATH = "/chat/socket"

TOO_MANY_CHATS = (
    "Too many new chats have started from this connection. Please wait a while, then "
    "try again. If you are in danger now, call 999."
)


class WebChatChannel(SocketConversation, InputChannel):  # type: ignore[misc]
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
                utcnow(),
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
            now = utcnow()
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
