"""The home page: what the signed-in person can do, by role."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console.roles import ROLES
from bot.console.web import AREA_DESCRIPTIONS, console, render, requires


def blueprint() -> Blueprint:
    """The home area: ``/``."""
    bp = Blueprint("home")

    @bp.get("/")
    @requires()
    async def home(request: Request) -> HTTPResponse:
        person = request.ctx.person
        return render(
            request,
            "home.html",
            title="Home",
            roles=[r for r in ROLES if r in person.roles],
            area_descriptions=AREA_DESCRIPTIONS,
            demo_mode=console(request).settings.demo_mode,
        )

    return bp
