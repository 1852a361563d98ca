"""The unanswered-questions queue: questions the bot could not answer, grouped.

Content editors, content approvers and admins see the queue, and for each group of
questions either attach it to an entry (its wording becomes a new example question of
that entry, published at once, so the bot answers it next time without retraining)
or dismiss it with a reason. Either is allowed to a content editor on their own: an
example question changes which questions find an entry, never what the bot says, so
it needs no second person (``docs/content.md``). The weekly counts are on the queue's
page.

The questions are young people's own words: they are shown only here, and never
written to the audit log (which gets question ids, the entry and its new version).

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot import questions
from bot.console.areas.pages import add_page
from bot.console.roles import ADMIN, CONTENT_APPROVER, CONTENT_EDITOR
from bot.console.web import client_hash, console, error_page, render
from bot.store import audit
from entitlements.examples import ExampleError
from entitlements.store import read_published
from entitlements.workflow import actor_label

QUESTION_ROLES = (CONTENT_EDITOR, CONTENT_APPROVER, ADMIN)
"""Who may see the queue, attach questions to entries and dismiss them."""

WEEKS_SHOWN = 8
MAX_IDS = 1000


def _form(request: Request, field: str) -> str:
    """The form's ``field`` as sent, untrimmed ("" if missing)."""
    return (request.form.get(field) or "") if request.form else ""


def _ids(request: Request) -> list[int] | None:
    """The question ids posted (``question`` fields); ``None`` if any is not an id."""
    raw = request.form.getlist("question") if request.form else []
    if not raw or len(raw) > MAX_IDS or not all(v.isdigit() and len(v) < 12 for v in raw):
        return None
    return sorted({int(v) for v in raw})


def _actor(request: Request) -> str:
    """Who acts, as versions of content record it (``staff:<id>``)."""
    return actor_label(request.ctx.person.staff_id)


def _entries(request: Request) -> list[Any]:
    """The published entries, by title."""
    _revision, entries = read_published(console(request).db)
    return sorted(entries, key=lambda e: e.title.casefold())


def queue_page(request: Request) -> HTTPResponse:
    """``GET /questions``: the groups waiting, and the weekly counts."""
    state = console(request)
    with state.db.connect() as conn:
        groups = questions.queue(conn)
        waiting = questions.count_new(conn)
        weeks = questions.weekly_counts(
            conn, now=state.clock(), weeks=WEEKS_SHOWN, timezone=state.settings.timezone
        )
    titles = {e.id: e.title for e in _entries(request)}
    done = request.args.get("done", "")
    entry_id = request.args.get("entry", "")
    return render(
        request,
        "questions.html",
        title="Unanswered questions",
        groups=groups,
        waiting=waiting,
        weeks=weeks,
        titles=titles,
        done=done if done in ("attached", "dismissed") else "",
        done_title=titles.get(entry_id, ""),
        limit=questions.QUEUE_LIMIT,
    )


def _group_page(
    request: Request,
    group: questions.QuestionGroup,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    chosen: list[int] | None = None,
    entry_id: str = "",
    examples: str | None = None,
    reason: str = "",
) -> HTTPResponse:
    """A group's page: its questions, and the forms to attach or dismiss them."""
    entries = _entries(request)
    guess = group.best_guess or ""
    return render(
        request,
        "questions_group.html",
        status=status,
        title="Questions asked",
        error=bool(errors),
        errors=errors or {},
        group=group,
        entries=entries,
        titles={e.id: e.title for e in entries},
        chosen=set(chosen) if chosen is not None else {q.id for q in group.questions},
        entry_id=entry_id or guess,
        examples="\n".join(group.wordings) if examples is None else examples,
        reason=reason,
        max_example=questions.MAX_EXAMPLES,
    )


def _gone(request: Request) -> HTTPResponse:
    """A 404 page: the group was dealt with (or never was)."""
    return error_page(
        request,
        404,
        "Page not found",
        "These questions are not in the queue any more: someone may have dealt with "
        "them already. Go back to the queue.",
    )


