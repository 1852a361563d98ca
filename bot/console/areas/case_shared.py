"""What the pages of the cases area share: the clock, the 403 for someone else's, history.

:func:`forbidden` answers a page outside the person's caseload (and writes
``forbidden`` to the audit log); :func:`history_rows` shows a case's, alert's or
handoff's events as the history tables do (who, what). The pages are
:mod:`bot.console.areas.cases` (and the modules it names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from bot.cases.model import Event
from bot.console import caseload
from bot.console.web import audit_action, console, error_page

MAX_TEXT = 1600
"""Longest reply or note the forms take (ten SMS parts)."""

NOT_YOURS = "This is not in your caseload. If you need it for your work, ask your team manager."


def utc_now(request: Request) -> dt.datetime:
    """Now, timezone-aware UTC, by the console's clock."""
    return console(request).clock()


def forbidden(request: Request, target: str) -> HTTPResponse:
    """A 403 page for something outside the person's caseload, and ``forbidden`` audited."""
    audit_action(
        request, "forbidden", f"{request.method} {request.path}"[:255], f"not theirs: {target}"
    )
    return error_page(request, 403, "You cannot use this page", NOT_YOURS)


def _to_nobody(detail: Mapping[str, Any]) -> str:
    """Who has an item reassigned to no PA: the team manager (a move), else another PA."""
    if "to_adviser_id" in detail and detail["to_adviser_id"] is None:
        return "the team manager"
    return "another adviser"


def history_rows(request: Request, events: list[Event]) -> list[dict[str, Any]]:
    """A case's, alert's or handoff's events as the history table shows them (who, what)."""
    names = caseload.staff_names(console(request).db, (e.actor.staff_id for e in events))
    rows = []
    for event in events:
        if event.actor.kind == "staff" and event.actor.staff_id is not None:
            who = names.get(event.actor.staff_id, f"staff {event.actor.staff_id}")
        elif event.actor.kind == "young_person":
            who = "The young person"
        else:
            who = "The service"
        detail = event.detail
        words = str(detail.get("text") or detail.get("note") or detail.get("reason") or "")
        extra = ""
        if event.action == "reassigned":
            extra = (
                f"from {detail.get('from_adviser') or 'the team manager'} "
                f"to {detail.get('to_adviser') or _to_nobody(detail)}"
            )
            if detail.get("to_district"):
                extra += f" ({detail.get('from_district')} to {detail['to_district']})"
        elif event.action == "escalated" and detail.get("team_manager"):
            extra = f"to {detail['team_manager']}"
        elif event.action == "escalated":
            extra = "no team manager on record"
        rows.append(
            {
                "at": event.at,
                "who": who,
                "action": event.action,
                "words": words,
                "extra": extra,
            }
        )
    return rows
