"""One handoff's page: the conversation, a reply to the young person, returning it to the bot.

A reply carries the form's one-time key, so a second press sends it once
(:func:`bot.cases.handoffs.record_reply_once`); it is delivered by
:func:`bot.console.areas.case_replies.deliver`. Registered by
:func:`bot.console.areas.cases.blueprint`.
"""

from __future__ import annotations

import secrets

from sanic import Request
from sanic.response import HTTPResponse, redirect

from bot import linear_re
from bot.cases import handoffs
from bot.cases.model import Actor, Handoff, NotFoundError, TransitionError
from bot.console import caseload
from bot.console.areas.case_replies import DELIVERY, deliver
from bot.console.areas.case_shared import MAX_TEXT, forbidden, history_rows, utc_now
from bot.console.areas.pages import form_text
from bot.console.web import audit_action, console, error_page, render

_REPLY_KEY = r"[0-9a-f]{32}"


def _reply_key(request: Request) -> str | None:
    """The reply form's one-time key (see :func:`bot.cases.handoffs.record_reply_once`)."""
    value = (request.form.get("reply_key") or "").strip() if request.form else ""
    return value if linear_re.compile(_REPLY_KEY).fullmatch(value) else None


def _handoff_or_error(request: Request, handoff_id: int) -> Handoff | HTTPResponse:
    """The handoff if the person may see it, else a 404 or 403 page."""
    try:
        handoff = caseload.get_handoff(console(request).db, handoff_id)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no such handoff.")
    if not caseload.may_see_handoff(request.ctx.person, handoff):
        return forbidden(request, f"handoff:{handoff_id}")
    return handoff


def _handoff_page(
    request: Request,
    handoff: Handoff,
    *,
    status: int = 200,
    error: str | None = None,
    kept: str = "",
) -> HTTPResponse:
    """The handoff page as it is now (the conversation, history, reply form)."""
    state = console(request)
    fresh = caseload.get_handoff(state.db, handoff.id)
    events = handoffs.handoff_history(state.db, fresh.id)
    names = caseload.staff_names(state.db, (fresh.adviser_id,))
    return render(
        request,
        "handoff.html",
        status=status,
        title=f"Handoff {fresh.id}",
        handoff=fresh,
        name=caseload.young_person_name(state.db, fresh.care_leaver_id),
        adviser=names.get(fresh.adviser_id or 0, ""),
        started_at=fresh.started_at,
        ended_at=fresh.ended_at,
        conversation=history_rows(request, caseload.messages_and_replies(events)),
        history=history_rows(request, events),
        error=error,
        kept=kept,
        done=request.args.get("done", ""),
        sent=DELIVERY.get(request.args.get("sent", ""), ""),
        web_chat=fresh.channel == "web",
        max_text=MAX_TEXT,
        reply_key=secrets.token_hex(16),
    )


def handoff_page(request: Request, handoff_id: int) -> HTTPResponse:
    """``GET /handoffs/<id>``: a conversation handed to staff (``handoff.view`` audited)."""
    found = _handoff_or_error(request, handoff_id)
    if isinstance(found, HTTPResponse):
        return found
    audit_action(request, "handoff.view", f"handoff:{handoff_id}")
    return _handoff_page(request, found)


def handoff_reply(request: Request, handoff_id: int) -> HTTPResponse:
    """``POST /handoffs/<id>/reply``: record the reply once (by its key) and deliver it."""
    state = console(request)
    found = _handoff_or_error(request, handoff_id)
    if isinstance(found, HTTPResponse):
        return found
    words = form_text(request, "reply")
    if not words or len(words) > MAX_TEXT:
        problem = (
            "Write the reply first" if not words else (f"Keep it to {MAX_TEXT} characters or fewer")
        )
        return _handoff_page(request, found, status=400, error=problem, kept=words)
    staff_id = request.ctx.person.staff_id
    key = _reply_key(request)
    try:
        recorded = handoffs.record_reply_once(
            state.db, handoff_id, staff_id=staff_id, now=utc_now(request), text=words, key=key
        )
    except TransitionError:
        audit_action(request, "handoff.reply_refused", f"handoff:{handoff_id}", "handed back")
        return _handoff_page(
            request,
            found,
            status=409,
            error="Not sent: this conversation has been handed back to the bot.",
            kept=words,
        )
    handoff = recorded.handoff
    if key is None:
        key = str(caseload.last_reply_event_id(state.db, handoff_id, staff_id))
    # Delivered again on a repeated post too: the dedupe key makes that a no-op, and
    # it covers a first post whose delivery failed after the reply was recorded.
    code = deliver(
        request,
        handoff.channel,
        handoff.conversation_id,
        words,
        f"handoff-reply:{handoff_id}:{key}",
    )
    if recorded.new:
        audit_action(request, "handoff.reply", f"handoff:{handoff_id}")
    return redirect(f"/handoffs/{handoff_id}?done=reply&sent={code}", status=303)


def handoff_return(request: Request, handoff_id: int) -> HTTPResponse:
    """``POST /handoffs/<id>/return``: hand the conversation back to the bot."""
    state = console(request)
    found = _handoff_or_error(request, handoff_id)
    if isinstance(found, HTTPResponse):
        return found
    try:
        handoffs.return_to_bot(
            state.db,
            handoff_id,
            actor=Actor.staff(request.ctx.person.staff_id),
            now=utc_now(request),
        )
    except TransitionError:
        return _handoff_page(
            request,
            found,
            status=409,
            error="Not done: this conversation was already handed back to the bot.",
        )
    audit_action(request, "handoff.return", f"handoff:{handoff_id}")
    return redirect(f"/handoffs/{handoff_id}?done=return", status=303)
