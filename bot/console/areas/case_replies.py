"""A member of staff's reply, delivered to the young person on their own channel.

:func:`deliver` puts it in the one SMS sender (by SMS) or the web chat's staff
messages (:mod:`bot.channels.web.staff_messages`), and returns a code that
:data:`DELIVERY` says in words on the page.
"""

from __future__ import annotations

from sanic import Request

from bot.channels.web import staff_messages
from bot.channels.web.sessions import CONVERSATION_PREFIX as WEB_PREFIX
from bot.console import caseload
from bot.console.web import console
from bot.notify.sms import Outgoing, SmsQueue

DELIVERY = {
    "outbox": "The reply is in the SMS outbox (demo mode: texts are not sent).",
    "sms": "The reply is queued to be sent to the young person by SMS.",
    "no_number": (
        "No phone number is known for this conversation, so nothing was sent by SMS. "
        "Contact the young person another way."
    ),
    "web": (
        "The reply will show in the young person's web chat: at once if they have it open, "
        "or when they next open it in the same browser tab. If they have closed that tab it "
        "cannot reach them, so if it matters, contact them another way too."
    ),
    "no_chat": (
        "No web chat is known for this conversation, so the reply was not sent. "
        "Contact the young person another way."
    ),
    "other": "Replies on this channel are not delivered: contact the young person another way.",
}
"""What happened to a reply, in words, by the code :func:`deliver` returns."""


def deliver(
    request: Request, channel: str, conversation_id: str | None, text: str, key: str
) -> str:
    """Send ``text`` to the young person on their channel; a :data:`DELIVERY` code."""
    state = console(request)
    if channel == "web":
        if not conversation_id or not conversation_id.startswith(WEB_PREFIX):
            return "no_chat"
        staff_messages.enqueue(
            state.db,
            conversation_id=conversation_id,
            text=text,
            staff_id=request.ctx.person.staff_id,
            dedupe_key=key,
            now=state.clock(),
        )
        return "web"
    if channel != "sms":
        return "other"
    number = caseload.sms_number(state.db, conversation_id)
    if number is None:
        return "no_number"
    SmsQueue(state.db, state.settings, clock=state.clock).enqueue(
        [
            Outgoing(
                dedupe_key=key, conversation_id=conversation_id or "", to_number=number, body=text
            )
        ]
    )
    return "outbox" if state.settings.demo_mode else "sms"
