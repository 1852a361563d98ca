"""Staff accounts (admins): list, make one for a staff record, deactivate, password links.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot.console import accounts
from bot.console.areas.pages import add_page
from bot.console.roles import ADMIN, ROLES, RoleError
from bot.console.web import client_hash, console, error_page, render


def staff_list(request: Request) -> HTTPResponse:
    """``GET /staff``: every account."""
    state = console(request)
    with state.db.connect() as conn:
        everyone = accounts.all_accounts(conn)
    return render(
        request,
        "staff_list.html",
        title="Staff accounts",
        accounts=everyone,
        now=state.clock(),
        done=request.args.get("done"),
    )


def new_form(request: Request) -> HTTPResponse:
    """``GET /staff/new``: the form for a new account."""
    return _new_page(request)


def create(request: Request) -> HTTPResponse:
    """``POST /staff/new``: make the account and its first password link."""
    state = console(request)
    person = request.ctx.person
    raw_id = request.form.get("staff_id") or ""
    roles = request.form.getlist("roles") or []
    errors: dict[str, str] = {}
    if not raw_id.isdigit():
        errors["staff_id"] = "Choose whose account it is"
    if not roles:
        errors["roles"] = "Choose at least one role"
    if not errors:
        now = state.clock()
        try:
            with state.db.begin() as conn:
                account = accounts.create(
                    conn,
                    roles=roles,
                    staff_id=int(raw_id),
                    now=now,
                    by=person.staff_id,
                    ip_hash=client_hash(request),
                )
                token = accounts.new_setup_link(
                    conn,
                    account.id,
                    now=now,
                    policy=state.policy,
                    by=person.staff_id,
                    ip_hash=client_hash(request),
                )
        except RoleError as problem:
            errors["roles"] = str(problem)
        except accounts.AccountError as problem:
            errors["staff_id"] = str(problem)
        else:
            return _link_page(request, account, token, created=True)
    return _new_page(request, errors=errors, chosen=raw_id, chosen_roles=roles, status=400)


def account_page(request: Request, account_id: int) -> HTTPResponse:
    """``GET /staff/<id>``: an account's roles."""
    with console(request).db.connect() as conn:
        account = accounts.by_id(conn, account_id)
    if account is None:
        return error_page(request, 404, "Page not found", "There is no such account.")
    return _roles_page(request, account)


def change_roles(request: Request, account_id: int) -> HTTPResponse:
    """``POST /staff/<id>/roles``."""
    state = console(request)
    roles = request.form.getlist("roles") or []
    try:
        with state.db.begin() as conn:
            accounts.change_roles(
                conn,
                account_id,
                roles,
                now=state.clock(),
                by=request.ctx.person.staff_id,
                ip_hash=client_hash(request),
            )
    except (RoleError, accounts.AccountError) as problem:
        with state.db.connect() as conn:
            account = accounts.by_id(conn, account_id)
        if account is None:
            return error_page(request, 404, "Page not found", "There is no such account.")
        message = "Choose at least one role" if not roles else str(problem)
        return _roles_page(request, account, error=message, chosen=roles, status=400)
    return redirect("/staff?done=roles", status=303)


def new_link(request: Request, account_id: int) -> HTTPResponse:
    """``POST /staff/<id>/link``: a new password link."""
    state = console(request)
    try:
        with state.db.begin() as conn:
            token = accounts.new_setup_link(
                conn,
                account_id,
                now=state.clock(),
                policy=state.policy,
                by=request.ctx.person.staff_id,
                ip_hash=client_hash(request),
            )
            account = accounts.by_id(conn, account_id)
    except accounts.AccountError as problem:
        return error_page(request, 400, "No link made", str(problem))
    assert account is not None
    return _link_page(request, account, token, created=False)


def deactivate(request: Request, account_id: int) -> HTTPResponse:
    """``POST /staff/<id>/deactivate``."""
    state = console(request)
    try:
        with state.db.begin() as conn:
            accounts.deactivate(
                conn,
                account_id,
                now=state.clock(),
                by=request.ctx.person.staff_id,
                ip_hash=client_hash(request),
            )
    except accounts.AccountError as problem:
        return error_page(request, 400, "Not deactivated", str(problem))
    return redirect("/staff?done=deactivated", status=303)


def _new_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    chosen: str = "",
    chosen_roles: list[str] | None = None,
    status: int = 200,
) -> HTTPResponse:
    """The new-account form: staff records without an account, and the roles."""
    with console(request).db.connect() as conn:
        choices = accounts.staff_without_account(conn)
    return render(
        request,
        "staff_new.html",
        status=status,
        title="New staff account",
        choices=choices,
        all_roles=ROLES,
        errors=errors or {},
        chosen=chosen,
        chosen_roles=chosen_roles or [],
    )


def _roles_page(
    request: Request,
    account: accounts.Account,
    *,
    error: str | None = None,
    chosen: list[str] | None = None,
    status: int = 200,
) -> HTTPResponse:
    """An account's roles form."""
    return render(
        request,
        "staff_roles.html",
        status=status,
        title=f"Roles of {account.name}",
        account=account,
        all_roles=ROLES,
        chosen_roles=chosen if chosen is not None else sorted(account.roles),
        error=error,
    )


def _link_page(
    request: Request, account: accounts.Account, token: str, *, created: bool
) -> HTTPResponse:
    """The password link just made (shown once)."""
    state = console(request)
    return render(
        request,
        "staff_link.html",
        title="Account made" if created else "New password link",
        account=account,
        link=f"{state.settings.console_url()}/set-password/{token}",
        hours=int(state.policy.setup_link_lifetime.total_seconds() // 3600),
        created=created,
    )


ADMINS = (ADMIN,)
"""Who may use every page of the area."""


def blueprint() -> Blueprint:
    """The staff accounts area: ``/staff`` and below."""
    bp = Blueprint("staff")
    add_page(bp, "/staff", staff_list, roles=ADMINS, audit_as="staff.view")
    add_page(bp, "/staff/new", new_form, roles=ADMINS)
    add_page(bp, "/staff/new", create, roles=ADMINS, methods=["POST"])
    add_page(bp, "/staff/<account_id:int>", account_page, roles=ADMINS)
    add_page(bp, "/staff/<account_id:int>/roles", change_roles, roles=ADMINS, methods=["POST"])
    add_page(bp, "/staff/<account_id:int>/link", new_link, roles=ADMINS, methods=["POST"])
    add_page(bp, "/staff/<account_id:int>/deactivate", deactivate, roles=ADMINS, methods=["POST"])
    return bp
