"""The cases area: the inbox, a case, a safety alert, a handoff, and the manager view.

Who may see what is decided in :mod:`bot.console.caseload`; the changes are made by
:mod:`bot.cases` (which refuses a change the case's state does not allow, so two
people acting at once cannot both succeed: the second is told what happened). Every
change, and every refusal to show someone else's case, is written to the audit log
(with references and ids, never a young person's details).

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot import linear_re
from bot.cases import alerts, handoffs, service
from bot.cases.calendar import OfficeCalendar
from bot.cases.conversation import notify_staff, staff_time
from bot.cases.model import (
    Actor,
    Case,
    Event,
    Handoff,
    NotFoundError,
    SafetyAlert,
    TransitionError,
)
from bot.channels.web import staff_messages
from bot.channels.web.sessions import CONVERSATION_PREFIX as WEB_PREFIX
from bot.console import caseload
from bot.console.areas.pages import add_page, form_text
from bot.console.web import audit_action, console, error_page, render
from bot.notify.sms import Outgoing, SmsQueue

MAX_TEXT = 1600
"""Longest reply or note the forms take (ten SMS parts)."""

NOT_YOURS = "This is not in your caseload. If you need it for your work, ask your team manager."


def _now(request: Request) -> dt.datetime:
    """Now, timezone-aware UTC, by the console's clock."""
    return caseload.aware(console(request).clock())


def _forbidden(request: Request, target: str) -> HTTPResponse:
    """A 403 page for something outside the person's caseload, and ``forbidden`` audited."""
    audit_action(
        request, "forbidden", f"{request.method} {request.path}"[:255], f"not theirs: {target}"
    )
    return error_page(request, 403, "You cannot use this page", NOT_YOURS)


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


_REPLY_KEY = r"[0-9a-f]{32}"


def _reply_key(request: Request) -> str | None:
    """The reply form's one-time key (see :func:`bot.cases.handoffs.record_reply_once`)."""
    value = (request.form.get("reply_key") or "").strip() if request.form else ""
    return value if linear_re.compile(_REPLY_KEY).fullmatch(value) else None


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


def _to_nobody(detail: Mapping[str, Any]) -> str:
    """Who has an item reassigned to no PA: the team manager (a move), else another PA."""
    if "to_adviser_id" in detail and detail["to_adviser_id"] is None:
        return "the team manager"
    return "another adviser"


def _history_rows(request: Request, events: list[Event]) -> list[dict[str, Any]]:
    """A case's, alert's or handoff's events as the history table shows them (who, what)."""
    names = caseload.staff_names(console(request).db, (e.actor.staff_id for e in events))
    rows = []
    for event in events:
        if event.actor.kind == "staff" and event.actor.staff_id is not None:
            who = names.get(event.actor.staff_id, f"staff {event.actor.staff_id}")
        elif event.actor.kind == "young_person":
            who = "The young person"
        else:
            who = "The service"
        detail = event.detail
        words = str(detail.get("text") or detail.get("note") or detail.get("reason") or "")
        extra = ""
        if event.action == "reassigned":
            extra = (
                f"from {detail.get('from_adviser') or 'the team manager'} "
                f"to {detail.get('to_adviser') or _to_nobody(detail)}"
            )
            if detail.get("to_district"):
                extra += f" ({detail.get('from_district')} to {detail['to_district']})"
        elif event.action == "escalated" and detail.get("team_manager"):
            extra = f"to {detail['team_manager']}"
        elif event.action == "escalated":
            extra = "no team manager on record"
        rows.append(
            {
                "at": caseload.naive(event.at),
                "who": who,
                "action": event.action,
                "words": words,
                "extra": extra,
            }
        )
    return rows


# ---- inbox -----------------------------------------------------------------------------


