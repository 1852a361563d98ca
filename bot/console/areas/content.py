"""The content area: edit, review, approve, publish and roll back entitlement entries.

The rules are in :mod:`entitlements.workflow` (states, who may approve, conditional
changes, versions); the form and its previews in :mod:`bot.console.content_form`. Here:
who may use which page (content editors edit and submit; content approvers approve,
publish and roll back; admins may do both, but never approve their own draft; everyone
else gets 403), and the audit log, written in the same transaction as each change.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place. Here
are the lists; an entry, its versions and rolling back are
:mod:`bot.console.areas.content_entry`, starting and editing drafts
:mod:`bot.console.areas.content_editing`, a draft's page and steps
:mod:`bot.console.areas.content_review`, and what they share
:mod:`bot.console.areas.content_shared`.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.console.areas.content_editing import (
    edit_draft_form,
    edit_draft_save,
    edit_entry_form,
    edit_entry_save,
    new_form,
    new_save,
)
from bot.console.areas.content_entry import compare_page, entry_page, rollback
from bot.console.areas.content_review import STEPS, draft_page
from bot.console.areas.content_shared import (
    APPROVE_ROLES,
    EDIT_ROLES,
    VIEW_ROLES,
    staff_names_by_id,
    today_here,
)
from bot.console.areas.pages import add_page
from bot.console.web import console, render
from entitlements import workflow as wf


def content_list(request: Request) -> HTTPResponse:
    """``GET /content``: every entry and its state."""
    with console(request).db.connect() as conn:
        rows = wf.entries(conn)
        due = wf.due_for_review(conn, today_here(request))
    return render(
        request,
        "content_list.html",
        title="Entitlement content",
        rows=rows,
        due_count=len(due),
        state_names=wf.STATE_NAMES,
        can_edit=request.ctx.person.has_any(*EDIT_ROLES),
        today=today_here(request),
    )


def due_list(request: Request) -> HTTPResponse:
    """``GET /content/due``: entries due for review."""
    with console(request).db.connect() as conn:
        due = wf.due_for_review(conn, today_here(request))
    return render(
        request,
        "content_due.html",
        title="Due for review",
        due=due,
        window=wf.REVIEW_WINDOW_DAYS,
        names=staff_names_by_id(request, (d.owner_id for d in due)),
    )


def blueprint() -> Blueprint:
    """The content area: ``/content`` and below."""
    bp = Blueprint("content")
    post = ["POST"]
    add_page(bp, "/content", content_list, roles=VIEW_ROLES, audit_as="content.view")
    add_page(bp, "/content/due", due_list, roles=VIEW_ROLES, audit_as="content.view_due")
    entry = "/content/entries/<entitlement_id:str>"
    add_page(bp, entry, entry_page, roles=VIEW_ROLES)
    add_page(bp, f"{entry}/compare", compare_page, roles=VIEW_ROLES)
    add_page(bp, f"{entry}/rollback", rollback, roles=APPROVE_ROLES, methods=post)
    add_page(bp, "/content/new", new_form, roles=EDIT_ROLES)
    add_page(bp, f"{entry}/edit", edit_entry_form, roles=EDIT_ROLES)
    add_page(bp, "/content/new", new_save, roles=EDIT_ROLES, methods=post)
    add_page(bp, f"{entry}/edit", edit_entry_save, roles=EDIT_ROLES, methods=post)
    draft = "/content/drafts/<draft_id:int>"
    add_page(bp, f"{draft}/edit", edit_draft_form, roles=EDIT_ROLES)
    add_page(bp, f"{draft}/edit", edit_draft_save, roles=EDIT_ROLES, methods=post)
    add_page(bp, draft, draft_page, roles=VIEW_ROLES)
    for step, (page, roles) in STEPS.items():
        add_page(bp, f"{draft}/{step}", page, roles=roles, methods=post)
    return bp
