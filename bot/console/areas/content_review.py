"""A draft's page and its steps: submit, discard, approve, ask for changes, publish.

Who may take which step is :data:`STEPS` (the rules, such as never approving one's own
draft, are :mod:`entitlements.workflow`'s); each step, and each refusal, is written to
the audit log. Registered by :func:`bot.console.areas.content.blueprint`.
"""

from __future__ import annotations

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
from bot.console.areas.pages import Page
from bot.console.web import console, render
from entitlements import workflow as wf
from entitlements.model import Entitlement

STEP_WORDS = {
    "created": "Started the draft",
    "edited": "Edited",
    "submitted": "Submitted for approval",
    "approved": "Approved",
    "changes_requested": "Asked for changes",
    "published": "Published",
    "discarded": "Discarded",
}


def _draft_page(
    request: Request, draft_id: int, *, status: int = 200, error: str = "", kept: str = ""
) -> HTTPResponse:
    """A draft's page: its steps, authors, changes against its base, and previews."""
    with console(request).db.connect() as conn:
        try:
            draft = wf.get_draft(conn, draft_id)
        except wf.NotFoundError:
            return not_found(request, "There is no such draft.")
        steps = wf.draft_events(conn, draft_id)
        writers = wf.authors(conn, draft_id)
        base = (
            wf.get_version(conn, draft.entitlement_id, draft.base_version).document
            if draft.base_version is not None
            else {}
        )
        current = wf.published_version(conn, draft.entitlement_id)
    names = staff_names_by_id(request, [s.actor_id for s in steps])
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
                    topics=topic_titles(request),
                    today=today_here(request),
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
                    topics=topic_titles(request),
                    today=today_here(request),
                )
                detail = f"version {draft.published_version} (revision {revision}); "
                done = "published"
            else:
                draft = wf.discard(conn, draft_id, actor=person.staff_id, now=now)
                done = "discarded"
            audit_change(request, conn, step, target, f"{detail}entry {draft.entitlement_id}"[:500])
    except wf.NotFoundError:
        return not_found(request, "There is no such draft.")
    except wf.OwnWorkError as problem:
        audit_refused(request, step, target, "own draft")
        return _draft_page(request, draft_id, status=403, error=str(problem), kept=comment)
    except wf.InvalidDocumentError as problem:
        audit_refused(request, step, target, "fails the checks")
        return _draft_page(
            request,
            draft_id,
            status=400,
            error="It no longer passes the checks (edit it to fix): "
            + "; ".join(f"{p.field}: {p.message}" for p in problem.problems),
        )
    except (wf.StateError, wf.StaleDraftError, sa.exc.IntegrityError) as problem:
        audit_refused(request, step, target, "state changed")
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
