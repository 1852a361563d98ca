"""The content area: edit, review, approve, publish and roll back entitlement entries.

The rules are in :mod:`entitlements.workflow` (states, who may approve, conditional
changes, versions); the form and its previews in :mod:`bot.console.content_form`. Here:
who may use which page (content editors edit and submit; content approvers approve,
publish and roll back; admins may do both, but never approve their own draft; everyone
else gets 403), and the audit log, written in the same transaction as each change.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot.console import caseload
from bot.console import content_form as cf
from bot.console.areas.pages import Page, add_page, form_lists
from bot.console.roles import ADMIN, CONTENT_APPROVER, CONTENT_EDITOR
from bot.console.web import audit_action, client_hash, console, error_page, render
from bot.store import audit
from entitlements import workflow as wf
from entitlements.loader import load_topics
from entitlements.model import Entitlement
from entitlements.validation import Problem

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
STEP_WORDS = {
    "created": "Started the draft",
    "edited": "Edited",
    "submitted": "Submitted for approval",
    "approved": "Approved",
    "changes_requested": "Asked for changes",
    "published": "Published",
    "discarded": "Discarded",
}
ORIGIN_WORDS = {
    "files": "Loaded from the content files",
    "console": "Published in the console",
    "rollback": "Rolled back in the console",
}


def _today(request: Request) -> dt.date:
    """Today's date where the service is (its timezone), by the console's clock."""
    state = console(request)
    now = state.clock().replace(tzinfo=dt.timezone.utc)
    return now.astimezone(ZoneInfo(state.settings.timezone)).date()


def _topics(request: Request) -> dict[str, str]:
    """The entitlement topics (id: title) from the topics file."""
    return load_topics(console(request).settings.topics_file)


def _refused(request: Request, action: str, target: str, reason: str) -> None:
    """Audit ``content.<action>_refused`` (in its own transaction: the change was not made)."""
    audit_action(request, f"content.{action}_refused", target, reason)


def _record(request: Request, conn: Any, action: str, target: str, detail: str = "") -> None:
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


def _names(request: Request, ids: Iterable[int | None]) -> dict[int, str]:
    """Staff names by id."""
    return caseload.staff_names(console(request).db, ids)


def _who(names: Mapping[int, str], created_by: str | None) -> str:
    """Who made a version, in words (a member of staff, or where it came from)."""
    staff_id = wf.staff_id_of(created_by)
    if staff_id is not None:
        return names.get(staff_id, f"staff {staff_id}")
    return created_by or "The content files"


def _not_found(request: Request, message: str = "There is no such entry.") -> HTTPResponse:
    """A 404 page saying what is not there."""
    return error_page(request, 404, "Page not found", message)


def _conflict(request: Request, title: str, message: str, status: int = 409) -> HTTPResponse:
    """An error page (409 by default)."""
    return error_page(request, status, title, message)


# ---- the editor ----------------------------------------------------------------------------


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


# ---- lists ---------------------------------------------------------------------------


def content_list(request: Request) -> HTTPResponse:
    """``GET /content``: every entry and its state."""
    with console(request).db.connect() as conn:
        rows = wf.entries(conn)
        due = wf.due_for_review(conn, _today(request))
    return render(
        request,
        "content_list.html",
        title="Entitlement content",
        rows=rows,
        due_count=len(due),
        state_names=wf.STATE_NAMES,
        can_edit=request.ctx.person.has_any(*EDIT_ROLES),
        today=_today(request),
    )


def due_list(request: Request) -> HTTPResponse:
    """``GET /content/due``: entries due for review."""
    with console(request).db.connect() as conn:
        due = wf.due_for_review(conn, _today(request))
    return render(
        request,
        "content_due.html",
        title="Due for review",
        due=due,
        window=wf.REVIEW_WINDOW_DAYS,
        names=_names(request, (d.owner_id for d in due)),
    )


# ---- an entry, its versions, compare and roll back -----------------------------------


def _entry_page(
    request: Request, entitlement_id: str, *, status: int = 200, error: str = ""
) -> HTTPResponse:
    """An entry's page: the published version, its history, open drafts and previews."""
    with console(request).db.connect() as conn:
        try:
            history = wf.versions(conn, entitlement_id)
        except wf.NotFoundError:
            return _not_found(request)
        current = wf.published_version(conn, entitlement_id)
        draft = wf.open_draft(conn, entitlement_id)
        drafts = wf.drafts_of(conn, entitlement_id)
    shown = next((v for v in history if v.version == current), history[0])
    names = _names(request, (v.actor_id for v in history))
    entry = Entitlement.from_document(shown.document)
    return render(
        request,
        "content_entry.html",
        status=status,
        title=entry.title,
        error=error,
        entry=entry,
        document=shown.document,
        current=current,
        history=[
            {
                "version": v.version,
                "at": v.created_at,
                "who": _who(names, v.created_by),
                "how": ORIGIN_WORDS.get(v.origin, v.origin),
                "note": v.note or "",
            }
            for v in history
        ],
        draft=draft,
        drafts=drafts,
        state_names=wf.STATE_NAMES,
        can_edit=request.ctx.person.has_any(*EDIT_ROLES),
        can_approve=request.ctx.person.has_any(*APPROVE_ROLES),
        sms=cf.sms_preview(entry),
        web=cf.web_preview(entry),
        done=DONE.get(request.args.get("done", ""), ""),
    )


