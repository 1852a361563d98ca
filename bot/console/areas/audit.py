"""The audit log, newest first (admins only)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console import audit
from bot.console.roles import ADMIN
from bot.console.web import console, page_number, render, requires

PER_PAGE = 50


def blueprint() -> Blueprint:
    """The audit area: ``/audit``."""
    bp = Blueprint("audit")

    @bp.get("/audit")
    @requires(ADMIN, audit_as="audit.view")
    async def audit_page(request: Request) -> HTTPResponse:
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
            pages=max(1, -(-total // PER_PAGE)),
            total=total,
        )

    return bp
