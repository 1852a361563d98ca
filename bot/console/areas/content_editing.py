"""Starting and editing drafts: the editor page, its form checked, previewed and saved.

The form and its previews are :mod:`bot.console.content_form`; the drafts are
:mod:`entitlements.workflow`'s. Content editors (and admins) start a draft of a new or
published entry and edit it until it is submitted. Registered by
:func:`bot.console.areas.content.blueprint`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse, redirect

from bot.console import content_form as cf
from bot.console.areas.content_shared import (
    audit_change,
    audit_refused,
    not_found,
    today_here,
    topic_titles,
)
from bot.console.areas.pages import form_lists
from bot.console.web import console, render
from entitlements import workflow as wf
from entitlements.model import Entitlement
from entitlements.validation import Problem


def _editor(
    request: Request,
    *,
    values: dict[str, Any],
    action: str,
    heading: str,
    is_new: bool,
    problems: list[Problem] | None = None,
    rule_rows: tuple[int, ...] = (),
    amount_rows: tuple[int, ...] = (),
    entry: Entitlement | None = None,
    status: int = 200,
    notice: str = "",
) -> HTTPResponse:
    """The editor page: the form with its problems, reading ages and SMS and web previews."""
    summary, by_field = cf.problems_by_anchor(problems or [], rule_rows, amount_rows)
    ages = cf.reading_ages(values)
    # The preview is of what was typed, even while it still has problems.
    typed = (str(values.get("title") or ""), str(values.get("summary") or ""))
    shown: Entitlement | tuple[str, str] | None = entry or (typed if typed[1].strip() else None)
    return render(
        request,
        "content_edit.html",
        status=status,
        title=heading,
        error=bool(summary),
        heading=heading,
        action=action,
        is_new=is_new,
        values=values,
        errors=summary,
        field_errors=by_field,
        count=cf.summary_count(values.get("title", ""), values.get("summary", "")),
        reading_ages=ages,
        reading_limit=cf.READING_AGE_LIMIT,
        sms=cf.sms_preview(shown) if shown else [],
        web=cf.web_preview(shown) if shown else None,
        choices=cf.choices(),
        notice=notice,
    )


def _values_from_form(data: cf.FormData) -> dict[str, Any]:
    """The form as sent, for showing again: the rows as typed plus one spare."""
    values = cf.form_values(data.document, data.note)
    return values


def new_form(request: Request) -> HTTPResponse:
    """``GET /content/new``: the editor for a new entry."""
    values = cf.form_values(cf.new_document(today_here(request)))
    return _editor(request, values=values, action="/content/new", heading="New entry", is_new=True)


def edit_entry_form(request: Request, entitlement_id: str) -> HTTPResponse:
    """``GET /content/entries/<id>/edit``: the editor (or 303 to the entry's open draft)."""
    with console(request).db.connect() as conn:
        draft = wf.open_draft(conn, entitlement_id)
        current = wf.published_version(conn, entitlement_id)
        if draft is not None:
            where = "/edit" if draft.state == wf.DRAFT else ""
            return redirect(f"/content/drafts/{draft.id}{where}", status=303)
        if current is None:
            return not_found(request)
        document = wf.get_version(conn, entitlement_id, current).document
    return _editor(
        request,
        values=cf.form_values(wf.editable(document)),
        action=f"/content/entries/{entitlement_id}/edit",
        heading=f"Edit {document.get('title', entitlement_id)}",
        is_new=False,
        entry=Entitlement.from_document(document),
    )


def _save(
    request: Request,
    *,
    action: str,
    heading: str,
    is_new: bool,
    save: Callable[[Any, cf.FormData], wf.Draft],
    audit_action: str,
    target: str,
    scope: str,
    expected_id: str | None,
) -> HTTPResponse:
    """Check the editor's form; preview it, or save it with ``save`` and 303 to the draft.

    ``audit_action`` is the audit's action (``draft_create``, ``draft_edit``) and
    ``target`` what a refusal is recorded against.
    """
    state = console(request)
    data = cf.document_from_form(form_lists(request))
    values = _values_from_form(data)
    wanted = request.form.get("action") if request.form else ""
    with state.db.connect() as conn:
        entry, problems = wf.check(
            conn,
            data.document,
            scope=scope,
            topics=topic_titles(request),
            today=today_here(request),
            expected_id=expected_id,
        )
    common: dict[str, Any] = {
        "values": values,
        "action": action,
        "heading": heading,
        "is_new": is_new,
        "rule_rows": data.rule_rows,
        "amount_rows": data.amount_rows,
        "entry": entry,
    }
    if wanted != "save":
        return _editor(request, problems=problems, **common)
    if problems:
        return _editor(request, problems=problems, status=400, **common)
    try:
        with state.db.begin() as conn:
            draft = save(conn, data)
            audit_change(
                request,
                conn,
                audit_action,
                f"draft:{draft.id}",
                f"entry {draft.entitlement_id}",
            )
    except wf.InvalidDocumentError as problem:
        return _editor(request, problems=problem.problems, status=400, **common)
    except wf.NotFoundError as problem:
        return not_found(request, str(problem))
    except wf.StateError as problem:
        audit_refused(request, audit_action, target, "state changed")
        return _editor(request, status=409, notice=f"Not saved: {problem}", **common)
    return redirect(f"/content/drafts/{draft.id}?done=saved", status=303)


def _start_draft(
    request: Request, entitlement_id: str | None, conn: Any, data: cf.FormData
) -> wf.Draft:
    """Start a draft of a new entry (``entitlement_id`` None) or of an existing one."""
    return wf.start_draft(
        conn,
        data.document,
        actor=request.ctx.person.staff_id,
        now=console(request).clock(),
        topics=topic_titles(request),
        today=today_here(request),
        entitlement_id=entitlement_id,
        note=data.note,
    )


def _update_draft(request: Request, draft_id: int, conn: Any, data: cf.FormData) -> wf.Draft:
    """Save the editor's form over draft ``draft_id``."""
    return wf.update_draft(
        conn,
        draft_id,
        data.document,
        actor=request.ctx.person.staff_id,
        now=console(request).clock(),
        topics=topic_titles(request),
        today=today_here(request),
        note=data.note,
    )


def new_save(request: Request) -> HTTPResponse:
    """``POST /content/new``: preview, or save as a new draft."""
    return _save(
        request,
        action="/content/new",
        heading="New entry",
        is_new=True,
        save=functools.partial(_start_draft, request, None),
        audit_action="draft_create",
        target="entry:new",
        scope=wf.NEW_SCOPE,
        expected_id=None,
    )


def edit_entry_save(request: Request, entitlement_id: str) -> HTTPResponse:
    """``POST /content/entries/<id>/edit``: preview, or save as a draft of the entry."""
    with console(request).db.connect() as conn:
        scope = wf.scope_of(conn, entitlement_id)
    if scope is None:
        return not_found(request)
    return _save(
        request,
        action=f"/content/entries/{entitlement_id}/edit",
        heading=f"Edit {topic_titles(request).get(entitlement_id, entitlement_id)}",
        is_new=False,
        save=functools.partial(_start_draft, request, entitlement_id),
        audit_action="draft_create",
        target=f"entry:{entitlement_id}",
        scope=scope,
        expected_id=entitlement_id,
    )


def _draft_or_404(request: Request, draft_id: int) -> wf.Draft | HTTPResponse:
    """Draft ``draft_id``, or a 404 page."""
    with console(request).db.connect() as conn:
        try:
            return wf.get_draft(conn, draft_id)
        except wf.NotFoundError:
            return not_found(request, "There is no such draft.")


def edit_draft_form(request: Request, draft_id: int) -> HTTPResponse:
    """``GET /content/drafts/<id>/edit``: the editor (or 303 to the draft once submitted)."""
    draft = _draft_or_404(request, draft_id)
    if isinstance(draft, HTTPResponse):
        return draft
    if draft.state != wf.DRAFT:
        return redirect(f"/content/drafts/{draft_id}", status=303)
    return _editor(
        request,
        values=cf.form_values(draft.document, draft.note),
        action=f"/content/drafts/{draft_id}/edit",
        heading=f"Edit draft {draft_id}: {draft.document.get('title', '')}",
        is_new=draft.is_new,
        entry=Entitlement.from_document({**draft.document, "scope": draft.scope}),
    )


def edit_draft_save(request: Request, draft_id: int) -> HTTPResponse:
    """``POST /content/drafts/<id>/edit``: preview, or save over the draft."""
    draft = _draft_or_404(request, draft_id)
    if isinstance(draft, HTTPResponse):
        return draft
    return _save(
        request,
        action=f"/content/drafts/{draft_id}/edit",
        heading=f"Edit draft {draft_id}",
        is_new=draft.is_new,
        save=functools.partial(_update_draft, request, draft_id),
        audit_action="draft_edit",
        target=f"draft:{draft_id}",
        scope=draft.scope,
        expected_id=None if draft.is_new else draft.entitlement_id,
    )
