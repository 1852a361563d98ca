"""One web chat socket: the hello, then each message read by the safety net and answered.

:class:`SocketConversation` is the socket's half of
:class:`~bot.channels.web.channel.WebChatChannel` (which mixes it in and gives it the
channel's :meth:`service` and :meth:`name`): the safety net reads each message as it
arrives and answers any risk at once, while a worker of the socket's own answers the
messages in turn. Frames are JSON objects; an answer is a ``reply`` frame, or a
friendly ``notice`` when a limit is hit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sqlalchemy.exc import SQLAlchemyError

from bot import linear_re
from bot.channels.handoff import HELD_NOTICE, Parse, held_for_handoff
from bot.channels.payloads import INTENT_PREFIX, neutralise, offered_payloads
from bot.channels.safety_first import new_message_id, safety_first
from bot.channels.web import limits, sessions
from bot.channels.web.service import WebChatService
from bot.db.availability import is_unavailable
from bot.people import linking
from bot.rasa_plugins.sentence_features import precompute
from bot.safety.screen import NO_RISK, Verdict

logger = logging.getLogger("bot.channels.web.channel")  # the channel's, as before

MAX_FRAME = 16_384
HELLO_SECONDS = 10.0

# WebSocket close codes (4000 to 4999 are the application's own).
CLOSE_BAD_REQUEST = 4400
CLOSE_TOKEN_REFUSED = 4401
CLOSE_TOO_BIG = 1009

GENERIC_FAILURE = "Sorry, something went wrong on our side. Please try again in a minute."

MESSAGE_ID = r"[A-Za-z0-9_-]{8,64}"
"""A message id the client may give (a pattern for :func:`bot.linear_re.compile`)."""


class SocketConversation:
    """The socket's side of the web chat channel (mixed into ``WebChatChannel``)."""

    def service(self) -> WebChatService:
        """The channel's service (the channel gives it)."""
        raise NotImplementedError

    @classmethod
    def name(cls) -> str:
        """The channel's name (the channel gives it)."""
        raise NotImplementedError

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