def inbox_page(request: Request) -> HTTPResponse:
    """``GET /inbox``: the person's cases, alerts and handoffs, filtered and paged."""
    state = console(request)
    now = _now(request)
    person = request.ctx.person
    districts = caseload.manager_districts(state.db, person)
    args = {name: request.args.get(name, "") for name in request.args}
    chosen, page, errors = caseload.parse_case_filter(args, districts)
    found = caseload.inbox(state.db, person, now, filters=chosen, page=page)
    return render(
        request,
        "inbox.html",
        status=400 if errors else 200,
        title="Your inbox",
        error="; ".join(errors.values()) if errors else None,
        errors=errors,
        inbox=found,
        filters=chosen,
        statuses=caseload.STATUS_FILTERS,
        districts=districts,
        stage_words=caseload.STAGE_WORDS,
        now=caseload.naive(now),
    )


# ---- a case ----------------------------------------------------------------------------


def _case_or_error(request: Request, reference: str) -> Case | HTTPResponse:
    """The case ``reference`` if the person may see it, else a 404 or 403 page."""
    try:
        case = service.get_case(console(request).db, reference)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no case with that reference.")
    if not caseload.may_see_case(request.ctx.person, case):
        return _forbidden(request, f"case:{case.reference}")
    return case


def _case_page(
    request: Request,
    case: Case,
    *,
    status: int = 200,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    done: str | None = None,
    errors: dict[str, str] | None = None,
) -> HTTPResponse:
    """The case page as the case is now, with an error, the form as typed, or what was done."""
    state = console(request)
    now = _now(request)
    fresh = service.get_case(state.db, case.id)
    responsible = service.responsible(state.db, fresh)
    person = request.ctx.person
    can_reassign = caseload.may_reassign(person, fresh) and fresh.status.value != "closed"
    can_reopen = caseload.may_reopen(person, fresh) and fresh.status.value in (
        "answered",
        "closed",
    )
    advisers = (
        [a for a in service.advisers_for(state.db, fresh.district) if a.id != fresh.adviser_id]
        if can_reassign
        else []
    )
    return render(
        request,
        "case.html",
        status=status,
        title=f"Case {fresh.reference}",
        case=fresh,
        row=caseload.case_rows(state.db, [fresh], now)[0],
        stage_words=caseload.STAGE_WORDS,
        responsible=responsible,
        history=_history_rows(request, service.case_history(state.db, fresh.id)),
        created_at=caseload.naive(fresh.created_at),
        acknowledge_due=caseload.naive(fresh.acknowledge_due),
        answer_due=caseload.naive(fresh.answer_due),
        error=error,
        kept=kept or {},
        done=done or request.args.get("done", ""),
        sent=DELIVERY.get(request.args.get("sent", ""), ""),
        max_text=MAX_TEXT,
        errors=errors or {},
        can_reassign=can_reassign,
        can_reopen=can_reopen,
        advisers=advisers,
        max_reason=service.MAX_REASON,
    )


def case_page(request: Request, reference: str) -> HTTPResponse:
    """``GET /cases/<reference>``: a case (``case.view`` audited)."""
    found = _case_or_error(request, reference)
    if isinstance(found, HTTPResponse):
        return found
    audit_action(request, "case.view", f"case:{found.reference}")
    return _case_page(request, found)


def _change_case(request: Request, reference: str, change: str) -> HTTPResponse:
    """Acknowledge, reply to, close or add a note to a case (``change``), then 303 to it."""
    state = console(request)
    found = _case_or_error(request, reference)
    if isinstance(found, HTTPResponse):
        return found
    person = request.ctx.person
    actor = Actor.staff(person.staff_id)
    now = _now(request)
    field = {"reply": "reply", "note": "note", "close": "close_note", "acknowledge": ""}[change]
    words = form_text(request, field) if field else ""
    kept = {field: words} if field else {}
    if change in ("reply", "note") and not words:
        return _case_page(
            request,
            found,
            status=400,
            error=f"Write the {'reply' if change == 'reply' else 'note'} first",
            kept=kept,
        )
    if len(words) > MAX_TEXT:
        return _case_page(
            request,
            found,
            status=400,
            error=f"Keep it to {MAX_TEXT} characters or fewer",
            kept=kept,
        )
    try:
        if change == "acknowledge":
            case = service.acknowledge(state.db, found.id, actor=actor, now=now)
        elif change == "reply":
            case = service.answer(state.db, found.id, actor=actor, now=now, text=words)
        elif change == "close":
            case = service.close(state.db, found.id, actor=actor, now=now, note=words or None)
        else:
            case = service.add_note(state.db, found.id, actor=actor, now=now, text=words)
    except TransitionError as problem:
        audit_action(request, f"case.{change}_refused", f"case:{found.reference}", "state changed")
        return _case_page(
            request,
            found,
            status=409,
            error=f"Not done: {problem}. Someone may have changed it just now; "
            "the page below shows it as it is now.",
            kept=kept,
        )
    audit_action(request, f"case.{change}", f"case:{case.reference}")
    query = f"done={change}"
    if change == "reply":
        code = deliver(
            request,
            case.channel,
            case.conversation_id,
            words,
            f"case-reply:{case.reference}:answered",
        )
        query += f"&sent={code}"
    return redirect(f"/cases/{case.reference}?{query}", status=303)


