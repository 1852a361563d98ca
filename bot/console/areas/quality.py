"""Quality assurance: the week's sample of conversations, read, graded and flagged.

Routes (team managers and admins, :data:`bot.console.roles.QUALITY_ROLES`):

- ``GET /quality``: the last week that has ended;
- ``GET /quality/<week>``: that week's sample per district, with what is reviewed;
- ``POST /quality/<week>/draw``: draw the week's sample (once; it is kept);
- ``GET /quality/sample/<id>``: a conversation's transcript and the grading form;
- ``POST /quality/sample/<id>/review``: save the grade, tags and note;
- ``POST /quality/sample/<id>/flag``: turn a young person's message into an
  unanswered question for content staff.

Personal details are masked unless the reviewer is an admin or the team manager of
the conversation's district (:func:`bot.reports.quality.sees_unmasked`), and every
use is in the audit log: which sample was read, and whether masked.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot import linear_re
from bot.console.areas.pages import add_page
from bot.console.roles import QUALITY_ROLES
from bot.console.sessions import Person
from bot.console.web import audit_action, console, error_page, render
from bot.reports.quality import (
    GRADES,
    MAX_NOTE,
    NOT_ON_RECORD,
    TAGS,
    QualityError,
    Sample,
    draw_sample,
    flag_unanswered,
    get_sample,
    save_review,
    sees_unmasked,
    transcript,
    week_sample,
)
from bot.reports.weeks import Week, WeekError

_LABEL = r"[0-9]{4}-W[0-9]{2}"


def _week(label: str) -> Week | None:
    """The week ``label`` names (``2027-W19``), or None."""
    if not linear_re.compile(_LABEL).fullmatch(label):
        return None
    try:
        return Week.parse(label)
    except WeekError:
        return None


def _person(request: Request) -> Person:
    """Who is signed in."""
    person: Person = request.ctx.person
    return person


def _groups(samples: list[Sample], districts: tuple[str, ...]) -> list[tuple[str, list[Sample]]]:
    """The sample by district, in the council's order, then those not on record."""
    names = [*districts, *sorted({s.district for s in samples if s.district} - set(districts))]
    groups = [(name, [s for s in samples if s.district == name]) for name in names]
    groups.append((NOT_ON_RECORD, [s for s in samples if s.district is None]))
    return groups


def _review_page(
    request: Request,
    sample: Sample,
    *,
    status: int = 200,
    error: str = "",
    field: str = "",
    kept: dict[str, Any] | None = None,
    done: str = "",
) -> HTTPResponse:
    """A sampled conversation's transcript (masked unless the reviewer may see it) and form."""
    state = console(request)
    person = _person(request)
    unmasked = sees_unmasked(person.roles, person.district, sample)
    lines = transcript(state.db, sample, timezone=state.settings.timezone, masked=not unmasked)
    values = kept or {"grade": sample.grade or "", "tags": sample.tags, "note": sample.note}
    return render(
        request,
        "quality_review.html",
        status=status,
        title=f"Review a conversation ({sample.group}, {sample.week.label})",
        sample=sample,
        lines=lines,
        unmasked=unmasked,
        grades=GRADES,
        tags=TAGS,
        values=values,
        error=error,
        field=field,
        done=done,
        max_note=MAX_NOTE,
    )


ROLES = sorted(QUALITY_ROLES)
"""Who may use every page of the area."""


def latest(request: Request) -> HTTPResponse:
    """``GET /quality``: to the last week that has ended."""
    state = console(request)
    week = Week.last_ended(state.clock(), state.settings.timezone)
    return redirect(f"/quality/{week.label}")


def week_page(request: Request, label: str) -> HTTPResponse:
    """``GET /quality/<week>``: the week's sample per district (audited as ``qa.week``)."""
    week = _week(label)
    state = console(request)
    if week is None or week.monday > state.clock().date():
        return error_page(
            request,
            404,
            "No such week",
            "Weeks are written like 2027-W19 (the year, W and the week number).",
        )
    samples = week_sample(state.db, week)
    return render(
        request,
        "quality.html",
        title=f"Quality reviews {week.label}",
        week=week,
        ended=week.has_ended(state.clock(), state.settings.timezone),
        drawn=samples is not None,
        groups=_groups(samples or [], state.settings.districts),
        per_district=state.settings.qa_sample_per_district,
        grade_names=dict(GRADES),
        previous_label=week.previous().label,
    )


