"""The SMS channel at ``/webhooks/twilio/webhook``, in place of Rasa's own Twilio channel.

For each request Twilio sends:

0. a body larger than any form Twilio sends (``MAX_FORM_BYTES``) is refused with 413
   before it is parsed (the Rasa server reads no body over 64 KB at all:
   :mod:`bot.channels.body_limit`);
1. the ``X-Twilio-Signature`` is checked with twilio's ``RequestValidator`` against
   ``PUBLIC_BASE_URL`` + the path; missing or wrong: 403, and nothing is recorded;
2. the form is checked (From, Body, MessageSid, their sizes): a plain 400 otherwise;
3. the MessageSid is recorded once (a unique key in the database, shared by every
   worker): a repeat delivery is answered 200 and not handled again;
4. Twilio gets an empty TwiML answer at once (if the database cannot be reached, a
   TwiML reply with the holding message and crisis numbers instead; if that message
   also shows risk, the safety net's reply instead); the message
   (kept with its MessageSid until handled, so another server takes it over if this
   one dies: :meth:`SmsService.claim_unhandled`) is handled afterwards,
   on the event loop: first the safety net (:mod:`bot.channels.safety_first`: any risk
   is answered at once, even to a number that sent STOP, and staff are told if that
   reply cannot be delivered), then STOP / START / HELP (recorded; answered only when
   Twilio has not answered them itself: :mod:`bot.channels.sms.keywords`, which reads
   the webhook's ``OptOutType``), GOT IT from a care leaver with an entitlements pack
   waiting for it (:func:`bot.packs.service.acknowledge`), the date of birth when a
   number on record was asked for it (:mod:`bot.people.sms_check`: checked here, never
   sent to the bot; once right, the question they asked before is answered), a
   numbered option ("2"), or the bot;
5. the bot's replies are written for SMS (GSM-7, one message of up to 1,600
   characters that Twilio cuts into segments, buttons as numbered options; a longer
   reply's parts are sent each after the one before) and queued in the one SMS sender
   (:mod:`bot.notify.sms`), which Twilio's async client delivers (or the outbox
   keeps, in demo mode).

The conversation id is a keyed hash of the number (``sms-...``); a number on record
links the conversation to that care leaver (:mod:`bot.people.identity`).
``/webhooks/twilio/status`` records Twilio's delivery reports (signed too). In demo
mode ``/webhooks/twilio/simulator`` lets a tester text the bot as a demo number.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import inspect
import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from twilio.request_validator import RequestValidator

from bot.channels.handoff import Parse, held_for_handoff, parser_of
from bot.channels.payloads import neutralise, offered_payloads
from bot.channels.safety_first import alerted, reply_text, safety_first
from bot.channels.sms import formatting
from bot.channels.sms.keywords import Keyword, KeywordMode, is_got_it, keyword_action
from bot.clock import SYSTEM_CLOCK, Clock, naive_utcnow, utcnow
from bot.db.availability import database_outages, is_unavailable
from bot.db.engine import create_db_engine
from bot.notify.sms import SAFETY_KEY_PREFIX, Outgoing, SmsQueue, TwilioDelivery, Undelivered
from bot.packs.service import THANKS, acknowledge
from bot.people import sms_check
from bot.people.identity import link_sms_sender, sms_conversation_id
from bot.people.phones import to_e164
from bot.people.sms_check import Outcome
from bot.rasa_plugins.handling import HOLDING_RESPONSE, fixed_text, handle
from bot.rasa_plugins.sentence_features import precompute
from bot.safety.alerting import raise_undelivered_alert
from bot.safety.screen import NO_RISK, Verdict, check_now
from bot.settings import Settings, get_settings
from bot.store.tables.sms import sms_contacts, sms_inbound

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY = 1600
MAX_FIELD = 64
# The largest form the webhooks parse: Twilio's for a 1,600-character text is under 20 KB
# even when every character is an emoji (12 bytes each once URL-encoded).
MAX_FORM_BYTES = 32 * 1024
FORM_TOO_BIG = f"the form is too big: at most {MAX_FORM_BYTES // 1024} KB"
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


def holding_twiml(text: str) -> str:
    """TwiML that makes Twilio send ``text`` as the reply (used when nothing can be queued)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
        f"{xml_escape(text)}</Message></Response>"
    )


