"""The weekly report: figures per district against the week before, 12-week charts, CSV, PDF.

Routes (team managers and admins):

- ``GET /reports``: the last week that has ended (or ``?week=2027-W19``);
- ``GET /reports/<week>``: that week, ``?scope=North`` for one district;
- ``GET /reports/<week>/report.csv`` and ``.../report.pdf``: the same figures to download;
- ``GET /reports/<week>/chart/<figure>.svg``: a 12-week chart (whole council).

An ended week is counted once and kept, so its page, CSV and PDF never change.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw, redirect

from bot import linear_re
from bot.console.areas.pages import add_page
from bot.console.roles import REPORT_ROLES
from bot.console.web import console, error_page, render
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
    """The published entries' titles by id."""
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
    """The week ``label`` names (``2027-W19``), or None."""
    if not linear_re.compile(_LABEL).fullmatch(label):
        return None
    try:
        return Week.parse(label)
    except WeekError:
        return None


def _report(request: Request, week: Week) -> WeeklyReport:
    """The week's report (counted once an ended week is first asked for, then kept)."""
    state = console(request)
    return weekly_report(state.db, state.settings, week, state.clock())


def _bad_week(request: Request) -> HTTPResponse:
    """A 404 page: not a week."""
    return error_page(
        request,
        404,
        "No such week",
        "Weeks are written like 2027-W19 (the year, W and the week number).",
    )


def _download(body: bytes, content_type: str, filename: str) -> HTTPResponse:
    """``body`` as a file to save."""
    return raw(
        body,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


ROLES = sorted(REPORT_ROLES)
"""Who may use every page of the area."""


def latest(request: Request) -> HTTPResponse:
    """``GET /reports``: to the last week that has ended, or ``?week=``."""
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


def report_page(request: Request, label: str) -> HTTPResponse:
    """``GET /reports/<week>``: the week's figures, ``?scope=`` a district."""
    week = _week(label)
    if week is None:
        return _bad_week(request)
    state = console(request)
    if week.monday > state.clock().date():
        return error_page(request, 404, "That week has not started", "Pick an earlier week.")
    report = _report(request, week)
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
        trends=[(field, label, trend_series(report, field, COUNCIL)) for field, label in TRENDS],
        previous_label=week.previous().label,
        next_label=None if not report.final else Week(week.monday + dt.timedelta(7)).label,
    )


def chart(request: Request, label: str, field: str) -> HTTPResponse:
    """``GET /reports/<week>/chart/<figure>.svg``: a 12-week chart."""
    week = _week(label)
    trends = dict(TRENDS)
    name = field.removesuffix(".svg")
    if week is None or not field.endswith(".svg") or name not in trends:
        return _bad_week(request)
    report = _report(request, week)
    picture = line_chart(trends[name], trend_series(report, name))
    return raw(picture, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


def _export(request: Request, label: str, kind: str) -> HTTPResponse:
    """The week's report as a CSV or PDF file."""
    week = _week(label)
    if week is None:
        return _bad_week(request)
    state = console(request)
    report = _report(request, week)
    titles = _titles(request)
    if kind == "csv":
        body = report_csv(report, titles).encode("utf-8-sig")
        return _download(body, "text/csv; charset=utf-8", f"weekly-report-{label}.csv")
    council = state.settings.council_name or "Leaving care service"
    body = report_pdf(report, titles, council)
    return _download(body, "application/pdf", f"weekly-report-{label}.pdf")


def as_csv(request: Request, label: str) -> HTTPResponse:
    """``GET /reports/<week>/report.csv``."""
    return _export(request, label, "csv")


def as_pdf(request: Request, label: str) -> HTTPResponse:
    """``GET /reports/<week>/report.pdf``."""
    return _export(request, label, "pdf")


def blueprint() -> Blueprint:
    """The reports area."""
    bp = Blueprint("reports")
    add_page(bp, "/reports", latest, roles=ROLES)
    add_page(bp, "/reports/<label:str>", report_page, roles=ROLES, audit_as="report.view")
    add_page(bp, "/reports/<label:str>/chart/<field:str>", chart, roles=ROLES)
    add_page(bp, "/reports/<label:str>/report.csv", as_csv, roles=ROLES, audit_as="report.download")
    add_page(bp, "/reports/<label:str>/report.pdf", as_pdf, roles=ROLES, audit_as="report.download")
    return bp
