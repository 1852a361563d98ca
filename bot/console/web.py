"""What every console page shares: who is signed in, templates, cookies and the role check."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from sanic import Request
from sanic.response import BaseHTTPResponse, HTTPResponse, html, redirect
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.console.caseload import INBOX_ROLES, MANAGER_ROLES
from bot.console.packs import PACK_ROLES
from bot.console.policy import Policy
from bot.console.roles import (
    ADMIN,
    CONTENT_APPROVER,
    CONTENT_EDITOR,
    OUTBOX_ROLES,
    QUALITY_ROLES,
    REPORT_ROLES,
    ROLE_NAMES,
    SAFETY_REVIEW_ROLES,
)
from bot.console.sessions import Person
from bot.console.signin import address_hash
from bot.settings import Settings
from bot.store import audit

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
GOVUK_PREFIX = "govuk_frontend_jinja"
"""Where templates find GOV.UK Frontend's macros (the package's own name, as its macros expect)."""

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[HTTPResponse]])
Params = ParamSpec("Params")
Result = TypeVar("Result")


async def off_loop(
    fn: Callable[Params, Result], /, *args: Params.args, **kwargs: Params.kwargs
) -> Result:
    """Run blocking ``fn(*args, **kwargs)`` (a database call, a page) in a worker thread.

    The event loop goes on serving other staff while it runs: one slow query stalls
    only the request that made it. The threads are asyncio's default executor (a
    bounded pool, ``min(32, cpus + 4)`` threads); a request waits for a free one when
    all are busy. The context (Sanic's current request) goes with the call.
    """
    return await asyncio.to_thread(fn, *args, **kwargs)


@dataclasses.dataclass
class Console:
    """The console's state, kept on ``app.ctx.console``.

    Attributes:
        settings: The service's settings.
        policy: Session and throttling numbers.
        key: The key of CSRF tokens and address hashes.
        secure: True when staff reach the console over https (cookies are Secure).
        templates: The Jinja2 environment.
        clock: Now, as naive UTC (tests may replace it).
        engine: The database; opened when the server starts unless one was given.

    """

    settings: Settings
    policy: Policy
    key: bytes
    secure: bool
    templates: jinja2.Environment
    clock: Callable[[], dt.datetime]
    engine: Engine | None = None

    @property
    def session_cookie(self) -> str:
        """The session cookie's name (``__Host-`` prefixed over https)."""
        return "__Host-console_session" if self.secure else "console_session"

    @property
    def seed_cookie(self) -> str:
        """The pre-sign-in CSRF cookie's name."""
        return "__Host-console_csrf" if self.secure else "console_csrf"

    @property
    def db(self) -> Engine:
        """The engine (raises if the server has not started)."""
        if self.engine is None:
            raise RuntimeError("the console's database is not open yet")
        return self.engine


def console(request: Request) -> Console:
    """The console's state for this request."""
    state: Console = request.app.ctx.console
    return state


class PrintStrictUndefined(jinja2.Undefined):
    """A missing value is falsy and empty, but printing it is an error.

    GOV.UK Frontend's macros test options that were not given (``params.classes``),
    which :class:`jinja2.StrictUndefined` refuses; a page that prints a value nobody
    passed is still a bug, and fails loudly.
    """

    __slots__ = ()

    def __str__(self) -> str:
        self._fail_with_undefined_error()
        return ""  # pragma: no cover - the line above raises


def templates(settings: Settings) -> jinja2.Environment:
    """The Jinja2 environment of the console's pages (autoescaped).

    The console's own templates come first; GOV.UK Frontend's macros (the
    ``govuk-frontend-jinja`` package) are under ``govuk_frontend_jinja/``, e.g.
    ``{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}``.
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(str(TEMPLATES)),
                jinja2.PrefixLoader(
                    {GOVUK_PREFIX: jinja2.PackageLoader("govuk_frontend_jinja", "templates")}
                ),
            ]
        ),
        autoescape=True,
        undefined=PrintStrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(settings.timezone)

    def local_time(value: dt.datetime | None) -> str:
        """A moment (aware, or naive UTC) as the service's local time, for a page."""
        if value is None:
            return ""
        return as_utc(value).astimezone(zone).strftime("%d %b %Y, %H:%M")

    env.filters["local_time"] = local_time
    env.globals["role_names"] = ROLE_NAMES
    return env


AREA_DESCRIPTIONS: dict[str, str] = {
    "/inbox": "Pathway-plan queries, conversations handed to a person, and safety alerts "
    "you can act on.",
    "/manager": "Overdue cases, unacknowledged safety alerts and open handoffs, per district.",
    "/reports": "The weekly figures for the council and each district, against the week "
    "before, with 12-week charts; to download as CSV or PDF.",
    "/packs": "Each young person's own entitlements pack: text them the link, or print it; "
    "see who has had theirs and acknowledged it.",
    "/quality": "Each week's random sample of conversations to read and grade on Ofsted's "
    "scale, with personal details masked unless your role allows them.",
    "/outbox": "Texts the service has queued or sent to young people and staff, newest first.",
    "/safety/review": "Messages staff marked as a missed risk or a false alarm: take out "
    "personal details, choose the kind, and approve them into the safety net's phrase bank.",
    "/content": "Edit what the bot says about each entitlement, check and approve others' "
    "changes, publish them, compare versions and roll back.",
    "/questions": "Questions the bot could not answer, grouped: teach it a new example "
    "question, or dismiss them with a reason.",
    "/content-files": "Download all published content as YAML files, or upload a set to "
    "replace it.",
    "/staff": "Give a member of staff an account and roles, a link to set their password, "
    "or deactivate an account.",
    "/audit": "Every sign-in, failed sign-in, sign-out and action in the console, with who "
    "and when.",
}
"""What each area of the menu is for, as the home page says it."""


def navigation(person: Person | None) -> list[tuple[str, str]]:
    """The links of the main menu for ``person``: (path, label)."""
    if person is None:
        return []
    links = [("/", "Home")]
    if person.has_any(*INBOX_ROLES):
        links.append(("/inbox", "Inbox"))
    if person.has_any(*MANAGER_ROLES):
        links.append(("/manager", "Manager view"))
    if person.has_any(*REPORT_ROLES):
        links.append(("/reports", "Weekly report"))
    if person.has_any(*PACK_ROLES):
        links.append(("/packs", "Packs"))
    if person.has_any(*QUALITY_ROLES):
        links.append(("/quality", "Quality reviews"))
    if person.has_any(*OUTBOX_ROLES):
        links.append(("/outbox", "Outbox"))
    if person.has_any(*SAFETY_REVIEW_ROLES):
        links.append(("/safety/review", "Safety review"))
    if person.has_any(CONTENT_EDITOR, CONTENT_APPROVER, ADMIN):
        links.append(("/content", "Content"))
        links.append(("/questions", "Unanswered questions"))
    if person.has_any(CONTENT_APPROVER, ADMIN):
        links.append(("/content-files", "Export and import"))
    if person.has_any(ADMIN):
        links += [("/staff", "Staff accounts"), ("/audit", "Audit log")]
    return links


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    """A page from ``template``, with who is signed in, the menu and the CSRF token."""
    person: Person | None = getattr(request.ctx, "person", None)
    page = (
        console(request)
        .templates.get_template(template)
        .render(
            person=person,
            navigation=navigation(person),
            path=request.path,
            csrf_token=getattr(request.ctx, "csrf_token", ""),
            **context,
        )
    )
    return html(page, status=status)


def error_page(request: Request, status: int, title: str, message: str) -> HTTPResponse:
    """A plain error page."""
    return render(request, "error.html", status=status, title=title, message=message)


def client_hash(request: Request) -> str:
    """The keyed hash of the client's address (behind a proxy, as Sanic is told to trust)."""
    address = request.remote_addr or request.ip or "unknown"
    return address_hash(console(request).key, address)


def audit_action(request: Request, action: str, target: str, detail: str = "") -> None:
    """Record what the signed-in member of staff did, in the audit log, in its own transaction."""
    state = console(request)
    with state.db.begin() as conn:
        audit.record(
            conn,
            action,
            now=state.clock(),
            staff_id=request.ctx.person.staff_id,
            target=target,
            detail=detail,
            ip_hash=client_hash(request),
        )


def safe_next(value: str | None) -> str:
    """A path on this site to go to after signing in (anything else becomes ``/``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def to_login(request: Request) -> HTTPResponse:
    """302 to the sign-in page, coming back here afterwards."""
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    query = f"next={quote(target, safe='/')}"
    if getattr(request.ctx, "session_ended", False):
        query += "&expired=1"
    return redirect(f"/login?{query}", status=302)


def set_cookie(
    response: BaseHTTPResponse, name: str, value: str, *, secure: bool, max_age: int | None = None
) -> None:
    """Set a cookie the console's way: HttpOnly, SameSite=Strict, path /, Secure on https.

    Sanic 23.3 and later (the staff service's environment) set cookies with
    ``add_cookie`` only; Sanic 21.12 (the Rasa runtime's) has a cookie dict instead.
    """
    add_cookie = getattr(response, "add_cookie", None)
    if add_cookie is not None:
        add_cookie(
            name,
            value,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=secure,
            max_age=max_age,
        )
        return
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["path"] = "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def has_cookie(response: BaseHTTPResponse, name: str) -> bool:
    """Whether ``response`` sets the cookie ``name`` (on Sanic 21.12 and on current Sanic)."""
    cookies = response.cookies
    found = getattr(cookies, "has_cookie", None)
    return bool(found(name)) if found is not None else name in cookies


def clear_cookie(response: BaseHTTPResponse, name: str, *, secure: bool) -> None:
    """Tell the browser to forget a cookie."""
    set_cookie(response, name, "", secure=secure, max_age=0)


def requires(*roles: str, audit_as: str | None = None) -> Callable[[Handler], Handler]:
    """Only for people signed in with one of ``roles`` (any signed-in person if none given).

    Not signed in: 302 to the sign-in page. Signed in without the role: a 403 page,
    and ``forbidden`` in the audit log. With ``audit_as``, each allowed use is logged
    under that action.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            person: Person | None = getattr(request.ctx, "person", None)
            if person is None:
                return to_login(request)
            if roles and not person.has_any(*roles):
                await off_loop(
                    audit_action,
                    request,
                    "forbidden",
                    f"{request.method} {request.path}"[:255],
                    f"needs one of: {', '.join(roles)}",
                )
                names = " or ".join(ROLE_NAMES[r].lower() for r in roles)
                return error_page(
                    request,
                    403,
                    "You cannot use this page",
                    f"This page is for staff with the {names} role. Ask an admin if you "
                    "need it for your work.",
                )
            if audit_as:
                await off_loop(audit_action, request, audit_as, request.path[:255])
            return await handler(request, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def page_number(request: Request) -> int:
    """The ``page`` query argument, a whole number from 1 (anything else is 1)."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1
