"""What the pages of the content area share: who may use them, the words, the audit.

The roles (:data:`VIEW_ROLES`, :data:`EDIT_ROLES`, :data:`APPROVE_ROLES`), the words
shown after a step (:data:`DONE`), today's date where the service is, the topics,
staff names, the 404 page, and the audit log: :func:`audit_change` in the change's
own transaction, :func:`audit_refused` on its own when a change was not made. The
pages are :mod:`bot.console.areas.content` (and the modules it names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sanic import Request
from sanic.response import HTTPResponse

from bot.console import caseload
from bot.console.roles import ADMIN, CONTENT_APPROVER, CONTENT_EDITOR
from bot.console.web import audit_action, client_hash, console, error_page
from bot.store import audit
from entitlements.loader import load_topics

VIEW_ROLES = (CONTENT_EDITOR, CONTENT_APPROVER, ADMIN)
EDIT_ROLES = (CONTENT_EDITOR, ADMIN)
APPROVE_ROLES = (CONTENT_APPROVER, ADMIN)

DONE = {
    "saved": "The draft is saved. Submit it when it is ready for approval.",
    "submitted": "The draft is submitted. A content approver will check it.",
    "approved": "The draft is approved. It can now be published.",
    "changes": "The draft is sent back to its authors with your comment.",
    "published": "Published. The bot answers with it within a few seconds.",
    "discarded": "The draft is discarded.",
    "rolled_back": "Rolled back. The bot answers with it within a few seconds.",
}


def today_here(request: Request) -> dt.date:
    """Today's date where the service is (its timezone), by the console's clock."""
    state = console(request)
    now = state.clock()
    return now.astimezone(ZoneInfo(state.settings.timezone)).date()


def topic_titles(request: Request) -> dict[str, str]:
    """The entitlement topics (id: title) from the topics file."""
    return load_topics(console(request).settings.topics_file)


def audit_refused(request: Request, action: str, target: str, reason: str) -> None:
    """Audit ``content.<action>_refused`` (in its own transaction: the change was not made)."""
    audit_action(request, f"content.{action}_refused", target, reason)


def audit_change(request: Request, conn: Any, action: str, target: str, detail: str = "") -> None:
    """Audit ``content.<action>`` in the caller's transaction (the change's own)."""
    state = console(request)
    audit.record(
        conn,
        f"content.{action}",
        now=state.clock(),
        staff_id=request.ctx.person.staff_id,
        target=target,
        detail=detail,
        ip_hash=client_hash(request),
    )


def staff_names_by_id(request: Request, ids: Iterable[int | None]) -> dict[int, str]:
    """Staff names by id."""
    return caseload.staff_names(console(request).db, ids)


def not_found(request: Request, message: str = "There is no such entry.") -> HTTPResponse:
    """A 404 page saying what is not there."""
    return error_page(request, 404, "Page not found", message)


def _conflict(request: Request, title: str, message: str, status: int = 409) -> HTTPResponse:
    """An error page (409 by default)."""
    return error_page(request, status, title, message)
