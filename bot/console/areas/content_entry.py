"""A published entry's page, its versions compared, and rolling back to an older version.

Anyone with a content role sees an entry and compares versions; content approvers
(and admins) roll back, which publishes the old version again only if it passes
today's checks. Registered by :func:`bot.console.areas.content.blueprint`.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sanic import Request
from sanic.response import HTTPResponse, redirect

from bot.console import content_form as cf
from bot.console.areas.content_shared import (
    APPROVE_ROLES,
    DONE,
    EDIT_ROLES,
    audit_change,
    audit_refused,
    not_found,
    staff_names_by_id,
    today_here,
    topic_titles,
)
from bot.console.web import console, error_page, render
from entitlements import workflow as wf
from entitlements.model import Entitlement

ORIGIN_WORDS = {
    "files": "Loaded from the content files",
    "console": "Published in the console",
    "rollback": "Rolled back in the console",
}


def _who(names: Mapping[int, str], created_by: str | None) -> str:
    """Who made a version, in words (a member of staff, or where it came from)."""
    staff_id = wf.staff_id_of(created_by)
    if staff_id is not None:
        return names.get(staff_id, f"staff {staff_id}")
    return created_by or "The content files"


def _entry_page(
    request: Request, entitlement_id: str, *, status: int = 200, error: str = ""
) -> HTTPResponse:
    """An entry's page: the published version, its history, open drafts and previews."""
    with console(request).db.connect() as conn:
        try:
            history = wf.versions(conn, entitlement_id)
        except wf.NotFoundError:
            return not_found(request)
        current = wf.published_version(conn, entitlement_id)
        draft = wf.open_draft(conn, entitlement_id)
        drafts = wf.drafts_of(conn, entitlement_id)
    shown = next((v for v in history if v.version == current), history[0])
    names = staff_names_by_id(request, (v.actor_id for v in history))
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
            return not_found(request, str(problem))
    names = staff_names_by_id(request, (old.actor_id, new.actor_id))
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
                topics=topic_titles(request),
                today=today_here(request),
            )
            audit_change(
                request,
                conn,
                "rollback",
                target,
                f"to version {raw} as version {version} (revision {revision}); why: {reason}",
            )
    except wf.NotFoundError as problem:
        return not_found(request, str(problem))
    except wf.InvalidDocumentError as problem:
        audit_refused(request, "rollback", target, "old version fails today's checks")
        return _entry_page(
            request,
            entitlement_id,
            status=400,
            error="That version does not pass today's checks, so it cannot be published "
            "again: " + "; ".join(f"{p.field}: {p.message}" for p in problem.problems),
        )
    except (wf.StateError, sa.exc.IntegrityError):
        audit_refused(request, "rollback", target, "changed at the same time")
        return _entry_page(
            request,
            entitlement_id,
            status=409,
            error="Not done: the entry was changed just now. Look at it again below.",
        )
    except wf.WorkflowError as problem:
        return _entry_page(request, entitlement_id, status=400, error=str(problem))
    return redirect(f"/content/entries/{entitlement_id}?done=rolled_back", status=303)
