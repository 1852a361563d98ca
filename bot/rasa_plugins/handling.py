"""How every channel hands a young person's message to Rasa: once, in order, never forgotten.

Rasa's ``agent.handle_message`` is close, but not enough for a service that must not
lose a message or greet someone mid-conversation as a stranger:

- Rasa wraps the tracker store in ``FailSafeTrackerStore``: if the database fails,
  it starts a fresh conversation in memory and saves into memory. :func:`prepare`
  (run as the server starts) removes that wrapper, so a database outage reaches
  :func:`handle`, which answers with the domain's ``utter_service_unavailable``
  (short, with the crisis numbers) and writes nothing anywhere else.
- A message can carry an id (Twilio's MessageSid, or the ``message_id`` a REST or web
  chat client sends). Under the conversation's lock, a message whose id is already in
  the conversation is not handled again: the replies it got are sent again. So a
  client (or nginx) that retries after a server died mid-message gets each message
  handled exactly once.
- Rasa carries on quietly when a custom action fails (the action server is down or
  slow: it gets ``timeout`` seconds from ``endpoints.yml``, not Rasa's fixed 5 minutes).
  A message that got no reply at all gets ``utter_try_again_shortly``. The channel has
  already answered any risk before the message gets here
  (:mod:`bot.channels.safety_first`); Rasa's own copy of the crisis reply is then not
  sent again. If the action that records the safety event and alerts staff fails, this
  server records it and alerts them itself (once per message, whoever gets there first).
- A server answers only once its model is loaded and warmed up (:func:`is_ready`).
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import sqlalchemy as sa
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.clock import utcnow
from bot.db.availability import DatabaseUnavailable, database_outages, is_unavailable
from bot.safety import replies as safety_replies
from bot.safety.alerting import raise_safety_alert
from bot.safety.screen import Tier, Verdict
from bot.settings import get_settings

logger = logging.getLogger(__name__)

HOLDING_RESPONSE = "utter_service_unavailable"
TRY_AGAIN_RESPONSE = "utter_try_again_shortly"
SAFETY_ACTION = "action_record_safety_event"
# Seconds a custom action may take when endpoints.yml gives no ``timeout``.
DEFAULT_ACTION_TIMEOUT = 10.0
# How far back in a conversation a repeated message id is looked for.
RECENT_USER_MESSAGES = 50

_failed_actions: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "failed_actions", default=None
)


class Outcome(enum.Enum):
    """What happened to one message."""

    HANDLED = "handled"  # Rasa handled it and replied
    REPEATED = "repeated"  # handled before (same id): the replies it got were sent again
    HOLDING = "holding"  # the database is unavailable: the holding reply was sent
    TRY_AGAIN = "try_again"  # no reply could be made (action server, busy): said so
    NOT_READY = "not_ready"  # the server is still starting: nothing was done


CRISIS_RESPONSE = "utter_crisis"


class CountingOutput(OutputChannel):  # type: ignore[misc]
    """Passes every bot message on to the channel's own output, counting them.

    ``already_said`` holds texts the young person has already been sent for this
    message (the safety net's reply): Rasa's copies of them are counted, not sent.
    """

    def __init__(self, inner: OutputChannel, already_said: frozenset[str] = frozenset()) -> None:
        self.inner = inner
        self.sent = 0
        self.already_said = already_said

    def name(self) -> str:  # type: ignore[override]
        """The wrapped channel's name."""
        return str(self.inner.name())

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Pass one bot message on (unless the young person already has it)."""
        self.sent += 1
        if message.get("text") in self.already_said and not message.get("buttons"):
            return
        await self.inner.send_response(recipient_id, message)


def _record_failures(request: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def recorded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await request(*args, **kwargs)
        except Exception:
            failed = _failed_actions.get()
            if failed is not None:
                body = kwargs.get("json") or {}
                failed.append(str(body.get("next_action", "")))
            raise

    return recorded


def _with_timeout(
    request: Callable[..., Awaitable[Any]], seconds: float
) -> Callable[..., Awaitable[Any]]:
    async def limited(*args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = aiohttp.ClientTimeout(total=seconds)
        return await request(*args, **kwargs)

    return limited


def prepare(agent: Any) -> None:
    """Make a freshly loaded agent safe to answer with (called as the server starts).

    Removes Rasa's ``FailSafeTrackerStore`` (which forgets conversations when the
    database fails), gives custom actions the ``timeout`` of ``endpoints.yml``'s
    ``action_endpoint`` (Rasa 3.6 reads none, and waits 5 minutes), and notes which
    custom actions fail, per message.
    """
    store = agent.tracker_store
    if isinstance(store, FailSafeTrackerStore):
        store = store._tracker_store
        agent.tracker_store = store
    processor = agent.processor
    if processor is not None:
        processor.tracker_store = store
        endpoint = processor.action_endpoint
        if endpoint is not None and not getattr(endpoint, "_records_failures", False):
            timeout = float(endpoint.kwargs.get("timeout") or DEFAULT_ACTION_TIMEOUT)
            endpoint.request = _record_failures(_with_timeout(endpoint.request, timeout))
            endpoint._records_failures = True


async def warm_up(agent: Any) -> None:
    """Run the model once (NLU and policies), so the first young person does not wait."""
    await agent.parse_message("hello")
    tracker = DialogueStateTracker.from_events("warm-up", [], agent.domain.slots)
    agent.predict_next_with_tracker(tracker)


def is_ready(app: Any) -> bool:
    """True once :func:`prepare` and :func:`warm_up` have run on this server."""
    return bool(getattr(app.ctx, "careleavers_ready", False))


def mark_ready(app: Any) -> None:
    """Note that this server is ready to answer."""
    app.ctx.careleavers_ready = True


def fixed_text(agent: Any, response: str) -> str:
    """The text of one of the domain's fixed responses (its first variation)."""
    variations = agent.domain.responses.get(response) or [{}]
    return str(variations[0].get("text") or "")


