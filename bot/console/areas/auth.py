"""Signing in and out, and setting a password through a one-time link.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot.console import accounts, sessions
from bot.console.areas.pages import add_page
from bot.console.passwords import MIN_LENGTH
from bot.console.signin import THROTTLED, WRONG, Outcome, sign_in
from bot.console.web import (
    clear_cookie,
    client_hash,
    console,
    error_page,
    render,
    safe_next,
    set_cookie,
    to_login,
)
from bot.store import audit

LINK_GONE = (
    "This link has expired or has already been used. Ask an admin for a new one, or "
    "sign in if you have set your password."
)


def login_form(request: Request) -> HTTPResponse:
    """``GET /login``: the sign-in form (or on to ``next`` if signed in)."""
    if request.ctx.person is not None:
        return redirect(safe_next(request.args.get("next")), status=302)
    return _login_page(request)


def login(request: Request) -> HTTPResponse:
    """``POST /login``: check the password (throttled), start a session, 303 to ``next``."""
    state = console(request)
    email = (request.form.get("email") or "").strip()[:254]
    password = (request.form.get("password") or "")[:1024]
    target = safe_next(request.form.get("next"))
    if not email or not password:
        return _login_page(
            request, status=401, error=WRONG, email=email, next_path=target, empty=True
        )
    result = sign_in(
        state.db,
        email,
        password,
        ip_hash=client_hash(request),
        now=state.clock(),
        policy=state.policy,
    )
    if result.outcome is Outcome.THROTTLED:
        return _login_page(request, status=429, error=THROTTLED, email=email, next_path=target)
    if result.outcome is not Outcome.OK or result.token is None:
        return _login_page(request, status=401, error=WRONG, email=email, next_path=target)
    person = request.ctx.person
    if person is not None:  # signed in already (as someone): that session ends
        with state.db.begin() as conn:
            sessions.revoke(conn, person.session_id, now=state.clock())
    response = redirect(target, status=303)
    set_cookie(response, state.session_cookie, result.token, secure=state.secure)
    return response


def logout(request: Request) -> HTTPResponse:
    """``POST /logout``: end the session."""
    state = console(request)
    person = request.ctx.person
    if person is None:
        return to_login(request)
    with state.db.begin() as conn:
        sessions.revoke(conn, person.session_id, now=state.clock())
        audit.record(
            conn,
            "logout",
            now=state.clock(),
            staff_id=person.staff_id,
            target=f"account:{person.account_id}",
            ip_hash=client_hash(request),
        )
    response = redirect("/login?signed_out=1", status=303)
    clear_cookie(response, state.session_cookie, secure=state.secure)
    return response


def password_form(request: Request, token: str) -> HTTPResponse:
    """``GET /set-password/<token>``: the form of a one-time password link."""
    state = console(request)
    with state.db.connect() as conn:
        account = accounts.by_setup_token(conn, token, state.clock())
    if account is None:
        return error_page(request, 404, "This link does not work", LINK_GONE)
    return render(
        request,
        "set_password.html",
        title="Set your password",
        account=account,
        token=token,
        error=None,
        min_length=MIN_LENGTH,
    )


def set_password(request: Request, token: str) -> HTTPResponse:
    """``POST /set-password/<token>``: set the password; the link is used up."""
    state = console(request)
    now = state.clock()
    with state.db.connect() as conn:
        account = accounts.by_setup_token(conn, token, now)
    if account is None:
        return error_page(request, 404, "This link does not work", LINK_GONE)
    password = (request.form.get("password") or "")[:1024]
    again = (request.form.get("confirm") or "")[:1024]
    error = None
    if password != again:
        error = "The two passwords are not the same"
    else:
        try:
            accounts.set_password_by_link(
                state.db,
                token,
                password,
                now=now,
                ip_hash=client_hash(request),
            )
        except accounts.LinkGone:
            # Used by another post of the same link a moment ago: this one sets nothing.
            return error_page(request, 404, "This link does not work", LINK_GONE)
        except accounts.AccountError as problem:
            error = str(problem)
    if error:
        return render(
            request,
            "set_password.html",
            status=400,
            title="Set your password",
            account=account,
            token=token,
            error=error,
            min_length=MIN_LENGTH,
        )
    return redirect("/login?password_set=1", status=303)


def _login_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    next_path: str | None = None,
    empty: bool = False,
) -> HTTPResponse:
    """The sign-in page, with a notice from the query (signed out, password set, expired)."""
    notice = None
    if request.args.get("signed_out"):
        notice = "You have signed out."
    elif request.args.get("password_set"):
        notice = "Your password is set. Sign in with it now."
    elif request.args.get("expired"):
        notice = "Your session has ended. Sign in again to carry on."
    return render(
        request,
        "login.html",
        status=status,
        title="Sign in",
        error=error,
        email=email,
        next_path=next_path or safe_next(request.args.get("next")),
        notice=notice,
        empty=empty,
    )


def blueprint() -> Blueprint:
    """The sign-in area: ``/login``, ``/logout``, ``/set-password/<token>``."""
    bp = Blueprint("auth")
    add_page(bp, "/login", login_form, public=True)
    add_page(bp, "/login", login, public=True, methods=["POST"])
    add_page(bp, "/logout", logout, public=True, methods=["POST"])
    add_page(bp, "/set-password/<token:str>", password_form, public=True)
    add_page(bp, "/set-password/<token:str>", set_password, public=True, methods=["POST"])
    return bp