def draw(request: Request, label: str) -> HTTPResponse:
    """``POST /quality/<week>/draw``: draw the week's sample (once; it is kept)."""
    week = _week(label)
    state = console(request)
    if week is None:
        return error_page(request, 404, "No such week", "Weeks are written like 2027-W19.")
    try:
        samples = draw_sample(
            state.db,
            week,
            per_district=state.settings.qa_sample_per_district,
            timezone=state.settings.timezone,
            now=state.clock(),
        )
    except QualityError as problem:
        return error_page(request, 400, "The sample cannot be drawn yet", str(problem).capitalize())
    audit_action(request, "qa.draw", f"week:{week.label}", f"{len(samples)} conversations")
    return redirect(f"/quality/{week.label}", status=303)


def _sample_or_404(request: Request, sample_id: int) -> Sample | HTTPResponse:
    """Sampled conversation ``sample_id``, or a 404 page."""
    sample: Sample | None = get_sample(console(request).db, sample_id)
    if sample is None:
        return error_page(request, 404, "No such conversation", "It is not in any week's sample.")
    return sample


def review(request: Request, sample_id: int) -> HTTPResponse:
    """``GET /quality/sample/<id>``: read and grade it (audited, masked or not)."""
    sample = _sample_or_404(request, sample_id)
    if not isinstance(sample, Sample):
        return sample
    person = _person(request)
    unmasked = sees_unmasked(person.roles, person.district, sample)
    audit_action(request, "qa.read", f"sample:{sample.id}", "unmasked" if unmasked else "masked")
    done = request.args.get("done", "")
    return _review_page(request, sample, done=done if done in ("review", "flag", "safety") else "")


def grade(request: Request, sample_id: int) -> HTTPResponse:
    """``POST /quality/sample/<id>/review``: save the grade, tags and note."""
    sample = _sample_or_404(request, sample_id)
    if not isinstance(sample, Sample):
        return sample
    form = request.form or {}
    chosen = form.get("grade") or ""
    tags = form.getlist("tags") if hasattr(form, "getlist") else []
    note = form.get("note") or ""
    state = console(request)
    try:
        saved = save_review(
            state.db,
            sample.id,
            grade=chosen,
            tags=tags or [],
            note=note,
            reviewer_id=_person(request).staff_id,
            now=state.clock(),
        )
    except QualityError as problem:
        message = str(problem)
        field = (
            "grade-outstanding"
            if "grade" in message
            else ("note" if "note" in message else "tag-wrong_answer")
        )
        return _review_page(
            request,
            sample,
            status=400,
            error=message[:1].upper() + message[1:] + ".",
            field=field,
            kept={"grade": chosen, "tags": tuple(tags or ()), "note": note},
        )
    detail = f"grade {saved.grade}; tags {', '.join(saved.tags) or 'none'}"
    audit_action(request, "qa.grade", f"sample:{sample.id}", detail)
    return redirect(f"/quality/sample/{sample.id}?done=review", status=303)


def flag(request: Request, sample_id: int) -> HTTPResponse:
    """``POST /quality/sample/<id>/flag``: a message becomes an unanswered question."""
    sample = _sample_or_404(request, sample_id)
    if not isinstance(sample, Sample):
        return sample
    raw = (request.form or {}).get("event_id") or ""
    state = console(request)
    if not raw.isdigit() or len(raw) > 12:
        return _review_page(
            request,
            sample,
            status=400,
            error="Pick one of the young person's messages in this conversation.",
        )
    try:
        question = flag_unanswered(
            state.db,
            sample,
            int(raw),
            staff_id=_person(request).staff_id,
            timezone=state.settings.timezone,
            now=state.clock(),
        )
    except QualityError as problem:
        message = str(problem)
        return _review_page(
            request, sample, status=400, error=message[:1].upper() + message[1:] + "."
        )
    audit_action(request, "qa.flag", f"sample:{sample.id}", f"unanswered question {question}")
    return redirect(f"/quality/sample/{sample.id}?done=flag", status=303)


def blueprint() -> Blueprint:
    """The quality assurance area."""
    bp = Blueprint("quality")
    add_page(bp, "/quality", latest, roles=ROLES)
    add_page(bp, "/quality/<label:str>", week_page, roles=ROLES, audit_as="qa.week")
    add_page(bp, "/quality/<label:str>/draw", draw, roles=ROLES, methods=["POST"])
    add_page(bp, "/quality/sample/<sample_id:int>", review, roles=ROLES)
    add_page(bp, "/quality/sample/<sample_id:int>/review", grade, roles=ROLES, methods=["POST"])
    add_page(bp, "/quality/sample/<sample_id:int>/flag", flag, roles=ROLES, methods=["POST"])
    return bp
