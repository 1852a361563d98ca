"""The console's app factory: :func:`create_app` builds the Sanic app from settings.

Nothing happens at import time. The database engine is passed in (tests) or opened
when the server starts and closed when it stops. Every request goes through
:func:`_before` (who is signed in; the CSRF check on every POST) and every response
through :func:`_after` (security headers, cookies).
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from urllib.parse import urlsplit

from sanic import Request, Sanic
from sanic.exceptions import MethodNotSupported, NotFound, SanicException
from sanic.response import BaseHTTPResponse, HTTPResponse, redirect, text
from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.console import csrf, sessions
from bot.console.areas import audit as audit_area
from bot.console.areas import (
    auth,
    cases,
    content,
    content_files,
    home,
    outbox,
    packs,
    quality,
    questions,
    reports,
    safety,
    staff,
)
from bot.console.policy import Policy
from bot.console.web import (
    STATIC,
    Console,
    clear_cookie,
    client_hash,
    console,
    error_page,
    has_cookie,
    off_loop,
    set_cookie,
    templates,
)
from bot.db.engine import create_db_engine
from bot.settings import Settings
from bot.store import audit

APP_NAME = "careleavers-console"
MAX_REQUEST_BYTES = 1024 * 1024
"""Largest request taken: an upload of the whole content as a zip is about 60 KB now."""

MAX_ID = 2**31 - 1
"""The largest id a row can have (PostgreSQL's INTEGER); a larger one in a path is a 404."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
NOT_FROM_HERE = (
    "This form has expired or did not come from the console. Go back, reload the page "
    "and try again."
)


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
) -> Sanic:
    """Build the console.

    Args:
        settings: The service's settings (``console_*`` and ``database_url``).
        engine: An open SQLAlchemy engine to use; if None, one is opened on
            ``settings.database_url`` when the server starts, and closed when it stops.
        clock: Now, timezone-aware UTC (:func:`bot.clock.utcnow`; a test may give another).

    Returns:
        The Sanic app, one blueprint per area.

    """
    app = Sanic(_free_name())
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "html"
    app.ctx.console = Console(
        settings=settings,
        policy=Policy.from_settings(settings),
        key=settings.console_key(),
        secure=urlsplit(settings.console_url()).scheme == "https",
        templates=templates(settings),
        clock=clock,
        engine=engine,
    )
    owns_engine = engine is None

    # Sanic 21.12 gives listeners the loop too; Sanic 26.6 will give only the app.
    @app.before_server_start
    async def _open(app: Sanic, *_loop: object) -> None:
        if owns_engine:
            app.ctx.console.engine = create_db_engine(settings.database_url)

    @app.after_server_stop
    async def _close(app: Sanic, *_loop: object) -> None:
        if owns_engine and app.ctx.console.engine is not None:
            app.ctx.console.engine.dispose()
            app.ctx.console.engine = None

    app.static("/static", str(STATIC), name="static")

    @app.get("/health")
    async def _health(_request: Request) -> HTTPResponse:
        return text("ok")

    for area in (
        auth,
        home,
        outbox,
        audit_area,
        staff,
        cases,
        content,
        questions,
        content_files,
        reports,
        packs,
        quality,
        safety,
    ):
        app.blueprint(area.blueprint())
    app.register_middleware(_before, "request")
    app.register_middleware(_after, "response")
    app.error_handler.add(NotFound, _not_found)
    app.error_handler.add(MethodNotSupported, _not_allowed)
    app.error_handler.add(Exception, _failed)
    return app


def _free_name() -> str:
    """The app's name in Sanic's registry (a second app in one process, as in tests, gets -2)."""
    taken: dict[str, Sanic] = getattr(Sanic, "_app_registry", {})
    name, number = APP_NAME, 1
    while name in taken:
        number += 1
        name = f"{APP_NAME}-{number}"
    return name


def _public(path: str) -> bool:
    """Pages for people who are not signed in (a stale session cookie does not matter)."""
    return path == "/login" or path.startswith("/set-password/")


def _plain(request: Request) -> bool:
    return request.path.startswith("/static/") or request.path == "/health"


