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
- the message's sentence vector is computed on a worker thread first
  (:func:`bot.rasa_plugins.sentence_features.precompute`), which lets the Rasa server
  handle other conversations meanwhile.
"""

from __future__ import annotations

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

from bot.channels.payloads import neutralise, offered_payloads
from bot.rasa_plugins.handling import Outcome, handle
from bot.rasa_plugins.sentence_features import precompute
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

MAX_SENDER = 128
MAX_MESSAGE = 1600


class RequestError(ValueError):
    """A request the channel cannot take, with a reason safe to show the caller."""


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
    if len(message) > MAX_MESSAGE:
        raise RequestError(f"message is too long: at most {MAX_MESSAGE} characters")
    message_id = body.get("message_id")
    if message_id is not None and (
        not isinstance(message_id, str) or not message_id.strip() or len(message_id) > MAX_SENDER
    ):
        raise RequestError(
            f"message_id must be a non-empty string of at most {MAX_SENDER} characters"
        )
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

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    def settings(self) -> Settings:
        """The channel's settings, read from the environment on first use."""
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

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
            try:
                sender, given, message_id = parse_request(_json(request))
            except RequestError as error:
                return response.json({"error": str(error)}, status=400)
            text = neutralise(given, offered_payloads())
            await precompute(text)
            collector = CollectingOutputChannel()
            try:
                message = UserMessage(
                    text, collector, conversation_id(sender), input_channel=self.name()
                )
                outcome = await handle(request.app, message, message_id=message_id)
                if outcome is Outcome.NOT_READY:
                    # 503: a load balancer tries another server; a client may retry.
                    return response.json(
                        {"error": "the server is starting; please try again"}, status=503
                    )
            except CancelledError:
                logger.error("A REST message timed out before it was handled")
            except Exception:
                logger.exception("Handling a REST message failed")
                return response.json(
                    {"error": "the message could not be handled; please try again"}, status=500
                )
            return response.json(collector.messages)

        return hook


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
