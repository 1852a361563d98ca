"""The one SMS sender: a queue in the database, delivered by Twilio or kept as the outbox.

Everything that sends an SMS puts it in ``sms_outbound`` with a *dedupe key* (say,
the inbound MessageSid it answers and its part number); the same key twice is one
message. In demo mode (no Twilio account) messages stay there as the outbox, which
the SMS simulator and the console show. Otherwise a delivery loop claims due
messages one at a time (an atomic update, so several processes can run it) and
sends them with Twilio's async client, never blocking the event loop:

- sent: Twilio answered with a message sid;
- Twilio refused the connection or its host is unreachable: tried again later, with
  backoff capped at five minutes, for as long as it takes (nothing is lost);
- Twilio answered 429 or 5xx: tried again with backoff, up to ``MAX_ATTEMPTS``;
- Twilio answered another 4xx: failed (a wrong number, say), with the reason;
- the connection broke after the request went out: *unknown*, and not retried,
  because Twilio may have sent it: never duplicated beats retried. Staff see it.

A number that sent STOP gets nothing (its messages are kept, marked suppressed)
until it sends START, with one exception: the safety net's reply to a message that
shows risk (``urgent``; its key starts ``safety:``) is always attempted, since STOP
must never hide a crisis. If such a reply cannot be delivered (Twilio refuses it, for
example with 21610 for a number that opted out with Twilio, or reports it undelivered)
the ``on_undelivered`` callback is told, so staff are alerted that the young person did
not get it. Twilio's 21610 on any other message marks the number opted out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.clock import SYSTEM_CLOCK
from bot.db.availability import log_round_failure
from bot.settings import Settings
from bot.store.tables.notify import sms_delivery_reports, sms_opt_outs, sms_outbound

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (2, 5, 15, 30, 60, 120, 300)
POLL_SECONDS = 1.0
# A message still "sending" this long after it was claimed: its process died mid-send.
STUCK_SENDING = dt.timedelta(minutes=5)
STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
# Texts handed to Twilio at once (each request waits a tenth of a second or more for
# Twilio's answer; one at a time, a busy hour's replies queued up behind each other).
# Texts to one number still go one after another, in the order they were queued.
SEND_AT_ONCE = 20
# Texts claimed per round: a round is claimed in one transaction.
CLAIM_PER_ROUND = 50
# Dedupe keys of the safety net's replies: attempted even after STOP.
SAFETY_KEY_PREFIX = "safety:"
# Twilio: "Attempt to send to unsubscribed recipient" (the number sent STOP to Twilio).
TWILIO_UNSUBSCRIBED = 21610


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait before attempt number ``attempts + 1``."""
    index = min(max(attempts - 1, 0), len(BACKOFF_SECONDS) - 1)
    return dt.timedelta(seconds=BACKOFF_SECONDS[index])


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One SMS to send."""

    dedupe_key: str
    conversation_id: str
    to_number: str
    body: str
    urgent: bool = False
    after_previous: bool = False
    """Send only once the message before it in the same :meth:`SmsQueue.enqueue` call has
    been taken by Twilio (or given up): the parts of one long reply, in order."""


@dataclasses.dataclass(frozen=True)
class Undelivered:
    """A safety reply that could not be delivered."""

    message_id: int
    conversation_id: str
    reason: str


def sender(settings: Settings) -> dict[str, str]:
    """Who a text is sent from: the Messaging Service when there is one, else the number.

    Sent through a Messaging Service (``messaging_service_sid``), a text follows the
    service's Advanced Opt-Out: the keywords and replies the council set there.
    """
    if settings.twilio_messaging_service_sid:
        return {"messaging_service_sid": settings.twilio_messaging_service_sid}
    return {"from_": settings.twilio_from_number or ""}


def is_safety_reply(dedupe_key: str) -> bool:
    """True for the safety net's replies (attempted whatever the opt-out)."""
    return dedupe_key.startswith(SAFETY_KEY_PREFIX)


