"""The cases area: the inbox, a case, a safety alert, a handoff, and the manager view.

Who may see what is decided in :mod:`bot.console.caseload`; the changes are made by
:mod:`bot.cases` (which refuses a change the case's state does not allow, so two
people acting at once cannot both succeed: the second is told what happened). Every
change, and every refusal to show someone else's case, is written to the audit log
(with references and ids, never a young person's details).

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place. Here
are the inbox and the manager view; one case is :mod:`bot.console.areas.case_page`,
a safety alert :mod:`bot.console.areas.alert_page`, a handoff
:mod:`bot.console.areas.handoff_page`; what they share is
:mod:`bot.console.areas.case_shared` and a reply's delivery
:mod:`bot.console.areas.case_replies`.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.cases import alerts, handoffs, service
from bot.console import caseload
from bot.console.areas.alert_page import alert_acknowledge, alert_page
from bot.console.areas.case_page import (
    case_acknowledge,
    case_close,
    case_note,
    case_page,
    case_reassign,
    case_reopen,
    case_reply,
)
from bot.console.areas.case_shared import utc_now
from bot.console.areas.handoff_page import handoff_page, handoff_reply, handoff_return
from bot.console.areas.pages import add_page
from bot.console.web import console, render


def inbox_page(request: Request) -> HTTPResponse:
    """``GET /inbox``: the person's cases, alerts and handoffs, filtered and paged."""
    state = console(request)
    now = utc_now(request)
    person = request.ctx.person
    districts = caseload.manager_districts(state.db, person)
    args = {name: request.args.get(name, "") for name in request.args}
    chosen, page, errors = caseload.parse_case_filter(args, districts)
    found = caseload.inbox(state.db, person, now, filters=chosen, page=page)
    return render(
        request,
        "inbox.html",
        status=400 if errors else 200,
        title="Your inbox",
        error="; ".join(errors.values()) if errors else None,
        errors=errors,
        inbox=found,
        filters=chosen,
        statuses=caseload.STATUS_FILTERS,
        districts=districts,
        stage_words=caseload.STAGE_WORDS,
        now=now,
    )


def manager_page(request: Request) -> HTTPResponse:
    """``GET /manager``: per district, overdue cases, unacknowledged alerts, open handoffs."""
    state = console(request)
    now = utc_now(request)
    sections = []
    for district in caseload.manager_districts(state.db, request.ctx.person):
        late = service.overdue(state.db, now, district)
        shown = late[: caseload.PER_PAGE]
        sections.append(
            {
                "district": district,
                "overdue_total": len(late),
                "overdue_link": "/inbox?"
                + caseload.CaseFilter(overdue=True, district=district).query(),
                "overdue": [
                    (item, row)
                    for item, row in zip(
                        shown,
                        caseload.case_rows(state.db, [i.case for i in shown], now),
                        strict=True,
                    )
                ],
                "alerts": caseload.alert_rows(state.db, alerts.unacknowledged(state.db, district)),
                "handoffs": caseload.handoff_rows(
                    state.db, handoffs.open_handoffs(state.db, district)
                ),
            }
        )
    return render(
        request,
        "manager.html",
        title="Manager view",
        sections=sections,
        stage_words=caseload.STAGE_WORDS,
        now=now,
    )


def blueprint() -> Blueprint:
    """The cases area: the inbox, cases, alerts, handoffs and the manager view."""
    bp = Blueprint("cases")
    case_roles, manager_roles = caseload.CASE_ROLES, caseload.MANAGER_ROLES
    add_page(bp, "/inbox", inbox_page, roles=caseload.INBOX_ROLES, audit_as="inbox.view")
    add_page(bp, "/cases/<reference:str>", case_page, roles=case_roles)
    for change in (case_acknowledge, case_reply, case_close, case_note):
        path = f"/cases/<reference:str>/{change.__name__.removeprefix('case_')}"
        add_page(bp, path, change, roles=case_roles, methods=["POST"])
    add_page(
        bp, "/cases/<reference:str>/reassign", case_reassign, roles=manager_roles, methods=["POST"]
    )
    add_page(bp, "/cases/<reference:str>/reopen", case_reopen, roles=case_roles, methods=["POST"])
    add_page(bp, "/alerts/<alert_id:int>", alert_page, roles=caseload.ALERT_ROLES)
    add_page(
        bp,
        "/alerts/<alert_id:int>/acknowledge",
        alert_acknowledge,
        roles=caseload.ALERT_ROLES,
        methods=["POST"],
    )
    add_page(bp, "/handoffs/<handoff_id:int>", handoff_page, roles=case_roles)
    add_page(
        bp, "/handoffs/<handoff_id:int>/reply", handoff_reply, roles=case_roles, methods=["POST"]
    )
    add_page(
        bp, "/handoffs/<handoff_id:int>/return", handoff_return, roles=case_roles, methods=["POST"]
    )
    add_page(bp, "/manager", manager_page, roles=manager_roles, audit_as="manager.view")
    return bp
