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
"""

from __future__ import annotations

import asyncio
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot import linear_re
from bot.console.roles import QUALITY_ROLES
from bot.console.sessions import Person
from bot.console.web import audit_action, console, error_page, render, requires
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
    if not linear_re.compile(_LABEL).fullmatch(label):
        return None
    try:
        return Week.parse(label)
    except WeekError:
        return None


def _person(request: Request) -> Person:
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


def blueprint() -> Blueprint:
    """The quality assurance area."""
    bp = Blueprint("quality")
    roles = sorted(QUALITY_ROLES)

    @bp.get("/quality")
    @requires(*roles)
    async def latest(request: Request) -> HTTPResponse:
        state = console(request)
        week = Week.last_ended(state.clock(), state.settings.timezone)
        return redirect(f"/quality/{week.label}")

    @bp.get("/quality/<label:str>")
    @requires(*roles, audit_as="qa.week")
    async def week_page(request: Request, label: str) -> HTTPResponse:
        week = _week(label)
        state = console(request)
        if week is None or week.monday > state.clock().date():
            return error_page(
                request,
                404,
                "No such week",
                "Weeks are written like 2027-W19 (the year, W and the week number).",
            )
        samples = await asyncio.to_thread(week_sample, state.db, week)
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

    @bp.post("/quality/<label:str>/draw")
    @requires(*roles)
    async def draw(request: Request, label: str) -> HTTPResponse:
        week = _week(label)
        state = console(request)
        if week is None:
            return error_page(request, 404, "No such week", "Weeks are written like 2027-W19.")
        try:
            samples = await asyncio.to_thread(
                draw_sample,
                state.db,
                week,
                per_district=state.settings.qa_sample_per_district,
                timezone=state.settings.timezone,
                now=state.clock(),
            )
        except QualityError as problem:
            return error_page(
                request, 400, "The sample cannot be drawn yet", str(problem).capitalize()
            )
        audit_action(request, "qa.draw", f"week:{week.label}", f"{len(samples)} conversations")
        return redirect(f"/quality/{week.label}", status=303)

    async def _sample_or_404(request: Request, sample_id: int) -> Sample | HTTPResponse:
        sample: Sample | None = await asyncio.to_thread(get_sample, console(request).db, sample_id)
        if sample is None:
            return error_page(
                request, 404, "No such conversation", "It is not in any week's sample."
            )
        return sample

    @bp.get("/quality/sample/<sample_id:int>")
    @requires(*roles)
    async def review(request: Request, sample_id: int) -> HTTPResponse:
        sample = await _sample_or_404(request, sample_id)
        if not isinstance(sample, Sample):
            return sample
        person = _person(request)
        unmasked = sees_unmasked(person.roles, person.district, sample)
        audit_action(
            request, "qa.read", f"sample:{sample.id}", "unmasked" if unmasked else "masked"
        )
        done = request.args.get("done", "")
        return _review_page(
            request, sample, done=done if done in ("review", "flag", "safety") else ""
        )

    @bp.post("/quality/sample/<sample_id:int>/review")
    @requires(*roles)
    async def grade(request: Request, sample_id: int) -> HTTPResponse:
        sample = await _sample_or_404(request, sample_id)
        if not isinstance(sample, Sample):
            return sample
        form = request.form or {}
        chosen = form.get("grade") or ""
        tags = form.getlist("tags") if hasattr(form, "getlist") else []
        note = form.get("note") or ""
        state = console(request)
        try:
            saved = await asyncio.to_thread(
                save_review,
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

    @bp.post("/quality/sample/<sample_id:int>/flag")
    @requires(*roles)
    async def flag(request: Request, sample_id: int) -> HTTPResponse:
        sample = await _sample_or_404(request, sample_id)
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
            question = await asyncio.to_thread(
                flag_unanswered,
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

    return bp
