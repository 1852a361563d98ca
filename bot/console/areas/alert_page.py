"""One safety alert's page, and acknowledging it.

Who may see it is decided in :mod:`bot.console.caseload`; acknowledging is
:mod:`bot.cases.alerts`. Registered by :func:`bot.console.areas.cases.blueprint`.
"""

from __future__ import annotations

from sanic import Request
from sanic.response import HTTPResponse, redirect

from bot.cases import alerts
from bot.cases.model import NotFoundError, SafetyAlert, TransitionError
from bot.console import caseload
from bot.console.areas.case_shared import forbidden, history_rows, utc_now
from bot.console.web import audit_action, console, error_page, render


def _alert_or_error(request: Request, alert_id: int) -> SafetyAlert | HTTPResponse:
    """The safety alert if the person may see it, else a 404 or 403 page."""
    try:
        alert = caseload.get_alert(console(request).db, alert_id)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no such safety alert.")
    if not caseload.may_see_alert(request.ctx.person, alert):
        return forbidden(request, f"alert:{alert_id}")
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
        raised_at=fresh.raised_at,
        acknowledged_at=fresh.acknowledged_at,
        escalated_at=fresh.escalated_at,
        history=history_rows(request, alerts.alert_history(state.db, fresh.id)),
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
            state.db, alert_id, by=request.ctx.person.staff_id, now=utc_now(request)
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
