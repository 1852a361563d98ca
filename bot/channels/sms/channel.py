"""The SMS channel at ``/webhooks/twilio/webhook``, in place of Rasa's own Twilio channel.

For each request Twilio sends:

0. a body larger than any form Twilio sends (``MAX_FORM_BYTES``) is refused with 413
   before it is parsed (the Rasa server reads no body over 64 KB at all:
   :mod:`bot.channels.body_limit`);
1. the ``X-Twilio-Signature`` is checked with twilio's ``RequestValidator`` against
   ``PUBLIC_BASE_URL`` + the path; missing or wrong: 403, and nothing is recorded;
2. the form is checked (From, Body, MessageSid, their sizes): a plain 400 otherwise;
3. the MessageSid is recorded once (a unique key in the database, shared by every
   worker): a repeat delivery is answered 200 and not handled again; a first delivery
   links the conversation to the number's record, if it has one (so the safety net's
   reply and alerts know who it is, even on a first text);
4. Twilio gets an empty TwiML answer at once (if the database cannot be reached, a
   TwiML reply with the holding message and crisis numbers instead; if that message
   also shows risk, the safety net's reply instead); the message
   (kept with its MessageSid until handled, so another server takes it over if this
   one dies: :meth:`~bot.channels.sms.service.SmsService.claim_unhandled`) is handled
   afterwards, on the event loop: first the safety net (:mod:`bot.channels.safety_first`:
   any risk
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

This module holds the routes; the checks of a request (steps 0 to 2, and the TwiML
answers) are :mod:`bot.channels.sms.webhook`, the recording and handling of a text
(steps 3 to 5) :class:`bot.channels.sms.service.SmsService`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.handoff import parser_of
from bot.channels.safety_first import reply_text
from bot.channels.sms.service import HELP_REPLY, SmsService
from bot.channels.sms.webhook import (
    EMPTY_TWIML,
    FORM_TOO_BIG,
    MAX_FIELD,
    RequestProblem,
    form_too_big,
    holding_twiml,
    opt_out_type,
    parse_inbound,
    signed_fields,
)
from bot.clock import utcnow
from bot.db.availability import database_outages, is_unavailable
from bot.people.identity import sms_conversation_id
from bot.rasa_plugins.handling import HOLDING_RESPONSE, fixed_text, handle
from bot.safety.screen import check_now
from bot.settings import get_settings

logger = logging.getLogger(__name__)


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
                        service.renew_claims, list(service.in_hand), utcnow(service.clock)
                    )
                claimed = await asyncio.to_thread(service.claim_unhandled, utcnow(service.clock))
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