async def _before(request: Request) -> HTTPResponse | None:
    """Who is signed in, the CSRF token for forms, and the CSRF check of every POST."""
    request.ctx.person = None
    request.ctx.session_ended = False
    request.ctx.new_seed = None
    request.ctx.csrf_token = ""
    if _plain(request):
        return None
    if any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in request.match_info.values()):
        raise NotFound("no such id")  # beyond any row: the database would refuse to look
    state = console(request)
    now = state.clock()
    token = request.cookies.get(state.session_cookie)
    if token:
        request.ctx.person = await off_loop(_signed_in, state, token, now)
        request.ctx.session_ended = request.ctx.person is None
    seed = request.cookies.get(state.seed_cookie) or ""
    if not seed or len(seed) > 100:
        seed = csrf.new_seed()
        request.ctx.new_seed = seed
    person = request.ctx.person
    session_id = person.session_id if person is not None else None
    request.ctx.csrf_token = csrf.token(state.key, session_id=session_id, seed=seed)
    if request.method != "POST":
        return None
    if request.ctx.session_ended and not _public(request.path):
        return redirect("/login?expired=1", status=303)
    cross_site = request.headers.get("sec-fetch-site", "") == "cross-site"
    sent = request.form.get(csrf.FIELD) if request.form else None
    if cross_site or not csrf.valid(
        state.key,
        sent,
        session_id=session_id,
        seed=None if session_id else request.cookies.get(state.seed_cookie),
    ):
        await off_loop(
            _record_rejected,
            state,
            now=now,
            staff_id=person.staff_id if person is not None else None,
            target=f"POST {request.path}"[:255],
            detail="cross-site request" if cross_site else "missing or wrong CSRF token",
            ip_hash=client_hash(request),
        )
        return error_page(request, 403, "This form did not work", NOT_FROM_HERE)
    return None


def _signed_in(state: Console, token: str, now: dt.datetime) -> sessions.Person | None:
    """Who the session cookie ``token`` belongs to (None if no live session); blocking."""
    with state.db.begin() as conn:
        return sessions.current(conn, token, now=now, policy=state.policy)


def _record_rejected(
    state: Console,
    *,
    now: dt.datetime,
    staff_id: int | None,
    target: str,
    detail: str,
    ip_hash: str,
) -> None:
    """Record a POST refused by the CSRF check in the audit log; blocking."""
    with state.db.begin() as conn:
        audit.record(
            conn,
            "csrf_rejected",
            now=now,
            staff_id=staff_id,
            target=target,
            detail=detail,
            ip_hash=ip_hash,
        )


async def _after(request: Request, response: BaseHTTPResponse) -> None:
    """Security headers on every response; the cookies this request needs set or cleared."""
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.path.startswith("/static/"):
        headers["Cache-Control"] = "public, max-age=3600"
    else:
        headers["Cache-Control"] = "no-store"
    state: Console | None = getattr(request.app.ctx, "console", None)
    if state is None:
        return
    if state.secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    new_seed = getattr(request.ctx, "new_seed", None)
    if new_seed:
        set_cookie(response, state.seed_cookie, new_seed, secure=state.secure)
    if getattr(request.ctx, "session_ended", False) and not has_cookie(
        response, state.session_cookie
    ):
        clear_cookie(response, state.session_cookie, secure=state.secure)


def _ensure_ctx(request: Request) -> None:
    for name, value in (("person", None), ("csrf_token", ""), ("new_seed", None)):
        if not hasattr(request.ctx, name):
            setattr(request.ctx, name, value)


def _loggable(path: str) -> str:
    """A path fit for the log: one-time link tokens cut out."""
    return "/set-password/..." if path.startswith("/set-password/") else path


def _not_found(request: Request, _exception: Exception) -> HTTPResponse:
    _ensure_ctx(request)
    return error_page(request, 404, "Page not found", "There is no page at this address.")


def _not_allowed(request: Request, _exception: Exception) -> HTTPResponse:
    _ensure_ctx(request)
    return error_page(request, 405, "Not allowed", "This page cannot be used that way.")


def _failed(request: Request, exception: Exception) -> HTTPResponse:
    _ensure_ctx(request)
    status = exception.status_code if isinstance(exception, SanicException) else 500
    if status >= 500:
        from sanic.log import error_logger

        # The exception's type and where it was raised, not its message: that could hold
        # what was typed, or a young person's details.
        where = (
            traceback.extract_tb(exception.__traceback__)[-1:] if exception.__traceback__ else []
        )
        place = f"{where[0].filename}:{where[0].lineno}" if where else "?"
        error_logger.error(
            "console: %s at %s in %s %s",
            type(exception).__name__,
            place,
            request.method,
            _loggable(request.path),
        )
    return error_page(
        request,
        status,
        "Something went wrong" if status >= 500 else "This did not work",
        "Sorry, the console could not do that. Try again, and tell the service desk if "
        "it keeps happening.",
    )
