"""The SMS outbox: texts queued for young people and staff, newest first."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console import outbox
from bot.console.roles import OUTBOX_ROLES
from bot.console.web import console, page_number, render, requires

PER_PAGE = 50


def blueprint() -> Blueprint:
    """The outbox area: ``/outbox`` (admins and team managers)."""
    bp = Blueprint("outbox")

    @bp.get("/outbox")
    @requires(*sorted(OUTBOX_ROLES), audit_as="outbox.view")
    async def outbox_page(request: Request) -> HTTPResponse:
        state = console(request)
        number = page_number(request)
        with state.db.connect() as conn:
            total = outbox.count(conn)
            messages = outbox.page(conn, number, PER_PAGE)
        return render(
            request,
            "outbox.html",
            title="Outbox",
            messages=messages,
            page=number,
            pages=max(1, -(-total // PER_PAGE)),
            total=total,
            demo_mode=state.settings.demo_mode,
        )

    return bp