def _replies_to(store: Any, conversation_id: str, message_id: str) -> list[dict[str, Any]] | None:
    """The bot messages stored after the user message with ``message_id``, if there is one."""
    table = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        users = connection.execute(
            sa.select(table.c.id, table.c.data)
            .where(table.c.sender_id == conversation_id, table.c.type_name == "user")
            .order_by(table.c.id.desc())
            .limit(RECENT_USER_MESSAGES)
        ).all()
        found = next(
            (row for row in users if json.loads(row.data).get("message_id") == message_id), None
        )
        if found is None:
            return None
        later = [row.id for row in users if row.id > found.id]
        query = sa.select(table.c.data).where(
            table.c.sender_id == conversation_id,
            table.c.type_name == "bot",
            table.c.id > found.id,
        )
        if later:
            query = query.where(table.c.id < min(later))
        rows = connection.execute(query.order_by(table.c.id)).all()
    replies = []
    for row in rows:
        event = json.loads(row.data)
        message: dict[str, Any] = {"text": event.get("text")}
        data = event.get("data") or {}
        for key in ("buttons", "quick_replies", "image", "custom", "attachment", "elements"):
            if data.get(key):
                message[key] = data[key]
        replies.append(message)
    return replies


async def _raise_safety_alert_here(agent: Any, message: UserMessage) -> None:
    """Record the safety event and alert staff from this server (the action server failed)."""
    try:
        await asyncio.to_thread(
            raise_safety_alert,
            agent.tracker_store.engine,
            get_settings(),
            conversation_id=message.sender_id,
            channel=message.input_channel or "unknown",
            text=message.text or "",
            now=utcnow(),
            message_key=f"{message.sender_id}:{message.message_id}",
        )
    except Exception as error:
        logger.error(
            "ALERT: a safety event could not be recorded (%s); the young person got the "
            "crisis signposting but no member of staff was told",
            type(error).__name__,
        )


def _already_said(agent: Any, answered: Verdict | None) -> frozenset[str]:
    """Texts Rasa must not send again: the safety net's replies, once it has sent one."""
    if answered is None or answered.tier is not Tier.CRISIS:
        return frozenset()
    return safety_replies.load().all_texts() | {fixed_text(agent, CRISIS_RESPONSE)}


async def handle(
    app: Any,
    message: UserMessage,
    message_id: str | None = None,
    ready_wait: float = 0.0,
    answered: Verdict | None = None,
) -> Outcome:
    """Handle one young person's message: once, under its conversation's lock.

    Args:
        app: The Rasa server's Sanic app (``app.ctx.agent`` is the loaded agent).
        message: The message, with the channel's output channel.
        message_id: The message's own id, where the channel has one (Twilio's
            MessageSid, a client's message id): a message with an id already in the
            conversation is not handled again.
        ready_wait: How long to wait for a server that is still starting (0: not at all).
        answered: The safety net's verdict, when the channel has already answered it
            (:func:`bot.channels.safety_first.safety_first`).

    Returns:
        What happened; every outcome but ``NOT_READY`` has sent the young person a reply.
    """
    deadline = time.monotonic() + ready_wait
    while not is_ready(app) and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.processor is None or not is_ready(app):
        return Outcome.NOT_READY
    output = CountingOutput(message.output_channel, _already_said(agent, answered))
    counted = UserMessage(
        message.text,
        output,
        message.sender_id,
        message.parse_data,
        message.input_channel,
        message_id or message.message_id,
        message.metadata,
    )
    failed: list[str] = []
    token = _failed_actions.set(failed)
    try:
        async with agent.lock_store.lock(message.sender_id):
            if message_id:
                replies = await asyncio.to_thread(
                    _replies_to, agent.tracker_store, message.sender_id, message_id
                )
                if replies is not None:
                    for reply in replies:
                        await output.send_response(message.sender_id, reply)
                    database_outages().succeeded()
                    return Outcome.REPEATED
            await agent.processor.handle_message(counted)
    except (DatabaseUnavailable, sa.exc.SQLAlchemyError) as error:
        if not is_unavailable(error):
            raise
        database_outages().failed(error)  # logs only the first failure of an outage
        await output.send_response(message.sender_id, {"text": fixed_text(agent, HOLDING_RESPONSE)})
        return Outcome.HOLDING
    except LockError:
        logger.warning("A conversation stayed busy too long; the young person was asked to retry")
        await output.send_response(
            message.sender_id, {"text": fixed_text(agent, TRY_AGAIN_RESPONSE)}
        )
        return Outcome.TRY_AGAIN
    finally:
        _failed_actions.reset(token)
    database_outages().succeeded()
    if failed:
        logger.error("Custom action(s) failed: %s", ", ".join(sorted(set(failed))))
    if SAFETY_ACTION in failed:
        await _raise_safety_alert_here(agent, counted)
    if output.sent == 0:
        await output.send_response(
            message.sender_id, {"text": fixed_text(agent, TRY_AGAIN_RESPONSE)}
        )
        return Outcome.TRY_AGAIN
    return Outcome.HANDLED
