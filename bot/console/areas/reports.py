"""The weekly report: figures per district against the week before, 12-week charts, CSV, PDF.

Routes (team managers and admins):

- ``GET /reports``: the last week that has ended (or ``?week=2027-W19``);
- ``GET /reports/<week>``: that week, ``?scope=North`` for one district;
- ``GET /reports/<week>/report.csv`` and ``.../report.pdf``: the same figures to download;
- ``GET /reports/<week>/chart/<figure>.svg``: a 12-week chart (whole council).

An ended week is counted once and kept, so its page, CSV and PDF never change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools

import sqlalchemy as sa
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw, redirect

from bot import linear_re
from bot.console.roles import REPORT_ROLES
from bot.console.web import console, error_page, render, requires
from bot.reports.charts import line_chart
from bot.reports.export import extra_rows, report_csv, report_pdf, scope_name, week_words
from bot.reports.figures import COUNCIL
from bot.reports.presentation import TRENDS, report_rows, scopes_of, trend_series
from bot.reports.weekly import WeeklyReport, weekly_report
from bot.reports.weeks import Week, WeekError
from bot.store.tables.people import care_leavers
from entitlements.store import read_published

_LABEL = r"[0-9]{4}-W[0-9]{2}"


def _titles(request: Request) -> dict[str, str]:
    _, entries = read_published(console(request).db)
    return {entry.id: entry.title for entry in entries}


def _names(request: Request, ids: list[int]) -> list[tuple[int, str]]:
    """(id, "Name (reference)") of these care leavers, for the list of who has no pack."""
    if not ids:
        return []
    with console(request).db.connect() as conn:
        rows = conn.execute(
            sa.select(care_leavers.c.id, care_leavers.c.preferred_name, care_leavers.c.external_ref)
            .where(care_leavers.c.id.in_(ids[:500]))
            .order_by(care_leavers.c.preferred_name, care_leavers.c.id)
        ).all()
    return [(row.id, f"{row.preferred_name} ({row.external_ref})") for row in rows]


def _week(label: str) -> Week | None:
    if not linear_re.compile(_LABEL).fullmatch(label):
        return None
    try:
        return Week.parse(label)
    except WeekError:
        return None


async def _report(request: Request, week: Week) -> WeeklyReport:
    state = console(request)
    make = functools.partial(weekly_report, state.db, state.settings, week, state.clock())
    return await asyncio.get_running_loop().run_in_executor(None, make)


def _bad_week(request: Request) -> HTTPResponse:
    return error_page(
        request,
        404,
        "No such week",
        "Weeks are written like 2027-W19 (the year, W and the week number).",
    )


def _download(body: bytes, content_type: str, filename: str) -> HTTPResponse:
    return raw(
        body,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def blueprint() -> Blueprint:
    """The reports area."""
    bp = Blueprint("reports")
    roles = sorted(REPORT_ROLES)

    @bp.get("/reports")
    @requires(*roles)
    async def latest(request: Request) -> HTTPResponse:
        state = console(request)
        asked = request.args.get("week")
        if asked:
            try:
                week = Week.parse(asked)
            except WeekError as error:
                return error_page(request, 400, "That is not a week", str(error).capitalize())
        else:
            week = Week.last_ended(state.clock(), state.settings.timezone)
        return redirect(f"/reports/{week.label}")

    @bp.get("/reports/<label:str>")
    @requires(*roles, audit_as="report.view")
    async def report_page(request: Request, label: str) -> HTTPResponse:
        week = _week(label)
        if week is None:
            return _bad_week(request)
        state = console(request)
        if week.monday > state.clock().date():
            return error_page(request, 404, "That week has not started", "Pick an earlier week.")
        report = await _report(request, week)
        scope = request.args.get("scope", COUNCIL)
        if scope not in report.figures:
            return error_page(
                request,
                400,
                "No such district",
                f"Choose the whole council or one of: {', '.join(state.settings.districts)}.",
            )
        titles = _titles(request)
        missing = _names(request, report.figures[scope].packs_missing_ids)
        return render(
            request,
            "report.html",
            missing_packs=missing,
            title=f"Weekly report {week.label}",
            report=report,
            week_words=week_words(report),
            scope=scope,
            scope_name=scope_name(scope),
            scopes=[(s, scope_name(s)) for s in scopes_of(report)],
            rows=report_rows(report, scope),
            extras=extra_rows(report, scope, titles),
            trends=[
                (field, label, trend_series(report, field, COUNCIL)) for field, label in TRENDS
            ],
            previous_label=week.previous().label,
            next_label=None if not report.final else Week(week.monday + dt.timedelta(7)).label,
        )

    @bp.get("/reports/<label:str>/chart/<field:str>")
    @requires(*roles)
    async def chart(request: Request, label: str, field: str) -> HTTPResponse:
        week = _week(label)
        trends = dict(TRENDS)
        name = field.removesuffix(".svg")
        if week is None or not field.endswith(".svg") or name not in trends:
            return _bad_week(request)
        report = await _report(request, week)
        picture = line_chart(trends[name], trend_series(report, name))
        return raw(picture, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    async def _export(request: Request, label: str, kind: str) -> HTTPResponse:
        week = _week(label)
        if week is None:
            return _bad_week(request)
        state = console(request)
        report = await _report(request, week)
        titles = _titles(request)
        if kind == "csv":
            body = report_csv(report, titles).encode("utf-8-sig")
            return _download(body, "text/csv; charset=utf-8", f"weekly-report-{label}.csv")
        council = state.settings.council_name or "Leaving care service"
        make = functools.partial(report_pdf, report, titles, council)
        body = await asyncio.get_running_loop().run_in_executor(None, make)
        return _download(body, "application/pdf", f"weekly-report-{label}.pdf")

    @bp.get("/reports/<label:str>/report.csv")
    @requires(*roles, audit_as="report.download")
    async def as_csv(request: Request, label: str) -> HTTPResponse:
        return await _export(request, label, "csv")

    @bp.get("/reports/<label:str>/report.pdf")
    @requires(*roles, audit_as="report.download")
    async def as_pdf(request: Request, label: str) -> HTTPResponse:
        return await _export(request, label, "pdf")

    return bp
