"""The audit log, newest first (admins only).

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console.areas.pages import add_page, page_count, page_number
from bot.console.roles import ADMIN
from bot.console.web import console, render
from bot.store import audit

PER_PAGE = 50
ADMINS = (ADMIN,)


def audit_page(request: Request) -> HTTPResponse:
    """``GET /audit``: a page of the audit log, newest first."""
    number = page_number(request)
    with console(request).db.connect() as conn:
        total = audit.count(conn)
        entries = audit.page(conn, number, PER_PAGE)
    return render(
        request,
        "audit.html",
        title="Audit log",
        entries=entries,
        page=number,
        pages=page_count(total, PER_PAGE),
        total=total,
    )


def blueprint() -> Blueprint:
    """The audit area: ``/audit``."""
    bp = Blueprint("audit")
    add_page(bp, "/audit", audit_page, roles=ADMINS, audit_as="audit.view")
    return bp
