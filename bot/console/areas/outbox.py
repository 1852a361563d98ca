"""The SMS outbox: texts queued for young people and staff, newest first, by district."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console import outbox
from bot.console.roles import OUTBOX_ROLES
from bot.console.web import console, page_number, render, requires

PER_PAGE = 50


def blueprint() -> Blueprint:
    """The outbox area: ``/outbox`` (admins: every text; team managers: their district's)."""
    bp = Blueprint("outbox")

    @bp.get("/outbox")
    @requires(*sorted(OUTBOX_ROLES), audit_as="outbox.view")
    async def outbox_page(request: Request) -> HTTPResponse:
        state = console(request)
        person = request.ctx.person
        number = page_number(request)
        with state.db.connect() as conn:
            total = outbox.count(conn, person)
            messages = outbox.page(conn, person, number, PER_PAGE)
        return render(
            request,
            "outbox.html",
            title="Outbox",
            messages=messages,
            page=number,
            pages=max(1, -(-total // PER_PAGE)),
            total=total,
            demo_mode=state.settings.demo_mode,
            every_district=outbox.sees_every_district(person),
            district=person.district,
        )

    return bp
