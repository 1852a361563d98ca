"""The SMS channel's state and work: inbound texts recorded once, handled, replied to.

:class:`SmsService` holds the database, the SMS queue and its delivery loop. It
records each MessageSid once (:meth:`SmsService.first_time`), takes over texts a dead
server never finished (:meth:`SmsService.claim_unhandled`), and handles a text after
Twilio has had its answer: the safety net first, then STOP / START / HELP, GOT IT,
a date of birth asked for, a numbered option, or the bot. The routes are
:mod:`bot.channels.sms.channel`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic.request import Request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator

from bot.channels.handoff import Parse, held_for_handoff
from bot.channels.payloads import neutralise, offered_payloads
from bot.channels.safety_first import alerted, safety_first
from bot.channels.sms import formatting
from bot.channels.sms.keywords import Keyword, KeywordMode, is_got_it, keyword_action
from bot.clock import SYSTEM_CLOCK, Clock, utcnow
from bot.db.engine import create_db_engine
from bot.notify.sms import SAFETY_KEY_PREFIX, Outgoing, SmsQueue, TwilioDelivery, Undelivered
from bot.packs.service import THANKS, acknowledge
from bot.people import sms_check
from bot.people.identity import link_sms_sender
from bot.people.sms_check import Outcome
from bot.rasa_plugins.sentence_features import precompute
from bot.safety.alerting import raise_undelivered_alert
from bot.safety.screen import NO_RISK, Verdict
from bot.settings import Settings
from bot.store.tables.sms import sms_contacts, sms_inbound

logger = logging.getLogger("bot.channels.sms.channel")  # the channel's, as before

HANDLING = 8
# Unfinished inbound messages taken over per look, and how often one is tried in all.
RECOVERY_BATCH = 20
MAX_ATTEMPTS = 3

STOP_REPLY = (
    "You won't get any more texts from us. Reply START to get texts again. "
    "If you are in danger, call 999."
)
START_REPLY = "Welcome back. You'll get texts from us again. Reply STOP to stop them."
HELP_REPLY = (
    "This is the care leavers' helpline bot. Ask about what you can get, in your own "
    "words. Reply STOP to stop texts. In danger? Call 999. Samaritans: 116 123."
)


def keyword_mode(settings: Settings) -> KeywordMode:
    """Who answers STOP, START and HELP: nobody but us (demo), or Twilio (see keywords)."""
    if settings.demo_mode:
        return KeywordMode.DEMO
    if settings.twilio_messaging_service_sid:
        return KeywordMode.MESSAGING_SERVICE
    return KeywordMode.NUMBER


class SmsService:
    """The channel's state: the database, the SMS queue and its delivery loop."""

    def __init__(
        self, settings: Settings, engine: Engine | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = engine or create_db_engine(settings.database_url)
        self.queue = SmsQueue(self.engine, settings)
        self.delivery = TwilioDelivery(self.queue, on_undelivered=self.undelivered)
        self.validator = RequestValidator(settings.signing_token())
        self.tasks: set[asyncio.Task[None]] = set()
        # Twilio's answer must never wait behind conversations: the webhook's one write
        # has its own thread, and at most HANDLING messages per worker are handled at
        # once (the rest wait their turn, already recorded, in memory).
        self.intake = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sms-intake")
        self._handling: asyncio.Semaphore | None = None
        # The texts this server has taken on and not finished: their claims are renewed
        # (:meth:`renew_claims`), so a long queue here is not mistaken for a dead server.
        self.in_hand: set[str] = set()

    @property
    def handling(self) -> asyncio.Semaphore:
        """Limits how many inbound messages this worker handles at once."""
        if self._handling is None:
            self._handling = asyncio.Semaphore(HANDLING)
        return self._handling

    async def record_arrival(self, sid: str, conversation_id: str, number: str, body: str) -> bool:
        """:meth:`first_time`, then :meth:`link_sender`, on the webhook's own thread.

        The link is made before the text is handled, so the safety net knows who sent
        even someone's first text: its reply is worded for their age, and its alert (and
        any alert that the reply could not be delivered) goes to their own PA and
        district rather than the duty district.
        """
        loop = asyncio.get_running_loop()
        first = await loop.run_in_executor(
            self.intake, self.first_time, sid, conversation_id, number, body
        )
        if first:
            await loop.run_in_executor(self.intake, self.link_sender, conversation_id, number)
        return first

    def link_sender(self, conversation_id: str, number: str) -> None:
        """Link the conversation to the number's record (or unlink it); never raises.

        A link that cannot be made now is made again when the text is handled (and its
        failure there stops the handling, to be retried); the safety net meanwhile
        treats the sender as someone not on record.
        """
        try:
            link_sms_sender(self.engine, conversation_id, number)
        except Exception as error:
            logger.error(
                "An inbound SMS could not be linked to a record before the safety net (%s)",
                type(error).__name__,
            )

    def url_for(self, request: Request) -> str:
        """The URL Twilio signed: PUBLIC_BASE_URL, the path, and any query string."""
        url = self.settings.public_base_url.rstrip("/") + request.path
        return f"{url}?{request.query_string}" if request.query_string else url

    def signed(self, request: Request, form: dict[str, str]) -> bool:
        """True if the request carries a valid ``X-Twilio-Signature``."""
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and bool(
            self.validator.validate(self.url_for(request), form, signature)
        )

    def first_time(
        self, sid: str, conversation_id: str, number: str = "", body: str | None = None
    ) -> bool:
        """Record a MessageSid; False if it was already recorded (a repeat delivery).

        The number and words are kept with it until it is handled (:meth:`mark_handled`
        clears them), so that another server can handle it if this one dies first.
        """
        now = utcnow(self.clock)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sms_inbound.insert().values(
                        message_sid=sid,
                        conversation_id=conversation_id,
                        received_at=now,
                        pending_from=number or None,
                        pending_body=body,
                        claimed_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def renew_claims(self, sids: list[str], now: dt.datetime) -> None:
        """Say again that this server is handling ``sids`` (so no other takes them over)."""
        for start in range(0, len(sids), 500):
            with self.engine.begin() as conn:
                conn.execute(
                    sms_inbound.update()
                    .where(
                        sms_inbound.c.message_sid.in_(sids[start : start + 500]),
                        sms_inbound.c.handled_at.is_(None),
                    )
                    .values(claimed_at=now)
                )

    def claim_unhandled(
        self, now: dt.datetime, limit: int = RECOVERY_BATCH
    ) -> list[tuple[str, str, str, str]]:
        """Take over inbound messages that a server took on but never finished.

        A message is taken over when it is still unhandled ``sms_recovery_seconds`` after
        it was last taken on, at most ``MAX_ATTEMPTS`` times in all (then an alert is
        logged and its words cleared). Taking one over is a conditional update, so of
        several servers looking at once, one gets each message.

        Returns:
            ``(sid, conversation_id, number, body)`` of each message this server now has.
        """
        stale = now - dt.timedelta(seconds=self.settings.sms_recovery_seconds)
        table = sms_inbound.c
        claimed: list[tuple[str, str, str, str]] = []
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(
                    table.message_sid,
                    table.conversation_id,
                    table.pending_from,
                    table.pending_body,
                    table.claimed_at,
                    table.attempts,
                )
                .where(
                    table.handled_at.is_(None),
                    table.pending_body.is_not(None),
                    table.claimed_at < stale,
                )
                .order_by(table.received_at)
                .limit(limit)
            ).all()
        for row in rows:
            with self.engine.begin() as conn:
                if row.attempts >= MAX_ATTEMPTS:
                    given_up = conn.execute(
                        sms_inbound.update()
                        .where(table.message_sid == row.message_sid, table.handled_at.is_(None))
                        .values(handled_at=now, pending_from=None, pending_body=None)
                    ).rowcount
                    if given_up:
                        logger.error(
                            "ALERT: an inbound SMS could not be handled after %s attempts; "
                            "its conversation needs a person to look at it",
                            row.attempts,
                        )
                    continue
                taken = conn.execute(
                    sms_inbound.update()
                    .where(
                        table.message_sid == row.message_sid,
                        table.handled_at.is_(None),
                        table.claimed_at == row.claimed_at,
                    )
                    .values(claimed_at=now, attempts=row.attempts + 1)
                ).rowcount
            if taken and row.pending_from:
                claimed.append(
                    (row.message_sid, row.conversation_id, row.pending_from, row.pending_body)
                )
        return claimed

    def remember_contact(self, conversation_id: str, number: str) -> dict[str, str]:
        """Keep the conversation's number (for replies); return its last numbered options."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(sms_contacts.c.options).where(
                    sms_contacts.c.conversation_id == conversation_id
                )
            ).first()
            if row is None:
                conn.execute(
                    sms_contacts.insert().values(
                        conversation_id=conversation_id,
                        number=number,
                        updated_at=utcnow(self.clock),
                    )
                )
                return {}
        return dict(json.loads(row.options or "{}"))

    def save_options(self, conversation_id: str, options: dict[str, str]) -> None:
        """Keep the numbered options of the reply just sent."""
        with self.engine.begin() as conn:
            conn.execute(
                sms_contacts.update()
                .where(sms_contacts.c.conversation_id == conversation_id)
                .values(options=json.dumps(options), updated_at=utcnow(self.clock))
            )

    def mark_handled(self, sid: str) -> None:
        """Note that an inbound message has been fully handled."""
        with self.engine.begin() as conn:
            conn.execute(
                sms_inbound.update()
                .where(sms_inbound.c.message_sid == sid)
                .values(handled_at=utcnow(self.clock), pending_from=None, pending_body=None)
            )

    def undelivered(self, message: Undelivered) -> None:
        """A safety reply could not be delivered: tell staff, at the highest priority."""
        raise_undelivered_alert(
            self.engine,
            self.settings,
            conversation_id=message.conversation_id,
            now=utcnow(),
        )

    def send_safety(self, sid: str, conversation_id: str, number: str, bodies: list[str]) -> None:
        """Queue the safety net's reply: attempted even to a number that sent STOP."""
        taken = self.queue.enqueue(
            [
                Outgoing(
                    f"{SAFETY_KEY_PREFIX}{sid}:{part}",
                    conversation_id,
                    number,
                    body,
                    urgent=True,
                )
                for part, body in enumerate(bodies)
            ]
        )
        if taken:
            self.delivery.wake.set()

    def send(self, sid: str, conversation_id: str, number: str, bodies: list[str]) -> None:
        """Queue the replies to one inbound message (each part once, whatever happens)."""
        waiting = self.queue.enqueue(
            [
                Outgoing(
                    f"reply:{sid}:{part}", conversation_id, number, body, after_previous=part > 0
                )
                for part, body in enumerate(bodies)
            ]
        )
        if waiting:
            self.delivery.wake.set()

    async def handle(
        self,
        on_new_message: Callable[..., Awaitable[Any]],
        number: str,
        body: str,
        sid: str,
        conversation_id: str,
        parse: Parse | None = None,
        opt_out: str | None = None,
    ) -> None:
        """Handle one new inbound SMS, after Twilio has had its answer.

        The safety net goes first, outside the limit on messages handled at once, so a
        crisis text never waits behind other conversations.
        """
        self.in_hand.add(sid)
        try:
            verdict = await self.safety_first(number, body, sid, conversation_id)
            async with self.handling:
                await self._handle(
                    on_new_message, number, body, sid, conversation_id, parse, verdict, opt_out
                )
        except Exception:
            logger.exception("Handling an inbound SMS failed")
        finally:
            self.in_hand.discard(sid)

    async def safety_first(self, number: str, body: str, sid: str, conversation_id: str) -> Verdict:
        """:func:`bot.channels.safety_first.safety_first` for one text."""
        part = 0

        async def send(messages: list[dict[str, Any]]) -> None:
            nonlocal part
            bodies = [formatting.to_gsm7(str(m["text"])) for m in messages if m.get("text")]
            await asyncio.to_thread(
                self.send_safety, f"{sid}:{part}", conversation_id, number, bodies
            )
            part += 1

        try:
            return await safety_first(
                text=body,
                conversation_id=conversation_id,
                channel="sms",
                send=send,
                settings=self.settings,
                engine=self.engine,
                message_id=sid,
            )
        except Exception:
            logger.exception("The safety net's first look at an SMS failed")
            return NO_RISK

    async def _handle(
        self,
        on_new_message: Callable[..., Awaitable[Any]],
        number: str,
        body: str,
        sid: str,
        conversation_id: str,
        parse: Parse | None,
        verdict: Verdict = NO_RISK,
        opt_out: str | None = None,
    ) -> None:
        options = await asyncio.to_thread(self.remember_contact, conversation_id, number)
        action = keyword_action(body, opt_out, keyword_mode(self.settings))
        # Twilio answered its own keywords already: record what it did, say nothing more.
        ours = action is not None and not action.answered_by_twilio
        if action is not None and action.keyword is Keyword.STOP:
            if ours:
                await asyncio.to_thread(self.send, sid, conversation_id, number, [STOP_REPLY])
            await asyncio.to_thread(self.queue.opt_out, number)
        elif action is not None and action.keyword is Keyword.START:
            await asyncio.to_thread(self.queue.opt_in, number)
            if ours:
                await asyncio.to_thread(self.send, sid, conversation_id, number, [START_REPLY])
        elif action is not None and action.keyword is Keyword.HELP:
            if ours:
                await asyncio.to_thread(self.send, sid, conversation_id, number, [HELP_REPLY])
        elif is_got_it(body) and await asyncio.to_thread(
            acknowledge, self.engine, number, utcnow(self.clock)
        ):
            await asyncio.to_thread(self.send, sid, conversation_id, number, [THANKS])
        else:
            person = await asyncio.to_thread(link_sms_sender, self.engine, conversation_id, number)
            # Their date of birth, when it was asked for: checked here, never sent to the bot.
            checked = None
            if person is not None:
                checked = await asyncio.to_thread(
                    sms_check.answer, self.engine, conversation_id, body, utcnow(self.clock)
                )
            first: list[str] = []
            if checked is not None:
                first = [checked.reply]
                if checked.care_leaver_id is not None and checked.outcome is Outcome.LOCKED:
                    await asyncio.to_thread(
                        sms_check.tell_staff_of_lock,
                        self.engine,
                        self.settings,
                        conversation_id,
                        checked.care_leaver_id,
                    )
                if checked.outcome is not Outcome.CHECKED or not checked.pending_text:
                    await asyncio.to_thread(self.send, sid, conversation_id, number, first)
                    await alerted(conversation_id, sid)
                    await asyncio.to_thread(self.mark_handled, sid)
                    return
                # Checked: now the question they asked before, with their own details.
                text = neutralise(checked.pending_text, offered_payloads())
            else:
                # A numbered option is the payload of a button we sent; typed "/..." is words.
                text = formatting.option_payload(body, options) or neutralise(
                    body, offered_payloads()
                )
            await precompute(text)
            if await held_for_handoff(self.engine, conversation_id, text, parse, verdict):
                if first:
                    await asyncio.to_thread(self.send, sid, conversation_id, number, first)
                await asyncio.to_thread(self.mark_handled, sid)
                return
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, collector, conversation_id, input_channel="sms"),
                answered=verdict,
            )
            bodies, new_options = formatting.sms_turn(collector.messages, first)
            await asyncio.to_thread(self.save_options, conversation_id, new_options)
            if bodies:
                await asyncio.to_thread(self.send, sid, conversation_id, number, bodies)
        # Handled means every reply is queued, the safety net's "who was told" included.
        await alerted(conversation_id, sid)
        await asyncio.to_thread(self.mark_handled, sid)
