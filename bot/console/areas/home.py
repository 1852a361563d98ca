"""The home page: what the signed-in person can do, by role.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console.areas.pages import add_page
from bot.console.roles import ROLES
from bot.console.web import AREA_DESCRIPTIONS, console, render


def home(request: Request) -> HTTPResponse:
    """``GET /``: the person's roles and what each area of the menu is for."""
    person = request.ctx.person
    return render(
        request,
        "home.html",
        title="Home",
        roles=[r for r in ROLES if r in person.roles],
        area_descriptions=AREA_DESCRIPTIONS,
        demo_mode=console(request).settings.demo_mode,
    )


def blueprint() -> Blueprint:
    """The home area: ``/``."""
    bp = Blueprint("home")
    add_page(bp, "/", home)
    return bp
