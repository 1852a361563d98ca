"""What every page of the console repeats, written once.

A page is a plain (blocking) module-level function ``page(request, **path_args) ->
HTTPResponse``: it reads the form, calls the store, writes the audit log and renders
its template. :func:`add_page` registers it on an area's blueprint behind the role
check (:func:`bot.console.web.requires`) as an async handler that runs it whole in a
worker thread (:func:`bot.console.web.off_loop`), so no page does blocking database
work on the event loop: one slow query holds up only the member of staff who asked.

Also here: reading a form (:func:`form_text`, :func:`form_lists`) and paging
(:func:`page_count`, with :func:`bot.console.web.page_number`). A page records what
was done with :func:`bot.console.web.audit_action` (one row, in its own transaction).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console.web import off_loop, page_number, requires

__all__ = [
    "Page",
    "add_page",
    "form_lists",
    "form_text",
    "off_loop",
    "page_count",
    "page_number",
    "run_off_loop",
]

Page = Callable[..., HTTPResponse]
"""A page: ``(request, **path_args) -> HTTPResponse``, blocking."""


def run_off_loop(page: Page) -> Callable[..., Coroutine[Any, Any, HTTPResponse]]:
    """The async Sanic handler that runs blocking ``page`` in a worker thread.

    It keeps ``page``'s name (Sanic names the route after it).
    """

    @functools.wraps(page)
    async def handler(request: Request, *args: object, **kwargs: object) -> HTTPResponse:
        return await off_loop(page, request, *args, **kwargs)

    return handler


def add_page(
    bp: Blueprint,
    uri: str,
    page: Page,
    *,
    roles: Iterable[str] = (),
    audit_as: str | None = None,
    methods: Iterable[str] = ("GET",),
    name: str | None = None,
    public: bool = False,
) -> None:
    """Register ``page`` at ``uri`` on ``bp``, for staff with one of ``roles``.

    Args:
        bp: The area's blueprint.
        uri: The route, e.g. ``/cases/<reference:str>``.
        page: The page function (blocking; it runs off the event loop).
        roles: Who may use it (any signed-in person if empty); see
            :func:`bot.console.web.requires`.
        audit_as: Log each allowed use under this action.
        methods: The HTTP methods it answers.
        name: The route's name (the page function's name by default).
        public: For anyone, signed in or not (the sign-in pages): no role check at all.

    """
    if public and (roles or audit_as):
        raise ValueError("a public page has no roles and is not audited by the role check")
    handler = run_off_loop(page)
    if not public:
        handler = requires(*roles, audit_as=audit_as)(handler)
    bp.add_route(handler, uri, methods=list(methods), name=name or page.__name__)


def form_text(request: Request, field: str) -> str:
    """The form's ``field``, spaces trimmed ("" if it was not sent or there is no form)."""
    return (request.form.get(field) or "").strip() if request.form else ""


def form_lists(request: Request) -> dict[str, list[str]]:
    """Every field of the form with all its values, as sent (empty if there is no form)."""
    return {key: list(values) for key, values in (request.form or {}).items()}


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill at ``per_page`` a page (at least 1)."""
    return max(1, -(-total // per_page))