class SmsQueue:
    """The ``sms_outbound`` table: what is waiting, sent, or kept in the outbox."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], dt.datetime] = SYSTEM_CLOCK.now,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock

    def enqueue(self, messages: Sequence[Outgoing]) -> list[int]:
        """Queue messages; a dedupe key already queued is not queued again.

        Returns:
            The ids of the messages that are now waiting to be sent (not those kept
            in the outbox, suppressed by an opt-out, or queued before).
        """
        now = self.clock()
        waiting: list[int] = []
        previous: int | None = None
        with self.engine.begin() as conn:
            for message in messages:
                exists = conn.execute(
                    sa.select(sms_outbound.c.id).where(
                        sms_outbound.c.dedupe_key == message.dedupe_key
                    )
                ).first()
                if exists is not None:
                    previous = int(exists.id)
                    continue
                urgent = message.urgent and is_safety_reply(message.dedupe_key)
                if not urgent and self._opted_out(conn, message.to_number):
                    status = "suppressed"
                elif self.settings.demo_mode:
                    status = "outbox"
                else:
                    status = "queued"
                result = conn.execute(
                    sms_outbound.insert().values(
                        dedupe_key=message.dedupe_key,
                        conversation_id=message.conversation_id,
                        to_number=message.to_number,
                        body=message.body,
                        status=status,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                        updated_at=now,
                        follows_id=previous if message.after_previous else None,
                    )
                )
                previous = int(result.inserted_primary_key[0])
                if status == "queued":
                    waiting.append(previous)
        return waiting

    @staticmethod
    def _opted_out(conn: Any, number: str) -> bool:
        found = conn.execute(
            sa.select(sms_opt_outs.c.number).where(sms_opt_outs.c.number == number)
        ).first()
        return found is not None

    def claim_due(self, limit: int = CLAIM_PER_ROUND) -> list[dict[str, Any]]:
        """Claim messages due for sending; each is claimed by one process only.

        A message that follows another (the next part of a long reply) waits until that
        one has left the queue: sent, given up, or stuck in sending for ``STUCK_SENDING``
        (its process died: Twilio may have it, and the rest must not wait for ever).
        """
        now = self.clock()
        claimed: list[dict[str, Any]] = []
        before = sms_outbound.alias("before")
        still_going = (
            sa.select(before.c.id)
            .where(
                before.c.id == sms_outbound.c.follows_id,
                sa.or_(
                    before.c.status == "queued",
                    sa.and_(
                        before.c.status == "sending",
                        before.c.updated_at > now - STUCK_SENDING,
                    ),
                ),
            )
            .exists()
        )
        with self.engine.begin() as conn:
            due = conn.execute(
                sa.select(sms_outbound)
                .where(
                    sms_outbound.c.status == "queued",
                    sms_outbound.c.next_attempt_at <= now,
                    sa.or_(sms_outbound.c.follows_id.is_(None), ~still_going),
                )
                .order_by(sms_outbound.c.id)
                .limit(limit)
            ).all()
        # One transaction for the round: a row another process claimed first (its status
        # no longer "queued" once that commits) is left to it.
        with self.engine.begin() as conn:
            for row in due:
                taken = conn.execute(
                    sms_outbound.update()
                    .where(sms_outbound.c.id == row.id, sms_outbound.c.status == "queued")
                    .values(status="sending", attempts=row.attempts + 1, updated_at=now)
                )
                if taken.rowcount == 1:
                    claimed.append({**row._asdict(), "attempts": row.attempts + 1})
        return claimed

    def _set(self, message_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sms_outbound.update()
                .where(sms_outbound.c.id == message_id)
                .values(updated_at=self.clock(), **values)
            )

    def mark_sent(self, message_id: int, twilio_sid: str) -> None:
        """Twilio has the message."""
        self._set(message_id, status="sent", twilio_sid=twilio_sid, error=None)

    def mark_retry(self, message_id: int, attempts: int, error: str) -> None:
        """Try again after a backoff."""
        self._set(
            message_id,
            status="queued",
            next_attempt_at=self.clock() + backoff(attempts),
            error=error[:255],
        )

    def mark_failed(self, message_id: int, error: str) -> None:
        """Give up: the message cannot be sent."""
        self._set(message_id, status="failed", error=error[:255])

    def mark_unknown(self, message_id: int, error: str) -> None:
        """Twilio may or may not have the message: do not risk sending it twice."""
        self._set(message_id, status="unknown", error=error[:255])

    def opt_out(self, number: str) -> None:
        """Send this number nothing more until it opts back in."""
        with self.engine.begin() as conn:
            if not self._opted_out(conn, number):
                conn.execute(sms_opt_outs.insert().values(number=number, opted_out_at=self.clock()))

    def opt_in(self, number: str) -> None:
        """Send this number messages again."""
        with self.engine.begin() as conn:
            conn.execute(sms_opt_outs.delete().where(sms_opt_outs.c.number == number))

    def is_opted_out(self, number: str) -> bool:
        """True if the number sent STOP (and not START since)."""
        with self.engine.connect() as conn:
            return self._opted_out(conn, number)

    def record_report(
        self, twilio_sid: str, status: str, error_code: str | None
    ) -> Undelivered | None:
        """Keep a delivery report from Twilio's status callback.

        Returns:
            The message, when it is a safety reply that could not be delivered.
        """
        with self.engine.begin() as conn:
            conn.execute(
                sms_delivery_reports.insert().values(
                    twilio_sid=twilio_sid[:64],
                    status=status[:32],
                    error_code=(error_code or None) and error_code[:16],
                    received_at=self.clock(),
                )
            )
            if status in ("delivered", "undelivered", "failed"):
                conn.execute(
                    sms_outbound.update()
                    .where(sms_outbound.c.twilio_sid == twilio_sid)
                    .values(status=status, updated_at=self.clock())
                )
            if status not in ("undelivered", "failed"):
                return None
            row = conn.execute(
                sa.select(
                    sms_outbound.c.id, sms_outbound.c.dedupe_key, sms_outbound.c.conversation_id
                ).where(sms_outbound.c.twilio_sid == twilio_sid)
            ).first()
        if row is None or not is_safety_reply(row.dedupe_key):
            return None
        return Undelivered(row.id, row.conversation_id, f"Twilio reported it {status}")


class TwilioDelivery:
    """Sends queued messages with Twilio's async client; one loop per server process."""

    def __init__(
        self,
        queue: SmsQueue,
        client: Any | None = None,
        on_undelivered: Callable[[Undelivered], Any] | None = None,
    ) -> None:
        self.queue = queue
        self._client = client
        self.on_undelivered = on_undelivered
        self.wake = asyncio.Event()

    async def _undelivered(self, message: dict[str, Any], reason: str) -> None:
        if self.on_undelivered is None or not is_safety_reply(str(message["dedupe_key"])):
            return
        try:
            await asyncio.to_thread(
                self.on_undelivered,
                Undelivered(int(message["id"]), str(message["conversation_id"]), reason),
            )
        except Exception:
            logger.exception("ALERT: staff could not be told a safety reply was not delivered")

    def client(self) -> Any:
        """Twilio's REST client, on its async HTTP client, pointed at ``TWILIO_API_URL``."""
        if self._client is None:
            from twilio.http.async_http_client import AsyncTwilioHttpClient
            from twilio.rest import Client

            settings = self.queue.settings
            client = Client(
                settings.twilio_account_sid,
                settings.twilio_auth_token,
                http_client=AsyncTwilioHttpClient(timeout=15),
            )
            client.api.base_url = settings.twilio_api_url.rstrip("/")
            self._client = client
        return self._client

    async def deliver_due(self) -> int:
        """Send the messages that are due; return how many Twilio accepted.

        Up to :data:`SEND_AT_ONCE` requests to Twilio at a time; the messages to one
        number one after another, in the order they were queued.
        """
        settings = self.queue.settings
        if settings.demo_mode:
            return 0
        by_number: dict[str, list[dict[str, Any]]] = {}
        for message in await asyncio.to_thread(self.queue.claim_due):
            by_number.setdefault(str(message["to_number"]), []).append(message)
        at_once = asyncio.Semaphore(SEND_AT_ONCE)

        async def in_turn(messages: list[dict[str, Any]]) -> int:
            async with at_once:
                return sum([await self._send(message, settings) for message in messages])

        results = await asyncio.gather(
            *(in_turn(messages) for messages in by_number.values()), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result  # after every other send finished: the round logs it
        return sum(r for r in results if isinstance(r, int))

    async def _send(self, message: dict[str, Any], settings: Settings) -> int:
        import aiohttp
        from twilio.base.exceptions import TwilioRestException

        message_id, attempts = int(message["id"]), int(message["attempts"])
        try:
            created = await self.client().messages.create_async(
                to=message["to_number"],
                body=message["body"],
                status_callback=settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH,
                **sender(settings),
            )
        except TwilioRestException as error:
            reason = f"Twilio {error.status}: {error.code or ''}".strip()
            if error.status in (429, 500, 502, 503, 504) and attempts < MAX_ATTEMPTS:
                await asyncio.to_thread(self.queue.mark_retry, message_id, attempts, reason)
            else:
                await asyncio.to_thread(self.queue.mark_failed, message_id, reason)
                if error.code == TWILIO_UNSUBSCRIBED:
                    # The number opted out with Twilio itself: send it nothing more.
                    await asyncio.to_thread(self.queue.opt_out, str(message["to_number"]))
                await self._undelivered(message, reason)
            logger.warning("SMS %s not sent: %s", message_id, reason)
            return 0
        except (aiohttp.ClientConnectorError, OSError) as error:
            # The request never reached Twilio: safe to try again, however long it takes.
            reason = f"Twilio unreachable: {type(error).__name__}"
            await asyncio.to_thread(self.queue.mark_retry, message_id, attempts, reason)
            logger.warning("SMS %s waiting: %s", message_id, reason)
            return 0
        except (asyncio.TimeoutError, aiohttp.ClientError) as error:
            reason = f"no answer from Twilio after sending: {type(error).__name__}"
            await asyncio.to_thread(self.queue.mark_unknown, message_id, reason)
            logger.error("SMS %s may or may not have been sent: %s", message_id, reason)
            return 0
        await asyncio.to_thread(self.queue.mark_sent, message_id, str(created.sid))
        return 1

    async def close(self) -> None:
        """Close the HTTP session to Twilio (the client is made again if used after)."""
        client, self._client = self._client, None
        http = getattr(client, "http_client", None)
        if http is not None and hasattr(http, "close"):
            await http.close()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set, waking when a message is queued."""
        try:
            await self._run(stop)
        finally:
            await self.close()

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.deliver_due()
            except Exception as error:  # the loop must outlive any one failure
                log_round_failure(logger, error, "SMS delivery round failed")
            self.wake.clear()
            waits = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waits, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waits:
                waiter.cancel()