def entry_page(request: Request, entitlement_id: str) -> HTTPResponse:
    """``GET /content/entries/<id>``."""
    return _entry_page(request, entitlement_id)


def compare_page(request: Request, entitlement_id: str) -> HTTPResponse:
    """``GET /content/entries/<id>/compare?a=&b=``: two versions side by side."""
    raw_a, raw_b = request.args.get("a", ""), request.args.get("b", "")
    if not (raw_a.isdigit() and raw_b.isdigit()) or len(raw_a) > 9 or len(raw_b) > 9:
        return error_page(
            request,
            400,
            "Choose two versions",
            "Choose the two versions to compare, by their numbers.",
        )
    with console(request).db.connect() as conn:
        try:
            old = wf.get_version(conn, entitlement_id, int(raw_a))
            new = wf.get_version(conn, entitlement_id, int(raw_b))
        except wf.NotFoundError as problem:
            return _not_found(request, str(problem))
    names = _names(request, (old.actor_id, new.actor_id))
    return render(
        request,
        "content_compare.html",
        title=f"Compare versions {old.version} and {new.version}",
        entitlement_id=entitlement_id,
        old=old,
        new=new,
        old_who=_who(names, old.created_by),
        new_who=_who(names, new.created_by),
        rows=wf.compare(old.document, new.document),
    )


def rollback(request: Request, entitlement_id: str) -> HTTPResponse:
    """``POST /content/entries/<id>/rollback``: publish an old version again (approvers)."""
    state = console(request)
    raw = (request.form.get("version") or "").strip()
    reason = wf.clean_note(request.form.get("reason"))
    target = f"entry:{entitlement_id}"
    if not raw.isdigit() or len(raw) > 9:
        return _entry_page(
            request, entitlement_id, status=400, error="Choose the version to go back to"
        )
    try:
        with state.db.begin() as conn:
            version, revision = wf.rollback(
                conn,
                entitlement_id,
                int(raw),
                actor=request.ctx.person.staff_id,
                reason=reason,
                now=state.clock(),
                topics=_topics(request),
                today=_today(request),
            )
            _record(
                request,
                conn,
                "rollback",
                target,
                f"to version {raw} as version {version} (revision {revision}); why: {reason}",
            )
    except wf.NotFoundError as problem:
        return _not_found(request, str(problem))
    except wf.InvalidDocumentError as problem:
        _refused(request, "rollback", target, "old version fails today's checks")
        return _entry_page(
            request,
            entitlement_id,
            status=400,
            error="That version does not pass today's checks, so it cannot be published "
            "again: " + "; ".join(f"{p.field}: {p.message}" for p in problem.problems),
        )
    except (wf.StateError, sa.exc.IntegrityError):
        _refused(request, "rollback", target, "changed at the same time")
        return _entry_page(
            request,
            entitlement_id,
            status=409,
            error="Not done: the entry was changed just now. Look at it again below.",
        )
    except wf.WorkflowError as problem:
        return _entry_page(request, entitlement_id, status=400, error=str(problem))
    return redirect(f"/content/entries/{entitlement_id}?done=rolled_back", status=303)