def case_acknowledge(request: Request, reference: str) -> HTTPResponse:
    """``POST /cases/<reference>/acknowledge``."""
    return _change_case(request, reference, "acknowledge")


def case_reply(request: Request, reference: str) -> HTTPResponse:
    """``POST /cases/<reference>/reply``: the reply is sent on the case's channel."""
    return _change_case(request, reference, "reply")


def case_close(request: Request, reference: str) -> HTTPResponse:
    """``POST /cases/<reference>/close``."""
    return _change_case(request, reference, "close")


def case_note(request: Request, reference: str) -> HTTPResponse:
    """``POST /cases/<reference>/note``."""
    return _change_case(request, reference, "note")


# ---- reassigning and reopening a case ------------------------------------------------------


def _reason(request: Request, field: str, errors: dict[str, str], why: str) -> str:
    """The reason typed in ``field``; a problem put in ``errors`` if missing or too long."""
    words = form_text(request, field)
    if not words:
        errors[field] = why
    elif len(words) > service.MAX_REASON:
        errors[field] = f"Keep the reason to {service.MAX_REASON} characters or fewer"
    return words


def case_reassign(request: Request, reference: str) -> HTTPResponse:
    """``POST /cases/<reference>/reassign``: give the case to another adviser (managers)."""
    state = console(request)
    found = _case_or_error(request, reference)
    if isinstance(found, HTTPResponse):
        return found
    if not caseload.may_reassign(request.ctx.person, found):
        return _forbidden(request, f"case:{found.reference}")
    errors: dict[str, str] = {}
    chosen = form_text(request, "adviser_id")
    if not (chosen.isascii() and chosen.isdigit()) or len(chosen) > 12:
        errors["adviser_id"] = "Choose the personal adviser to give the case to"
    reason = _reason(request, "reassign_reason", errors, "Say why the case is being reassigned")
    seen = form_text(request, "from_adviser")
    if seen != "none" and not (seen.isascii() and seen.isdigit() and len(seen) <= 12):
        errors.setdefault("adviser_id", "This form is out of date: reload the page and try again")
    kept = {"adviser_id": chosen, "reassign_reason": reason}
    if errors:
        return _case_page(request, found, status=400, errors=errors, kept=kept)
    now = _now(request)
    try:
        moved = service.reassign(
            state.db,
            found.id,
            to_adviser_id=int(chosen),
            actor=Actor.staff(request.ctx.person.staff_id),
            now=now,
            reason=reason,
            expected_adviser_id=None if seen == "none" else int(seen),
        )
    except TransitionError as problem:
        audit_action(request, "case.reassign_refused", f"case:{found.reference}", "state changed")
        return _case_page(
            request,
            found,
            status=409,
            error=f"Not done: {problem}. The page below shows the case as it is now.",
        )
    except ValueError as problem:
        message = str(problem)
        return _case_page(
            request,
            found,
            status=400,
            errors={"adviser_id": message[:1].upper() + message[1:]},
            kept=kept,
        )
    was = f"staff:{moved.previous.id}" if moved.previous else "team manager"
    audit_action(
        request,
        "case.reassign",
        f"case:{moved.case.reference}",
        f"{was} -> staff:{moved.adviser.id}",
    )
    calendar = OfficeCalendar.from_settings(state.settings)
    notify_staff(
        state.settings,
        state.db,
        [moved.adviser],
        f"case-reassigned:{moved.case.reference}:{moved.adviser.id}:{now.isoformat()}",
        f"Pathway-plan query {moved.case.reference} ({moved.case.district}) is now yours. "
        f"Please answer by {staff_time(moved.case.answer_due, calendar)} in the console.",
    )
    return redirect(f"/cases/{moved.case.reference}?done=reassign", status=303)


