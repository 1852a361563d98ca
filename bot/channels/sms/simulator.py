"""The SMS simulator (demo mode only): text the bot as any number, read the outbox.

``/webhooks/twilio/simulator`` shows a form and the replies the bot queued for the
chosen number. Sending signs the message exactly as Twilio would, with demo mode's
local token, and posts it to the real webhook, so the whole path is exercised. With
a Twilio account configured the routes answer 404: nothing can be sent from here.
"""

from __future__ import annotations

import html
import urllib.parse
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
import sqlalchemy as sa
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.people.phones import is_fake, to_e164
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import care_leavers

if TYPE_CHECKING:
    from bot.channels.sms.service import SmsService

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SMS simulator</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}}
label{{display:block;margin-top:.8rem;font-weight:600}}
input,select,button{{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}}
button{{margin-top:.8rem}}
li{{margin:.5rem 0;padding:.5rem;background:#eef;white-space:pre-wrap}}
</style>
</head><body><main>
<h1>SMS simulator (demo mode)</h1>
<p>Text the bot as a demo number. Replies land in the outbox below (newest first).
Only fake numbers, +447700900000 to +447700900999, can be used.</p>
<form method="post" action="simulator/send">
<label for="number">From</label>
<select id="number" name="number">{options}</select>
<label for="other">Or another number</label>
<input id="other" name="other" inputmode="tel" placeholder="+447700900999">
<label for="body">Message</label>
<input id="body" name="body" required maxlength="1600" autocomplete="off">
<button type="submit">Send</button>
</form>
<h2>Outbox for {shown}</h2>
<ul>{messages}</ul>
<p><a href="simulator?number={quoted}">Refresh</a></p>
</main></body></html>"""


FAKE_ONLY = "The simulator only texts as fake numbers, +447700900000 to +447700900999."


def add_simulator_routes(hook: Blueprint, service: Callable[[], SmsService]) -> None:
    """Add the simulator's page and its send action to the SMS channel's blueprint."""

    @hook.route("/simulator", methods=["GET"])
    async def page(request: Request) -> HTTPResponse:
        svc = service()
        if not svc.settings.demo_mode:
            return response.text("not found", status=404)
        number = to_e164(request.args.get("number", "")) or ""
        if number and not is_fake(number):
            return response.text(FAKE_ONLY, status=400)
        with svc.engine.connect() as conn:
            numbers = [
                (row.mobile, row.preferred_name)
                for row in conn.execute(
                    sa.select(care_leavers.c.mobile, care_leavers.c.preferred_name)
                    .where(care_leavers.c.mobile.isnot(None))
                    .order_by(care_leavers.c.mobile)
                )
                if is_fake(row.mobile)
            ]
            replies = (
                conn.execute(
                    sa.select(sms_outbound.c.body, sms_outbound.c.created_at)
                    .where(sms_outbound.c.to_number == number)
                    .order_by(sms_outbound.c.id.desc())
                    .limit(30)
                ).all()
                if number
                else []
            )
        options = "".join(
            f'<option value="{html.escape(n)}"{" selected" if n == number else ""}>'
            f"{html.escape(n)} ({html.escape(name)})</option>"
            for n, name in numbers
        )
        messages = "".join(f"<li>{html.escape(r.body)}</li>" for r in replies) or "<li>none</li>"
        return response.html(
            PAGE.format(
                options=options,
                shown=html.escape(number or "nobody yet"),
                messages=messages,
                quoted=urllib.parse.quote(number),
            )
        )

    @hook.route("/simulator/send", methods=["POST"])
    async def send(request: Request) -> HTTPResponse:
        svc = service()
        if not svc.settings.demo_mode:
            return response.text("not found", status=404)
        number = to_e164((request.form.get("other") or request.form.get("number") or "").strip())
        if number is None or not is_fake(number):
            return response.text(FAKE_ONLY, status=400)
        body = request.form.get("body") or ""
        form = {
            "MessageSid": f"SMsim{uuid.uuid4().hex}",
            "From": number,
            "To": "+447700900000",
            "Body": body,
        }
        webhook = "/webhooks/twilio/webhook"
        signed_url = svc.settings.public_base_url.rstrip("/") + webhook
        signature = RequestValidator(svc.settings.signing_token()).compute_signature(
            signed_url, form
        )
        local = f"http://127.0.0.1:{request.server_port}{webhook}"
        async with (
            aiohttp.ClientSession() as session,
            session.post(local, data=form, headers={"X-Twilio-Signature": signature}) as reply,
        ):
            if reply.status != 200:
                return response.text(await reply.text(), status=reply.status)
        return response.redirect(f"../simulator?number={urllib.parse.quote(number)}")