class RequestProblem(ValueError):
    """A request the webhook refuses, with a plain reason and an HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def parse_inbound(form: dict[str, str]) -> tuple[str, str, str]:
    """Check an inbound SMS's fields; return its sender (E.164), body and MessageSid.

    Raises:
        RequestProblem: A field is missing, too long or not valid (says which).
    """
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From", "")
    if "Body" not in form:
        raise RequestProblem(400, "Body is missing")
    body = form["Body"]
    if not sid:
        raise RequestProblem(400, "MessageSid is missing")
    if len(sid) > MAX_FIELD:
        raise RequestProblem(400, "MessageSid is too long")
    if not sender:
        raise RequestProblem(400, "From is missing")
    if len(sender) > MAX_FIELD:
        raise RequestProblem(400, "From is too long")
    if len(body) > MAX_BODY:
        raise RequestProblem(413, f"Body is too long: at most {MAX_BODY} characters")
    number = to_e164(sender)
    if number is None:
        raise RequestProblem(400, "From is not a valid phone number")
    return number, body, sid


def opt_out_type(form: dict[str, str]) -> str | None:
    """The webhook's ``OptOutType`` (Advanced Opt-Out: ``STOP``, ``START`` or ``HELP``).

    Twilio sends it only for a Messaging Service with Advanced Opt-Out, when the text was
    one of the service's keywords (and Twilio has answered it). Anything else is None.
    """
    value = (form.get("OptOutType") or "").strip().upper()
    return value if value in ("STOP", "START", "HELP") else None


def keyword_mode(settings: Settings) -> KeywordMode:
    """Who answers STOP, START and HELP: nobody but us (demo), or Twilio (see keywords)."""
    if settings.demo_mode:
        return KeywordMode.DEMO
    if settings.twilio_messaging_service_sid:
        return KeywordMode.MESSAGING_SERVICE
    return KeywordMode.NUMBER


def form_too_big(request: Request) -> bool:
    """True if the request's body is larger than any form Twilio sends (checked unparsed)."""
    return len(request.body or b"") > MAX_FORM_BYTES