# ---- starting and editing drafts -----------------------------------------------------


def new_form(request: Request) -> HTTPResponse:
    """``GET /content/new``: the editor for a new entry."""
    values = cf.form_values(cf.new_document(_today(request)))
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
            return _not_found(request)
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
            topics=_topics(request),
            today=_today(request),
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
            _record(
                request,
                conn,
                audit_action,
                f"draft:{draft.id}",
                f"entry {draft.entitlement_id}",
            )
    except wf.InvalidDocumentError as problem:
        return _editor(request, problems=problem.problems, status=400, **common)
    except wf.NotFoundError as problem:
        return _not_found(request, str(problem))
    except wf.StateError as problem:
        _refused(request, audit_action, target, "state changed")
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
        topics=_topics(request),
        today=_today(request),
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
        topics=_topics(request),
        today=_today(request),
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
        return _not_found(request)
    return _save(
        request,
        action=f"/content/entries/{entitlement_id}/edit",
        heading=f"Edit {_topics(request).get(entitlement_id, entitlement_id)}",
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
            return _not_found(request, "There is no such draft.")


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


# ---- a draft and its steps -----------------------------------------------------------


def _draft_page(
    request: Request, draft_id: int, *, status: int = 200, error: str = "", kept: str = ""
) -> HTTPResponse:
    """A draft's page: its steps, authors, changes against its base, and previews."""
    with console(request).db.connect() as conn:
        try:
            draft = wf.get_draft(conn, draft_id)
        except wf.NotFoundError:
            return _not_found(request, "There is no such draft.")
        steps = wf.draft_events(conn, draft_id)
        writers = wf.authors(conn, draft_id)
        base = (
            wf.get_version(conn, draft.entitlement_id, draft.base_version).document
            if draft.base_version is not None
            else {}
        )
        current = wf.published_version(conn, draft.entitlement_id)
    names = _names(request, [s.actor_id for s in steps])
    entry = Entitlement.from_document({**draft.document, "scope": draft.scope})
    person = request.ctx.person
    return render(
        request,
        "content_draft.html",
        status=status,
        title=f"Draft {draft.id}: {entry.title}",
        error=error,
        kept=kept,
        draft=draft,
        entry=entry,
        state_name=wf.STATE_NAMES.get(draft.state, draft.state),
        steps=[
            {
                "at": s.at,
                "who": names.get(s.actor_id or 0, "unknown"),
                "what": STEP_WORDS.get(s.action, s.action),
                "comment": s.comment or "",
            }
            for s in steps
        ],
        writers=sorted(names.get(w, f"staff {w}") for w in writers),
        rows=wf.compare(base, draft.document),
        stale=draft.is_open and draft.base_version != current,
        can_edit=person.has_any(*EDIT_ROLES),
        can_approve=person.has_any(*APPROVE_ROLES),
        wrote_it=person.staff_id in writers,
        sms=cf.sms_preview(entry),
        web=cf.web_preview(entry),
        count=cf.summary_count(entry.title, entry.summary),
        reading_ages=cf.reading_ages(cf.form_values(draft.document)),
        reading_limit=cf.READING_AGE_LIMIT,
        done=DONE.get(request.args.get("done", ""), ""),
    )


def draft_page(request: Request, draft_id: int) -> HTTPResponse:
    """``GET /content/drafts/<id>``."""
    return _draft_page(request, draft_id)


def _step(request: Request, draft_id: int, step: str) -> HTTPResponse:
    """Submit, approve, send back (``changes``), publish or discard a draft, then 303."""
    state = console(request)
    person = request.ctx.person
    now = state.clock()
    comment = wf.clean_note(request.form.get("comment") if request.form else "")
    target = f"draft:{draft_id}"
    try:
        with state.db.begin() as conn:
            detail = ""
            if step == "submit":
                draft = wf.submit(
                    conn,
                    draft_id,
                    actor=person.staff_id,
                    now=now,
                    topics=_topics(request),
                    today=_today(request),
                )
                done = "submitted"
            elif step == "approve":
                draft = wf.approve(conn, draft_id, actor=person.staff_id, now=now)
                done = "approved"
            elif step == "changes":
                draft = wf.request_changes(
                    conn, draft_id, actor=person.staff_id, comment=comment, now=now
                )
                done = "changes"
            elif step == "publish":
                draft, revision = wf.publish(
                    conn,
                    draft_id,
                    actor=person.staff_id,
                    now=now,
                    topics=_topics(request),
                    today=_today(request),
                )
                detail = f"version {draft.published_version} (revision {revision}); "
                done = "published"
            else:
                draft = wf.discard(conn, draft_id, actor=person.staff_id, now=now)
                done = "discarded"
            _record(request, conn, step, target, f"{detail}entry {draft.entitlement_id}"[:500])
    except wf.NotFoundError:
        return _not_found(request, "There is no such draft.")
    except wf.OwnWorkError as problem:
        _refused(request, step, target, "own draft")
        return _draft_page(request, draft_id, status=403, error=str(problem), kept=comment)
    except wf.InvalidDocumentError as problem:
        _refused(request, step, target, "fails the checks")
        return _draft_page(
            request,
            draft_id,
            status=400,
            error="It no longer passes the checks (edit it to fix): "
            + "; ".join(f"{p.field}: {p.message}" for p in problem.problems),
        )
    except (wf.StateError, wf.StaleDraftError, sa.exc.IntegrityError) as problem:
        _refused(request, step, target, "state changed")
        message = str(problem) if isinstance(problem, wf.WorkflowError) else "Changed just now."
        return _draft_page(
            request, draft_id, status=409, error=f"Not done: {message}", kept=comment
        )
    except wf.WorkflowError as problem:
        return _draft_page(request, draft_id, status=400, error=str(problem), kept=comment)
    if done == "published":
        return redirect(f"/content/entries/{draft.entitlement_id}?done=published", status=303)
    return redirect(f"/content/drafts/{draft_id}?done={done}", status=303)


def draft_submit(request: Request, draft_id: int) -> HTTPResponse:
    """``POST /content/drafts/<id>/submit`` (editors)."""
    return _step(request, draft_id, "submit")


def draft_discard(request: Request, draft_id: int) -> HTTPResponse:
    """``POST /content/drafts/<id>/discard`` (editors)."""
    return _step(request, draft_id, "discard")


def draft_approve(request: Request, draft_id: int) -> HTTPResponse:
    """``POST /content/drafts/<id>/approve`` (approvers; never their own draft)."""
    return _step(request, draft_id, "approve")


def draft_changes(request: Request, draft_id: int) -> HTTPResponse:
    """``POST /content/drafts/<id>/changes``: send it back with a comment (approvers)."""
    return _step(request, draft_id, "changes")


def draft_publish(request: Request, draft_id: int) -> HTTPResponse:
    """``POST /content/drafts/<id>/publish`` (approvers)."""
    return _step(request, draft_id, "publish")


STEPS: dict[str, tuple[Page, tuple[str, ...]]] = {
    "submit": (draft_submit, EDIT_ROLES),
    "discard": (draft_discard, EDIT_ROLES),
    "approve": (draft_approve, APPROVE_ROLES),
    "changes": (draft_changes, APPROVE_ROLES),
    "publish": (draft_publish, APPROVE_ROLES),
}
"""A draft's steps: their page and who may take them."""


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