def case_reopen(request: Request, reference: str) -> HTTPResponse:
    """``POST /cases/<reference>/reopen``: reopen an answered or closed case, with a reason."""
    state = console(request)
    found = _case_or_error(request, reference)
    if isinstance(found, HTTPResponse):
        return found
    if not caseload.may_reopen(request.ctx.person, found):
        return _forbidden(request, f"case:{found.reference}")
    errors: dict[str, str] = {}
    reason = _reason(request, "reopen_reason", errors, "Say why the case is being reopened")
    if errors:
        return _case_page(request, found, status=400, errors=errors, kept={"reopen_reason": reason})
    try:
        case = service.reopen(
            state.db,
            found.id,
            actor=Actor.staff(request.ctx.person.staff_id),
            now=_now(request),
            reason=reason,
            settings=state.settings,
        )
    except TransitionError as problem:
        audit_action(request, "case.reopen_refused", f"case:{found.reference}", "state changed")
        return _case_page(
            request,
            found,
            status=409,
            error=f"Not done: {problem}. The page below shows the case as it is now.",
        )
    audit_action(request, "case.reopen", f"case:{case.reference}")
    return redirect(f"/cases/{case.reference}?done=reopen", status=303)


# ---- a safety alert ----------------------------------------------------------------------


def _alert_or_error(request: Request, alert_id: int) -> SafetyAlert | HTTPResponse:
    """The safety alert if the person may see it, else a 404 or 403 page."""
    try:
        alert = caseload.get_alert(console(request).db, alert_id)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no such safety alert.")
    if not caseload.may_see_alert(request.ctx.person, alert):
        return _forbidden(request, f"alert:{alert_id}")
    return alert


def _alert_page(
    request: Request, alert: SafetyAlert, *, status: int = 200, error: str | None = None
) -> HTTPResponse:
    """The alert page as the alert is now, with an error if one is given."""
    state = console(request)
    fresh = caseload.get_alert(state.db, alert.id)
    names = caseload.staff_names(
        state.db, (fresh.acknowledged_by, fresh.escalated_to, fresh.adviser_id)
    )
    return render(
        request,
        "alert.html",
        status=status,
        title=f"Safety alert {fresh.id}",
        alert=fresh,
        name=caseload.young_person_name(state.db, fresh.care_leaver_id),
        names=names,
        raised_at=caseload.naive(fresh.raised_at),
        acknowledged_at=caseload.naive(fresh.acknowledged_at),
        escalated_at=caseload.naive(fresh.escalated_at),
        history=_history_rows(request, alerts.alert_history(state.db, fresh.id)),
        error=error,
        done=request.args.get("done", ""),
    )


def alert_page(request: Request, alert_id: int) -> HTTPResponse:
    """``GET /alerts/<id>``: a safety alert (``alert.view`` audited)."""
    found = _alert_or_error(request, alert_id)
    if isinstance(found, HTTPResponse):
        return found
    audit_action(request, "alert.view", f"alert:{alert_id}")
    return _alert_page(request, found)


def alert_acknowledge(request: Request, alert_id: int) -> HTTPResponse:
    """``POST /alerts/<id>/acknowledge``: the first to acknowledge wins; a second gets 409."""
    state = console(request)
    found = _alert_or_error(request, alert_id)
    if isinstance(found, HTTPResponse):
        return found
    try:
        alerts.acknowledge_alert(
            state.db, alert_id, by=request.ctx.person.staff_id, now=_now(request)
        )
    except TransitionError:
        audit_action(
            request, "alert.acknowledge_refused", f"alert:{alert_id}", "already acknowledged"
        )
        return _alert_page(
            request,
            found,
            status=409,
            error="Not done: someone has already acknowledged this alert. The page below "
            "shows who and when.",
        )
    audit_action(request, "alert.acknowledge", f"alert:{alert_id}")
    return redirect(f"/alerts/{alert_id}?done=acknowledge", status=303)


