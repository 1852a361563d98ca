"""Twilio's webhook requests: their size, their signed fields, their checks, and TwiML.

Pure functions on one request (no database): :func:`form_too_big` before parsing,
:func:`signed_fields` as Twilio signs them, :func:`parse_inbound` for an inbound
text's fields (a :class:`RequestProblem` with a plain reason and status otherwise),
and the TwiML answers Twilio gets. The routes are :mod:`bot.channels.sms.channel`.
"""

from __future__ import annotations

import urllib.parse
from xml.sax.saxutils import escape as xml_escape

from sanic.request import Request

from bot.people.phones import to_e164

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY = 1600
MAX_FIELD = 64
# The largest form the webhooks parse: Twilio's for a 1,600-character text is under 20 KB
# even when every character is an emoji (12 bytes each once URL-encoded).
MAX_FORM_BYTES = 32 * 1024
FORM_TOO_BIG = f"the form is too big: at most {MAX_FORM_BYTES // 1024} KB"


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