def signed_fields(request: Request) -> dict[str, str]:
    """The form's fields as Twilio signs them: each name's first value, blank ones kept.

    Sanic's ``request.form`` drops blank fields, but Twilio sends (and signs) them, e.g.
    ``FromCity=`` for UK numbers. Twilio posts only URL-encoded forms; anything else has
    no fields (and so no valid signature).
    """
    if (request.content_type or "").split(";")[0].strip().lower() != (
        "application/x-www-form-urlencoded"
    ):
        return {}
    fields: dict[str, str] = {}
    text = request.body.decode("utf-8", errors="replace")
    for name, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        fields.setdefault(name, value)
    return fields


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
        """:meth:`first_time` on the webhook's own thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.intake, self.first_time, sid, conversation_id, number, body
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
        now = naive_utcnow(self.clock)
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
                        updated_at=naive_utcnow(self.clock),
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
                .values(options=json.dumps(options), updated_at=naive_utcnow(self.clock))
            )

    def mark_handled(self, sid: str) -> None:
        """Note that an inbound message has been fully handled."""
        with self.engine.begin() as conn:
            conn.execute(
                sms_inbound.update()
                .where(sms_inbound.c.message_sid == sid)
                .values(handled_at=naive_utcnow(self.clock), pending_from=None, pending_body=None)
            )

    def undelivered(self, message: Undelivered) -> None:
        """A safety reply could not be delivered: tell staff, at the highest priority."""
        raise_undelivered_alert(
            self.engine,
            self.settings,
            conversation_id=message.conversation_id,
            now=dt.datetime.now(dt.timezone.utc),
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
            acknowledge, self.engine, number, naive_utcnow(self.clock)
        ):
            await asyncio.to_thread(self.send, sid, conversation_id, number, [THANKS])
        else:
            person = await asyncio.to_thread(link_sms_sender, self.engine, conversation_id, number)
            # Their date of birth, when it was asked for: checked here, never sent to the bot.
            checked = None
            if person is not None:
                checked = await asyncio.to_thread(
                    sms_check.answer, self.engine, conversation_id, body, naive_utcnow(self.clock)
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
            texts = [m["text"] for m in collector.messages if m.get("text")]
            buttons = next(
                (
                    [(b["title"], b["payload"]) for b in m["buttons"]]
                    for m in reversed(collector.messages)
                    if m.get("buttons")
                ),
                [],
            )
            bodies, new_options = formatting.compose_reply([*first, *texts], buttons)
            await asyncio.to_thread(self.save_options, conversation_id, new_options)
            if bodies:
                await asyncio.to_thread(self.send, sid, conversation_id, number, bodies)
        # Handled means every reply is queued, the safety net's "who was told" included.
        await alerted(conversation_id, sid)
        await asyncio.to_thread(self.mark_handled, sid)


class TwilioSmsChannel(InputChannel):  # type: ignore[misc]
    """Twilio's SMS webhook, signed, exactly once, answered at once, replies sent after."""

    @classmethod
    def name(cls) -> str:
        """The channel's name: its URLs start ``/webhooks/twilio/``."""
        return "twilio"

    def __init__(self, service: SmsService | None = None) -> None:
        self._service = service

    def service(self) -> SmsService:
        """The channel's service, created on first use from the environment's settings."""
        if self._service is None:
            self._service = SmsService(get_settings())
        return self._service

    async def _recover(self, app: Any, stop: asyncio.Event) -> None:
        """Handle inbound messages a server took on but never finished (it died, say)."""
        service = self.service()
        every = max(1.0, service.settings.sms_recovery_seconds / 4)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
                return
            except asyncio.TimeoutError:
                pass
            try:
                if service.in_hand:
                    await asyncio.to_thread(
                        service.renew_claims, list(service.in_hand), naive_utcnow(service.clock)
                    )
                claimed = await asyncio.to_thread(
                    service.claim_unhandled, naive_utcnow(service.clock)
                )
            except SQLAlchemyError as error:
                if not is_unavailable(error):
                    logger.exception("Looking for unhandled inbound SMS failed")
                continue
            for sid, conversation_id, number, body in claimed:
                logger.warning("Taking over an inbound SMS another server did not finish")
                deliver = functools.partial(handle, app, message_id=sid, ready_wait=60.0)
                task = asyncio.create_task(
                    service.handle(deliver, number, body, sid, conversation_id, parser_of(app))
                )
                service.tasks.add(task)
                task.add_done_callback(service.tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook, the status callback, and (demo mode) the simulator."""
        module = inspect.getmodule(self)
        hook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )
        stop = asyncio.Event()

        @hook.listener("after_server_start")
        async def _start_delivery(app: Any, _loop: Any) -> None:
            service = self.service()
            if not service.settings.demo_mode:
                app.add_task(service.delivery.run(stop))
            app.add_task(self._recover(app, stop))

        @hook.listener("before_server_stop")
        async def _stop_delivery(_app: Any, _loop: Any) -> None:
            stop.set()
            if self._service is not None:
                self._service.intake.shutdown(wait=False)
            if self._service is not None and self._service.tasks:
                await asyncio.wait(set(self._service.tasks), timeout=10)

        @hook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            service = self.service()
            if form_too_big(request):
                return response.text(FORM_TOO_BIG, status=413)
            form = signed_fields(request)
            if not service.signed(request, form):
                return response.text("signature missing or not valid", status=403)
            try:
                number, body, sid = parse_inbound(form)
            except RequestProblem as problem:
                return response.text(str(problem), status=problem.status)
            conversation_id = sms_conversation_id(number, service.settings.conversation_key())
            try:
                first_time = await service.record_arrival(sid, conversation_id, number, body)
            except SQLAlchemyError as error:
                if not is_unavailable(error):
                    raise
                # Nothing can be recorded or queued: Twilio sends the holding reply (with
                # the crisis numbers) itself, from this answer.
                database_outages().failed(error)
                agent = getattr(request.app.ctx, "agent", None)
                holding = fixed_text(agent, HOLDING_RESPONSE) if agent else HELP_REPLY
                verdict = await asyncio.to_thread(check_now, body)
                if verdict.needs_alert:
                    # Nobody can be told from here: the words go in the server's log as
                    # an alert for the operators, the young person gets the signposting.
                    logger.error("ALERT: a text showing risk came while the database was down")
                    holding = reply_text(verdict, service.settings, None, utcnow(service.clock))
                return response.text(holding_twiml(holding), content_type="text/xml")
            if first_time:
                parse = parser_of(request.app)
                deliver = functools.partial(handle, request.app, message_id=sid, ready_wait=60.0)
                task = asyncio.create_task(
                    service.handle(
                        deliver, number, body, sid, conversation_id, parse, opt_out_type(form)
                    )
                )
                service.tasks.add(task)
                task.add_done_callback(service.tasks.discard)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @hook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            service = self.service()
            if form_too_big(request):
                return response.text(FORM_TOO_BIG, status=413)
            form = signed_fields(request)
            if not service.signed(request, form):
                return response.text("signature missing or not valid", status=403)
            sid = form.get("MessageSid") or ""
            state = form.get("MessageStatus") or ""
            if not sid or not state or len(sid) > MAX_FIELD or len(state) > 32:
                return response.text("MessageSid and MessageStatus are needed", status=400)
            undelivered = await asyncio.to_thread(
                service.queue.record_report, sid, state, form.get("ErrorCode")
            )
            if undelivered is not None:
                await asyncio.to_thread(service.undelivered, undelivered)
            return response.text("", status=204)

        from bot.channels.sms.simulator import add_simulator_routes

        add_simulator_routes(hook, self.service)
        return hook
