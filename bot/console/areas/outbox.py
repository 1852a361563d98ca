"""The SMS outbox: texts queued for young people and staff, newest first, by district.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console import outbox
from bot.console.areas.pages import add_page, page_count, page_number
from bot.console.roles import OUTBOX_ROLES
from bot.console.web import console, render

PER_PAGE = 50
ROLES = sorted(OUTBOX_ROLES)
"""Admins (every text) and team managers (their district's)."""


def outbox_page(request: Request) -> HTTPResponse:
    """``GET /outbox``: a page of texts, newest first."""
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
        pages=page_count(total, PER_PAGE),
        total=total,
        demo_mode=state.settings.demo_mode,
        every_district=outbox.sees_every_district(person),
        district=person.district,
    )


def blueprint() -> Blueprint:
    """The outbox area: ``/outbox`` (admins: every text; team managers: their district's)."""
    bp = Blueprint("outbox")
    add_page(bp, "/outbox", outbox_page, roles=ROLES, audit_as="outbox.view")
    return bp
