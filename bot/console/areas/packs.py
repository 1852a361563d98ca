"""The packs area: care leavers' entitlements packs, to print or to send by SMS.

``/packs`` lists the care leavers the signed-in person may see (:mod:`bot.console.packs`)
with their latest pack; ``/packs/<id>`` shows what a pack for them holds today, ready
to print, and its history; ``POST /packs/<id>/send`` texts them a new pack, and
``POST /packs/<id>/printed`` records one printed and given to them (CSRF checked by
the app, the permission checked here, written to the audit log with the record's id
only).

Each page is a module-level function run off the event loop (see
:mod:`bot.console.areas.pages`); :func:`blueprint` registers them in one place.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot.console import packs as pack_rules
from bot.console.areas.pages import add_page
from bot.console.web import audit_action, console, error_page, render
from bot.packs import service

NOT_YOURS = "This young person is not in your caseload or district. Ask your team manager."
SENT_WORDS = {
    "sms": "The pack is queued to be texted to them.",
    "outbox": "The pack is in the SMS outbox (demo mode: texts are not sent).",
    "opted_out": "Not sent: they replied STOP to texts. Print the pack and give it to them.",
    "no_mobile": "Not sent: there is no mobile number on record. Print the pack instead.",
    "printed": "Recorded: the pack was printed and given to them.",
}


def _allowed(request: Request, care_leaver_id: int) -> service.Recipient | HTTPResponse:
    """The care leaver if the person may see them, else a 404 or 403 page (audited)."""
    who = service.recipient(console(request).db, care_leaver_id)
    if who is None:
        return error_page(request, 404, "Page not found", "There is no young person with that id.")
    if not pack_rules.may_see(request.ctx.person, who.person.district, who.adviser_id):
        audit_action(
            request,
            "forbidden",
            f"{request.method} {request.path}"[:255],
            f"not theirs: care_leaver:{care_leaver_id}",
        )
        return error_page(request, 403, "You cannot use this page", NOT_YOURS)
    return who


def list_page(request: Request) -> HTTPResponse:
    """``GET /packs``: the care leavers the person may see, with their latest pack."""
    rows = pack_rules.listing(console(request).db, request.ctx.person)
    return render(
        request,
        "packs.html",
        title="Entitlements packs",
        rows=rows,
        limit=pack_rules.LIST_LIMIT,
    )


def pack_page(request: Request, care_leaver_id: int) -> HTTPResponse:
    """``GET /packs/<id>``: what a pack for them holds today, and its history."""
    found = _allowed(request, care_leaver_id)
    if isinstance(found, HTTPResponse):
        return found
    state = console(request)
    audit_action(request, "pack.view", f"care_leaver:{care_leaver_id}")
    view = service.view_for_staff(state.db, care_leaver_id, state.clock())
    return render(
        request,
        "pack.html",
        title=f"Entitlements pack: {found.person.preferred_name}",
        who=found,
        view=view,
        history=pack_rules.history(state.db, care_leaver_id),
        sent=SENT_WORDS.get(request.args.get("sent", ""), ""),
        expiry_days=state.settings.pack_expiry_days,
    )


def _make(request: Request, care_leaver_id: int, channel: str) -> HTTPResponse:
    """Make a pack and text it (``sms``) or record it printed (``print``); 303 back."""
    found = _allowed(request, care_leaver_id)
    if isinstance(found, HTTPResponse):
        return found
    state = console(request)
    before = pack_rules.history(state.db, care_leaver_id)
    had_one = any(p.sent_at is not None for p in before)
    result = service.make_pack(
        state.db,
        state.settings,
        found,
        reason="resend" if had_one else "first",
        now=state.clock(),
        channel=channel,
        created_by=request.ctx.person.staff_id,
        clock=state.clock,
    )
    if channel == "print":
        outcome = "printed"
    else:
        outcome = result.not_sent_reason or ("outbox" if state.settings.demo_mode else "sms")
    audit_action(
        request,
        "pack.send" if channel == "sms" else "pack.printed",
        f"care_leaver:{care_leaver_id}",
        f"pack {result.pack_id}: {outcome}",
    )
    return redirect(f"/packs/{care_leaver_id}?sent={outcome}", status=303)


def send(request: Request, care_leaver_id: int) -> HTTPResponse:
    """``POST /packs/<id>/send``."""
    return _make(request, care_leaver_id, "sms")


def printed(request: Request, care_leaver_id: int) -> HTTPResponse:
    """``POST /packs/<id>/printed``."""
    return _make(request, care_leaver_id, "print")


def blueprint() -> Blueprint:
    """The packs area."""
    bp = Blueprint("packs")
    add_page(bp, "/packs", list_page, roles=pack_rules.PACK_ROLES, audit_as="packs.view")
    add_page(bp, "/packs/<care_leaver_id:int>", pack_page, roles=pack_rules.PACK_ROLES)
    add_page(
        bp, "/packs/<care_leaver_id:int>/send", send, roles=pack_rules.PACK_ROLES, methods=["POST"]
    )
    add_page(
        bp,
        "/packs/<care_leaver_id:int>/printed",
        printed,
        roles=pack_rules.PACK_ROLES,
        methods=["POST"],
    )
    return bp
