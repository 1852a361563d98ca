"""Export and import of the whole published content, as a zip of content files.

For content approvers and admins only: an import publishes every entry in it at
once, so it is an approver's act, like approving a change (``docs/content.md``).
The zip holds ``national/<id>.yaml`` and ``local/<id>.yaml``, as
``python -m bot export-content`` writes them. An upload is checked as a whole first
(every problem listed with its file, field and what is wrong); nothing is published
unless every file is right, and then all of it in one transaction.

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from bot import content_files
from bot.console.areas.pages import add_page
from bot.console.roles import ADMIN, CONTENT_APPROVER
from bot.console.web import audit_action, console, render
from entitlements.loader import ContentError
from entitlements.store import read_published
from entitlements.workflow import actor_label

CONTENT_FILES_ROLES = (CONTENT_APPROVER, ADMIN)
"""Who may download the whole content and replace it with an upload."""


def _audit(request: Request, action: str, detail: str) -> None:
    """Audit ``action`` on the content as a whole."""
    audit_action(request, action, "content", detail)


def _page(request: Request, *, status: int = 200, **context: object) -> HTTPResponse:
    """The export and import page, with an upload's problems, warnings or report."""
    state = console(request)
    revision, entries = read_published(state.db)
    scopes = {s: sum(1 for e in entries if e.scope == s) for s in ("national", "local")}
    values: dict[str, object] = {
        "problems": [],
        "warnings": [],
        "report": None,
        "upload_error": "",
        **context,
    }
    return render(
        request,
        "content_files.html",
        status=status,
        title="Export and import content",
        error=bool(values["problems"] or values["upload_error"]),
        revision=revision,
        scopes=scopes,
        council_name=state.settings.council_name or "",
        **values,
    )


def files_page(request: Request) -> HTTPResponse:
    """``GET /content-files``."""
    return _page(request)


def export(request: Request) -> HTTPResponse:
    """``GET /content-files/export.zip``: all published content as a zip of YAML files."""
    state = console(request)
    data = content_files.export_zip(state.db)
    day = state.clock().date().isoformat()
    _audit(request, "content.export", f"{len(data)} bytes")
    return raw(
        data,
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="content-{day}.zip"'},
    )


def upload(request: Request) -> HTTPResponse:
    """``POST /content-files/import``: check a zip as a whole; publish all of it or none."""
    state = console(request)
    sent = request.files.get("file") if request.files else None
    if sent is None or not sent.body:
        return _page(request, status=400, upload_error="Choose the zip file to import")
    actor = actor_label(request.ctx.person.staff_id)
    try:
        content, report = content_files.import_zip(state.db, sent.body, state.settings, actor=actor)
    except ContentError as exc:
        _audit(request, "content.import_rejected", f"{len(exc.problems)} problem(s)")
        return _page(request, status=400, problems=exc.problems)
    _audit(
        request,
        "content.import",
        f"revision {report.revision}: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.retired)} retired",
    )
    return _page(request, report=report, warnings=list(content.warnings))


def blueprint() -> Blueprint:
    """The content files area: ``/content-files``, its zip download and its upload."""
    bp = Blueprint("content_files")
    add_page(bp, "/content-files", files_page, roles=CONTENT_FILES_ROLES)
    add_page(bp, "/content-files/export.zip", export, roles=CONTENT_FILES_ROLES)
    add_page(bp, "/content-files/import", upload, roles=CONTENT_FILES_ROLES, methods=["POST"])
    return bp
