"""The REST channel at ``/webhooks/rest/webhook``, in place of Rasa's own.

Same request and reply as Rasa's REST channel (``{"sender": ..., "message": ...}``
in, a JSON list of bot messages out), with these differences:

- an optional ``message_id`` makes a message safe to send again: it is handled once
  (:mod:`bot.rasa_plugins.handling`), and a database outage gets the holding reply;
- with ``REST_CHANNEL_TOKEN`` set, only requests with ``Authorization: Bearer <token>``
  are taken (401 otherwise); in production (``APP_ENV=production``) without a token
  the channel is off (404), since anyone could talk to the bot through it;
- text starting with "/" cannot choose an intent or slots unless it is a button the bot
  offers (:mod:`bot.channels.payloads`);
- a malformed request gets a 400 with a plain reason (never a 500), and nothing
  from the request body is echoed or logged;
- the message text is never logged (Rasa's channel logs it on failures);
- the safety net sees every message first, before any limit, Rasa or the action
  server (:mod:`bot.channels.safety_first`): a message too long to take still gets
  the safety net's reply if it shows risk, and a crisis reply comes back within
  ``CRISIS_REPLY_SECONDS`` even if the rest of the answer is slow (the rest of the
  handling goes on, and is in the conversation's history);
- the message's sentence vector is computed on a worker thread first
  (:func:`bot.rasa_plugins.sentence_features.precompute`), which lets the Rasa server
  handle other conversations meanwhile.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.channels.payloads import INTENT_PREFIX, neutralise, offered_payloads
from bot.channels.safety_first import new_message_id, safety_first
from bot.db.engine import create_db_engine
from bot.rasa_plugins.handling import Outcome, handle
from bot.rasa_plugins.sentence_features import precompute
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

MAX_SENDER = 128
MAX_MESSAGE = 1600
# After a crisis reply, how long the rest of the answer may take before the reply goes
# back without it.
CRISIS_REPLY_SECONDS = 1.0


class RequestError(ValueError):
    """A request the channel cannot take, with a reason safe to show the caller."""


class MessageTooLong(RequestError):
    """The message is over ``MAX_MESSAGE`` characters (the safety net still reads it)."""

    def __init__(self, sender: str, message: str) -> None:
        super().__init__(f"message is too long: at most {MAX_MESSAGE} characters")
        self.sender = sender
        self.message = message


def parse_request(body: Any) -> tuple[str, str, str | None]:
    """Check a request body and return its sender, message and message id (optional).

    A client that may send a message again (after a timeout, say) gives each message a
    ``message_id``: a message whose id the conversation already has is not handled
    again, and gets the replies it got the first time.

    Raises:
        RequestError: The body is not what the channel takes; says what is wrong.

    """
    if not isinstance(body, dict):
        raise RequestError('the body must be a JSON object: {"sender": ..., "message": ...}')
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        raise RequestError("sender is missing: it must be a non-empty string")
    if len(sender) > MAX_SENDER:
        raise RequestError(f"sender is too long: at most {MAX_SENDER} characters")
    if not isinstance(message, str) or not message.strip():
        raise RequestError("message is missing: it must be a non-empty string")
    message_id = body.get("message_id")
    if message_id is not None and (
        not isinstance(message_id, str) or not message_id.strip() or len(message_id) > MAX_SENDER
    ):
        raise RequestError(
            f"message_id must be a non-empty string of at most {MAX_SENDER} characters"
        )
    if len(message) > MAX_MESSAGE:
        raise MessageTooLong(sender, message)
    return sender, message, message_id


def access_problem(settings: Settings, authorization: str | None) -> int | None:
    """Whether a request may use the REST channel: None if so, else the HTTP status.

    Args:
        settings: The service's settings (``REST_CHANNEL_TOKEN``, ``APP_ENV``).
        authorization: The request's ``Authorization`` header.

    Returns:
        None to go ahead; 404 when the channel is off (production, no token); 401 when a
        token is set and the request does not carry it.

    """
    token = settings.rest_channel_token
    if not token:
        return 404 if settings.production else None
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return 401
    return None


class RestChannel(InputChannel):  # type: ignore[misc]
    """Rasa's REST channel contract, checked, quiet about content, and faster."""

    def __init__(self, settings: Settings | None = None, engine: Engine | None = None) -> None:
        self._settings = settings
        self._engine = engine

    def settings(self) -> Settings:
        """The channel's settings, read from the environment on first use."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    def engine(self) -> Engine:
        """The project's database (for safety alerts), opened on first use."""
        if self._engine is None:
            self._engine = create_db_engine(self.settings().database_url)
        return self._engine

    async def _safety_first(
        self,
        sender: str,
        text: str,
        message_id: str,
        collector: CollectingOutputChannel,
        button: bool = False,
        address: str = "",
    ) -> Any:
        async def send(messages: list[dict[str, Any]]) -> None:
            for message in messages:
                await collector.send_response(conversation_id(sender), message)

        return await safety_first(
            text=text,
            conversation_id=conversation_id(sender),
            channel=self.name(),
            send=send,
            settings=self.settings(),
            engine=self.engine(),
            message_id=message_id,
            button=button,
            address=address,
        )

    def address(self, request: Request) -> str:
        """The caller's internet address, for the cap on safety alerts per address.

        Empty when the channel has a token: then the caller is the council's own web site,
        whose one address carries every young person it serves.
        """
        if self.settings().rest_channel_token:
            return ""
        return str(request.remote_addr or request.ip or "")

    @classmethod
    def name(cls) -> str:
        """The channel's name: its URL is ``/webhooks/rest/webhook``."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """The channel's routes: a health check and the webhook."""
        module = inspect.getmodule(self)
        hook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @hook.on_request
        async def check_access(request: Request) -> HTTPResponse | None:
            status = access_problem(self.settings(), request.headers.get("Authorization"))
            if status == 404:
                return response.json({"error": "not found"}, status=404)
            if status == 401:
                return response.json(
                    {"error": "this channel needs its token"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return None

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = CollectingOutputChannel()
            try:
                sender, given, message_id = parse_request(_json(request))
            except MessageTooLong as long:
                # Too long to take, but read by the safety net first: risk is answered.
                verdict = await self._safety_first(
                    long.sender,
                    long.message,
                    new_message_id(),
                    collector,
                    address=self.address(request),
                )
                if verdict.needs_alert:
                    return response.json(collector.messages)
                return response.json({"error": str(long)}, status=400)
            except RequestError as error:
                return response.json({"error": str(error)}, status=400)
            message_id = message_id or new_message_id()
            text = neutralise(given, offered_payloads())
            verdict = await self._safety_first(
                sender,
                given,
                message_id,
                collector,
                button=text.startswith(INTENT_PREFIX),
                address=self.address(request),
            )
            handling = asyncio.ensure_future(
                self._rest_of(request, text, sender, message_id, collector, verdict)
            )
            if verdict.needs_alert:
                # The safety net's reply goes back at once, whatever the rest takes.
                done, _ = await asyncio.wait({handling}, timeout=CRISIS_REPLY_SECONDS)
                if not done:
                    return response.json(list(collector.messages))
            return await handling

        return hook

    async def _rest_of(
        self,
        request: Request,
        text: str,
        sender: str,
        message_id: str,
        collector: CollectingOutputChannel,
        verdict: Any,
    ) -> HTTPResponse:
        """Everything after the safety net: the sentence vector, then Rasa."""
        await precompute(text)
        try:
            message = UserMessage(
                text, collector, conversation_id(sender), input_channel=self.name()
            )
            outcome = await handle(request.app, message, message_id=message_id, answered=verdict)
            if outcome is Outcome.NOT_READY and not collector.messages:
                # 503: a load balancer tries another server; a client may retry.
                return response.json(
                    {"error": "the server is starting; please try again"}, status=503
                )
        except CancelledError:
            logger.error("A REST message timed out before it was handled")
        except Exception:
            logger.exception("Handling a REST message failed")
            if not collector.messages:
                return response.json(
                    {"error": "the message could not be handled; please try again"}, status=500
                )
        return response.json(collector.messages)


def conversation_id(sender: str) -> str:
    """The conversation a REST sender talks in.

    Its own prefix, so a REST client can never reach an SMS or web chat conversation (or
    the person linked to one) by choosing its sender id.
    """
    return f"rest-{sender}"


def _json(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # Sanic raises InvalidUsage on a body that is not JSON
        raise RequestError("the body is not valid JSON") from None