# ---- a handoff -------------------------------------------------------------------------


def _handoff_or_error(request: Request, handoff_id: int) -> Handoff | HTTPResponse:
    """The handoff if the person may see it, else a 404 or 403 page."""
    try:
        handoff = caseload.get_handoff(console(request).db, handoff_id)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no such handoff.")
    if not caseload.may_see_handoff(request.ctx.person, handoff):
        return _forbidden(request, f"handoff:{handoff_id}")
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
        started_at=caseload.naive(fresh.started_at),
        ended_at=caseload.naive(fresh.ended_at),
        conversation=_history_rows(request, caseload.messages_and_replies(events)),
        history=_history_rows(request, events),
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
            state.db, handoff_id, staff_id=staff_id, now=_now(request), text=words, key=key
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
            now=_now(request),
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


# ---- the manager view ------------------------------------------------------------------


def manager_page(request: Request) -> HTTPResponse:
    """``GET /manager``: per district, overdue cases, unacknowledged alerts, open handoffs."""
    state = console(request)
    now = _now(request)
    sections = []
    for district in caseload.manager_districts(state.db, request.ctx.person):
        late = service.overdue(state.db, now, district)
        shown = late[: caseload.PER_PAGE]
        sections.append(
            {
                "district": district,
                "overdue_total": len(late),
                "overdue_link": "/inbox?"
                + caseload.CaseFilter(overdue=True, district=district).query(),
                "overdue": [
                    (item, row)
                    for item, row in zip(
                        shown,
                        caseload.case_rows(state.db, [i.case for i in shown], now),
                        strict=True,
                    )
                ],
                "alerts": caseload.alert_rows(state.db, alerts.unacknowledged(state.db, district)),
                "handoffs": caseload.handoff_rows(
                    state.db, handoffs.open_handoffs(state.db, district)
                ),
            }
        )
    return render(
        request,
        "manager.html",
        title="Manager view",
        sections=sections,
        stage_words=caseload.STAGE_WORDS,
        now=caseload.naive(now),
    )


def blueprint() -> Blueprint:
    """The cases area: the inbox, cases, alerts, handoffs and the manager view."""
    bp = Blueprint("cases")
    case_roles, manager_roles = caseload.CASE_ROLES, caseload.MANAGER_ROLES
    add_page(bp, "/inbox", inbox_page, roles=caseload.INBOX_ROLES, audit_as="inbox.view")
    add_page(bp, "/cases/<reference:str>", case_page, roles=case_roles)
    for change in (case_acknowledge, case_reply, case_close, case_note):
        path = f"/cases/<reference:str>/{change.__name__.removeprefix('case_')}"
        add_page(bp, path, change, roles=case_roles, methods=["POST"])
    add_page(
        bp, "/cases/<reference:str>/reassign", case_reassign, roles=manager_roles, methods=["POST"]
    )
    add_page(bp, "/cases/<reference:str>/reopen", case_reopen, roles=case_roles, methods=["POST"])
    add_page(bp, "/alerts/<alert_id:int>", alert_page, roles=caseload.ALERT_ROLES)
    add_page(
        bp,
        "/alerts/<alert_id:int>/acknowledge",
        alert_acknowledge,
        roles=caseload.ALERT_ROLES,
        methods=["POST"],
    )
    add_page(bp, "/handoffs/<handoff_id:int>", handoff_page, roles=case_roles)
    add_page(
        bp, "/handoffs/<handoff_id:int>/reply", handoff_reply, roles=case_roles, methods=["POST"]
    )
    add_page(
        bp, "/handoffs/<handoff_id:int>/return", handoff_return, roles=case_roles, methods=["POST"]
    )
    add_page(bp, "/manager", manager_page, roles=manager_roles, audit_as="manager.view")
    return bp
