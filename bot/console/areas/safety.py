"""The safety review: staff mark what the safety net missed or got wrong; approvers teach it.

Routes:

- ``POST /alerts/<id>/false-alarm`` (:data:`~bot.console.roles.SAFETY_MARK_ROLES` who may
  see the alert): the alert's message was a false alarm;
- ``POST /quality/sample/<id>/safety`` (quality reviewers): a young person's message in
  the sample was a missed risk (or a false alarm);
- ``GET /safety/review`` (:data:`~bot.console.roles.SAFETY_REVIEW_ROLES`): the marks
  waiting, oldest first, each with its words to take personal details out of;
- ``POST /safety/review/<id>``: approve it into the phrase bank with a label, or reject it.

What is marked and decided is in the audit log (never the words). The Rasa servers pick
an approved phrase up within seconds (:func:`bot.safety.semantic.keep_up_with_approved`).

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot.cases.model import NotFoundError
from bot.console import caseload
from bot.console.areas.pages import add_page
from bot.console.roles import QUALITY_ROLES, SAFETY_MARK_ROLES, SAFETY_REVIEW_ROLES
from bot.console.web import audit_action, console, error_page, render
from bot.reports.quality import YOUNG_PERSON, get_sample, transcript
from bot.safety import review
from bot.safety.categories import CATEGORIES, DESCRIPTIONS
from bot.store.tables.safety import safety_events

LABEL_NAMES: dict[str, str] = {
    **{c: DESCRIPTIONS[c].capitalize() for c in CATEGORIES},
    "possible": "Possible risk: distress without a clear statement of risk (the check-in)",
    "none": "No risk (a false alarm)",
}


def _event_text(engine: Any, event_id: int | None) -> tuple[str, str] | None:
    """The conversation and words of safety event ``event_id`` (None if not kept)."""
    if event_id is None:
        return None
    import sqlalchemy as sa

    with engine.connect() as conn:
        row = conn.execute(
            sa.select(safety_events.c.conversation_id, safety_events.c.message_text).where(
                safety_events.c.id == event_id
            )
        ).first()
    return (row.conversation_id, row.message_text) if row else None


def _review_page(request: Request, *, status: int = 200, error: str = "") -> HTTPResponse:
    """The review queue: the marks waiting, oldest first, with an error if one is given."""
    state = console(request)
    marks = review.waiting(state.db)
    return render(
        request,
        "safety_review.html",
        status=status,
        title="Safety review",
        marks=marks,
        mark_names=review.MARKS,
        labels=list(LABEL_NAMES.items()),
        defaults={m.id: _default_label(m) for m in marks},
        error=error,
        done=request.args.get("done", ""),
        me=request.ctx.person.staff_id,
    )


def _default_label(mark: review.Mark) -> str:
    """The label a mark's form starts with."""
    if mark.mark == review.FALSE_ALARM:
        return "none"
    return mark.category or "possible"


def false_alarm(request: Request, alert_id: int) -> HTTPResponse:
    """``POST /alerts/<id>/false-alarm``: the alert's message was a false alarm."""
    state = console(request)
    person = request.ctx.person
    try:
        alert = caseload.get_alert(state.db, alert_id)
    except NotFoundError:
        return error_page(request, 404, "Page not found", "There is no such safety alert.")
    if not caseload.may_see_alert(person, alert):
        return error_page(request, 404, "Page not found", "There is no such safety alert.")
    found = _event_text(state.db, alert.safety_event_id)
    if found is None or not found[1]:
        return error_page(
            request, 409, "Nothing to review", "This alert's message is no longer kept."
        )
    mark = review.mark_message(
        state.db,
        conversation_id=found[0],
        text=found[1],
        mark=review.FALSE_ALARM,
        marked_by=person.staff_id,
        now=state.clock(),
        source="alert",
    )
    audit_action(request, "safety.mark", f"alert:{alert_id}", f"false alarm, mark {mark.id}")
    return redirect(f"/alerts/{alert_id}?done=false_alarm", status=303)


def missed(request: Request, sample_id: int) -> HTTPResponse:
    """``POST /quality/sample/<id>/safety``: a young person's message was a missed risk."""
    state = console(request)
    form = request.form or {}
    raw = form.get("event_id") or ""
    which = form.get("mark") or review.MISSED_RISK
    category = form.get("category") or ""
    sample = get_sample(state.db, sample_id)
    if sample is None:
        return error_page(request, 404, "No such conversation", "It is not in any sample.")
    if not raw.isdigit() or len(raw) > 12 or which not in review.MARKS:
        return error_page(
            request, 400, "Not marked", "Pick one of the young person's messages, and a mark."
        )
    lines = transcript(state.db, sample, timezone=state.settings.timezone, masked=False)
    line = next((x for x in lines if x.event_id == int(raw)), None)
    if line is None or line.speaker != YOUNG_PERSON:
        return error_page(request, 400, "Not marked", "Pick one of the young person's messages.")
    try:
        mark = review.mark_message(
            state.db,
            conversation_id=sample.conversation_id,
            text=line.text,
            mark=which,
            category=category or None,
            marked_by=request.ctx.person.staff_id,
            now=state.clock(),
            source="quality",
        )
    except review.ReviewError as problem:
        return error_page(request, 400, "Not marked", str(problem).capitalize() + ".")
    audit_action(request, "safety.mark", f"sample:{sample_id}", f"{which}, mark {mark.id}")
    return redirect(f"/quality/sample/{sample_id}?done=safety", status=303)


def queue(request: Request) -> HTTPResponse:
    """``GET /safety/review``: the marks waiting."""
    return _review_page(request)


def decide(request: Request, mark_id: int) -> HTTPResponse:
    """``POST /safety/review/<id>``: approve a mark into the phrase bank, or reject it."""
    state = console(request)
    form = request.form or {}
    decision = form.get("decision") or ""
    if decision not in ("approve", "reject"):
        return _review_page(request, status=400, error="Choose approve or reject.")
    try:
        mark = review.decide(
            state.db,
            mark_id,
            approve=decision == "approve",
            decided_by=request.ctx.person.staff_id,
            now=state.clock(),
            label=form.get("label") or "",
            text=form.get("text") or "",
        )
    except review.ReviewError as problem:
        message = str(problem)
        return _review_page(request, status=400, error=message[:1].upper() + message[1:] + ".")
    detail = f"{mark.status}" + (f" as {mark.label}" if mark.label else "")
    audit_action(request, "safety.decide", f"safety_mark:{mark_id}", detail)
    return redirect(f"/safety/review?done={mark.status}", status=303)


MARK_ROLES = sorted(SAFETY_MARK_ROLES & set(caseload.ALERT_ROLES))
"""Who may mark an alert a false alarm: those who may mark and may see alerts."""
REVIEW_ROLES = sorted(SAFETY_REVIEW_ROLES)


def blueprint() -> Blueprint:
    """The safety review area."""
    bp = Blueprint("safety")
    add_page(
        bp, "/alerts/<alert_id:int>/false-alarm", false_alarm, roles=MARK_ROLES, methods=["POST"]
    )
    add_page(
        bp,
        "/quality/sample/<sample_id:int>/safety",
        missed,
        roles=sorted(QUALITY_ROLES),
        methods=["POST"],
    )
    add_page(bp, "/safety/review", queue, roles=REVIEW_ROLES, audit_as="safety.review_read")
    add_page(bp, "/safety/review/<mark_id:int>", decide, roles=REVIEW_ROLES, methods=["POST"])
    return bp
