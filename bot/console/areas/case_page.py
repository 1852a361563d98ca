"""One case's page and what staff do to it: acknowledge, reply, close, note, reassign, reopen.

The changes are made by :mod:`bot.cases` (which refuses a change the case's state does
not allow: the second of two people acting at once is told what happened); each one,
and each refusal, is written to the audit log. Registered by
:func:`bot.console.areas.cases.blueprint`.
"""

from __future__ import annotations

from sanic import Request
from sanic.response import HTTPResponse, redirect

from bot.cases import service
from bot.cases.calendar import OfficeCalendar
from bot.cases.conversation import notify_staff, staff_time
from bot.cases.model import Actor, Case, NotFoundError, TransitionError
from bot.console import caseload
from bot.console.areas.case_replies import DELIVERY, deliver
from bot.console.areas.case_shared import MAX_TEXT, forbidden, history_rows, utc_now
from bot.console.areas.pages import form_text
from bot.console.web import audit_action, console, error_page, render


def _case_or_error(request: Request, reference: str) -> Case | HTTPResponse:
    """The case ``reference`` if the person may see it, else a 404 or 403 page."""
    try:
        case = service.get_case(console(request).db, reference)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no case with that reference.")
    if not caseload.may_see_case(request.ctx.person, case):
        return forbidden(request, f"case:{case.reference}")
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
    now = utc_now(request)
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
        history=history_rows(request, service.case_history(state.db, fresh.id)),
        created_at=fresh.created_at,
        acknowledge_due=fresh.acknowledge_due,
        answer_due=fresh.answer_due,
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
    now = utc_now(request)
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
        return forbidden(request, f"case:{found.reference}")
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
    now = utc_now(request)
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
        return forbidden(request, f"case:{found.reference}")
    errors: dict[str, str] = {}
    reason = _reason(request, "reopen_reason", errors, "Say why the case is being reopened")
    if errors:
        return _case_page(request, found, status=400, errors=errors, kept={"reopen_reason": reason})
    try:
        case = service.reopen(
            state.db,
            found.id,
            actor=Actor.staff(request.ctx.person.staff_id),
            now=utc_now(request),
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