def group_page(request: Request, question_id: int) -> HTTPResponse:
    """``GET /questions/<id>``: the group of question ``id`` (audited, never its words)."""
    state = console(request)
    with state.db.connect() as conn:
        group = questions.group_of(conn, question_id)
    if group is None:
        return _gone(request)
    with state.db.begin() as conn:
        audit.record(
            conn,
            "questions.view_group",
            now=state.clock(),
            staff_id=request.ctx.person.staff_id,
            target=f"question:{group.id}",
            detail=f"{len(group.questions)} question(s)",
            ip_hash=client_hash(request),
        )
    return _group_page(request, group)


def _change(request: Request, action: str) -> HTTPResponse:
    """Attach a group's chosen questions to an entry, or dismiss them; then 303 to the queue."""
    state = console(request)
    group_id = _form(request, "group")
    ids = _ids(request)
    if not group_id.isdigit() or len(group_id) > 11:
        return error_page(
            request,
            400,
            "This did not work",
            "The form was not complete. Go back and try again.",
        )
    with state.db.connect() as conn:
        group = questions.group_of(conn, int(group_id))
    if group is None:
        return _gone(request)
    entry_id = _form(request, "entry").strip()
    examples = _form(request, "examples")
    reason = _form(request, "reason")
    errors: dict[str, str] = {}
    if ids is None:
        errors[f"question-{group.id}"] = "Choose at least one question"
    if action == "attach" and not entry_id:
        errors["entry"] = "Choose the entry that answers these questions"
    if action == "attach" and not examples.strip():
        errors["examples"] = "Write at least one example question"
    if action == "dismiss" and not reason.strip():
        errors["reason"] = "Say why these questions need no answer"
    again = functools.partial(
        _group_page,
        request,
        group,
        chosen=ids or [],
        entry_id=entry_id,
        examples=examples,
        reason=reason,
    )
    if errors or ids is None:
        return again(status=400, errors=errors)
    now = state.clock()

    try:
        with state.db.begin() as conn:
            if action == "attach":
                added = questions.attach(
                    conn,
                    ids,
                    entry_id,
                    examples.splitlines(),
                    actor=_actor(request),
                    now=now,
                )
                target = f"entry:{added.entry_id}"
                detail = (
                    f"questions {','.join(map(str, ids))}; version {added.version}; "
                    f"{len(added.added)} example(s) added"
                )
            else:
                questions.dismiss(conn, ids, reason, actor=_actor(request), now=now)
                target = f"question:{group.id}"
                detail = f"questions {','.join(map(str, ids))} dismissed"
            audit.record(
                conn,
                f"questions.{action}",
                now=now,
                staff_id=request.ctx.person.staff_id,
                target=target[:255],
                detail=detail,
                ip_hash=client_hash(request),
            )
    except questions.AlreadyDealtWith as problem:
        return again(status=409, errors={f"question-{group.id}": str(problem)})
    except (questions.QuestionError, ExampleError) as problem:
        field = "reason" if action == "dismiss" else "examples"
        if isinstance(problem, ExampleError) and entry_id not in {e.id for e in _entries(request)}:
            field = "entry"
        return again(status=400, errors={field: str(problem)})
    if action == "attach":
        return redirect(f"/questions?done=attached&entry={quote(entry_id)}", status=303)
    return redirect("/questions?done=dismissed", status=303)


def attach(request: Request) -> HTTPResponse:
    """``POST /questions/attach``."""
    return _change(request, "attach")


def dismiss(request: Request) -> HTTPResponse:
    """``POST /questions/dismiss``."""
    return _change(request, "dismiss")


def blueprint() -> Blueprint:
    """The questions area: ``/questions`` and its groups."""
    bp = Blueprint("questions")
    add_page(bp, "/questions", queue_page, roles=QUESTION_ROLES, audit_as="questions.view")
    add_page(bp, "/questions/<question_id:int>", group_page, roles=QUESTION_ROLES)
    add_page(bp, "/questions/attach", attach, roles=QUESTION_ROLES, methods=["POST"])
    add_page(bp, "/questions/dismiss", dismiss, roles=QUESTION_ROLES, methods=["POST"])
    return bp
