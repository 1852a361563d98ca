"""What the console's cases area shows and who may see it: inboxes, the manager view, rules.

No Sanic here: the pages in :mod:`bot.console.areas.cases` call these functions, and
unit tests call them on a real database. The business rules of cases, handoffs and
alerts are in :mod:`bot.cases`; this module adds who may see what:

- an admin: everything;
- a team manager: their district's cases, handoffs and alerts;
- a duty worker: their district's safety alerts;
- a personal adviser: only their own caseload (cases and handoffs whose adviser is
  them, alerts for their young people or escalated to them).

A person with several roles sees what each of them gives. Times passed in and handed back
are aware UTC (the console's clock, the tables' :class:`bot.store.types.UtcDateTime`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.cases.model import (
    Case,
    CaseStatus,
    Event,
    Handoff,
    HandoffStatus,
    NotFoundError,
    SafetyAlert,
    alert_from_row,
    case_from_row,
    handoff_from_row,
)
from bot.console.roles import ADMIN, DUTY_WORKER, PERSONAL_ADVISER, TEAM_MANAGER
from bot.store.tables.cases import cases, handoff_events, handoffs, safety_alerts
from bot.store.tables.people import care_leavers, staff
from bot.store.tables.sms import sms_contacts

INBOX_ROLES: tuple[str, ...] = (PERSONAL_ADVISER, DUTY_WORKER, TEAM_MANAGER, ADMIN)
"""Who has an inbox."""
CASE_ROLES: tuple[str, ...] = (PERSONAL_ADVISER, TEAM_MANAGER, ADMIN)
"""Who may open cases and handoffs (duty workers deal with safety alerts only)."""
ALERT_ROLES: tuple[str, ...] = INBOX_ROLES
"""Who may open safety alerts."""
MANAGER_ROLES: tuple[str, ...] = (TEAM_MANAGER, ADMIN)
"""Who has the manager view."""

INBOX_LIMIT = 200
"""Most handoffs and alerts an inbox lists (its cases are paged: :data:`PER_PAGE`)."""

CATEGORY_NAMES = {
    "review_date": "Review date",
    "copy_of_plan": "Copy of plan",
    "change_plan": "Change to plan",
    "disagree": "Disagrees with plan",
    "other": "Other",
}
STAGE_WORDS = {"acknowledge": "Overdue: not acknowledged", "answer": "Overdue: not answered"}


class Viewer(Protocol):
    """Who is looking (a :class:`bot.console.sessions.Person` is one)."""

    @property
    def staff_id(self) -> int: ...  # noqa: D102

    @property
    def district(self) -> str: ...  # noqa: D102

    @property
    def roles(self) -> frozenset[str]: ...  # noqa: D102


def overdue_stage(case: Case, now: dt.datetime) -> str | None:
    """``acknowledge`` or ``answer`` when the case is past that due date (the later one)."""
    if case.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED) and case.answer_due < now:
        return "answer"
    if case.status is CaseStatus.OPEN and case.acknowledge_due < now:
        return "acknowledge"
    return None


# ---- who may see what ------------------------------------------------------------------------


def _has(viewer: Viewer, *roles: str) -> bool:
    return bool(viewer.roles.intersection(roles))


def may_see_case(viewer: Viewer, case: Case) -> bool:
    """True if ``viewer`` may open ``case`` (and act on it)."""
    if _has(viewer, ADMIN):
        return True
    if _has(viewer, TEAM_MANAGER) and case.district == viewer.district:
        return True
    if case.escalated_to == viewer.staff_id and _has(viewer, TEAM_MANAGER):
        return True
    return _has(viewer, PERSONAL_ADVISER) and case.adviser_id == viewer.staff_id


def may_reassign(viewer: Viewer, case: Case) -> bool:
    """True if ``viewer`` may give ``case`` to another PA: an admin, or its district's manager.

    Personal advisers cannot, even their own cases (they ask their team manager).
    """
    if _has(viewer, ADMIN):
        return True
    return _has(viewer, TEAM_MANAGER) and case.district == viewer.district


def may_reopen(viewer: Viewer, case: Case) -> bool:
    """True if ``viewer`` may reopen ``case``: its PA, its district's team manager, or an admin."""
    if may_reassign(viewer, case):
        return True
    return _has(viewer, PERSONAL_ADVISER) and case.adviser_id == viewer.staff_id


def may_see_handoff(viewer: Viewer, handoff: Handoff) -> bool:
    """True if ``viewer`` may open ``handoff`` (and reply in it)."""
    if _has(viewer, ADMIN):
        return True
    if _has(viewer, TEAM_MANAGER) and handoff.district == viewer.district:
        return True
    return _has(viewer, PERSONAL_ADVISER) and handoff.adviser_id == viewer.staff_id


def may_see_alert(viewer: Viewer, alert: SafetyAlert) -> bool:
    """True if ``viewer`` may open ``alert`` (and acknowledge it)."""
    if _has(viewer, ADMIN):
        return True
    if _has(viewer, TEAM_MANAGER, DUTY_WORKER) and alert.district == viewer.district:
        return True
    if alert.escalated_to == viewer.staff_id or alert.acknowledged_by == viewer.staff_id:
        return True
    return _has(viewer, PERSONAL_ADVISER) and alert.adviser_id == viewer.staff_id


# ---- rows as pages show them ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CaseRow:
    """A case in a list, with the young person's preferred name and whether it is late."""

    case: Case
    name: str
    overdue: str | None

    @property
    def category(self) -> str:
        """The category in words."""
        return CATEGORY_NAMES.get(self.case.category, self.case.category)


@dataclasses.dataclass(frozen=True)
class HandoffRow:
    """A handoff in a list, with the young person's preferred name."""

    handoff: Handoff
    name: str


@dataclasses.dataclass(frozen=True)
class AlertRow:
    """A safety alert in a list, with the young person's preferred name (if on record)."""

    alert: SafetyAlert
    name: str


@dataclasses.dataclass(frozen=True)
class Inbox:
    """What one person has to deal with: one page of their cases, their handoffs and alerts.

    Attributes:
        cases: The cases on this page.
        handoffs: Active handoffs (all, up to :data:`INBOX_LIMIT`).
        alerts: Unacknowledged safety alerts (all, up to :data:`INBOX_LIMIT`).
        case_total: How many cases the filter finds, on every page.
        overdue: How many of those are overdue.
        page: This page's number, from 1.
        pages: How many pages there are (at least 1).

    """

    cases: list[CaseRow]
    handoffs: list[HandoffRow]
    alerts: list[AlertRow]
    case_total: int = 0
    overdue: int = 0
    page: int = 1
    pages: int = 1


PER_PAGE = 25
"""Cases on one page of the inbox."""
MAX_PAGE = 100_000
STATUS_FILTERS: tuple[str, ...] = tuple(status.value for status in CaseStatus)
"""The statuses the inbox can be filtered by; no status: every case not closed."""


@dataclasses.dataclass(frozen=True)
class CaseFilter:
    """Which of the cases someone may see the inbox lists.

    Attributes:
        status: Only cases in this status (one of :data:`STATUS_FILTERS`); empty:
            every case not closed.
        overdue: Only cases past a due date they have not met.
        district: Only this district's cases (for team managers and admins); empty: all.

    """

    status: str = ""
    overdue: bool = False
    district: str = ""

    def query(self) -> str:
        """The filter as URL query arguments (without the page), for links."""
        parts = []
        if self.status:
            parts.append(("status", self.status))
        if self.overdue:
            parts.append(("overdue", "yes"))
        if self.district:
            parts.append(("district", self.district))
        return urlencode(parts)

    @property
    def active(self) -> bool:
        """True if anything is filtered."""
        return bool(self.status or self.overdue or self.district)


def parse_case_filter(
    args: Mapping[str, str], districts: Sequence[str]
) -> tuple[CaseFilter, int, dict[str, str]]:
    """The inbox's filter and page from query arguments, and what was wrong with them.

    Args:
        args: The query arguments (the first value of each): ``status``, ``overdue``
            (``yes``), ``district`` and ``page``.
        districts: The districts the viewer may filter by (empty: none).

    Returns:
        The filter (bad values left out), the page (1 if bad) and a message for each
        bad argument, keyed by the id of its field on the page.

    """
    errors: dict[str, str] = {}
    status = (args.get("status") or "").strip().lower()
    if status and status not in STATUS_FILTERS:
        errors["status"] = (
            "Choose a status from the list: " + ", ".join(STATUS_FILTERS) + ", or any not closed"
        )
        status = ""
    overdue_arg = (args.get("overdue") or "").strip().lower()
    if overdue_arg not in ("", "yes"):
        errors["overdue"] = "Overdue only is either ticked or not (overdue=yes)"
    district = (args.get("district") or "").strip()
    if district and district not in districts:
        errors["district"] = (
            "Choose one of your districts: " + ", ".join(districts)
            if districts
            else "You cannot filter by district"
        )
        district = ""
    raw_page = (args.get("page") or "1").strip()
    page = 1
    if raw_page.isascii() and raw_page.isdigit() and 0 < int(raw_page) <= MAX_PAGE:
        page = int(raw_page)
    else:
        errors["page"] = f"The page must be a whole number from 1 to {MAX_PAGE}"
    return CaseFilter(status=status, overdue=overdue_arg == "yes", district=district), page, errors


def _names(engine: Engine, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(care_leavers.c.id, care_leavers.c.preferred_name).where(
                care_leavers.c.id.in_(wanted)
            )
        ).all()
    return {row.id: row.preferred_name for row in rows}


def staff_names(engine: Engine, ids: Iterable[int | None]) -> dict[int, str]:
    """Names of members of staff by id."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(sa.select(staff.c.id, staff.c.name).where(staff.c.id.in_(wanted))).all()
    return {row.id: row.name for row in rows}


def young_person_name(engine: Engine, care_leaver_id: int | None) -> str:
    """A young person's preferred name ("not on record" without one)."""
    if care_leaver_id is None:
        return "not on record"
    return _names(engine, [care_leaver_id]).get(care_leaver_id, "unknown")


def case_rows(engine: Engine, found: Sequence[Case], now: dt.datetime) -> list[CaseRow]:
    """Cases as list rows."""
    names = _names(engine, (c.care_leaver_id for c in found))
    return [
        CaseRow(case=c, name=names.get(c.care_leaver_id, "unknown"), overdue=overdue_stage(c, now))
        for c in found
    ]


def handoff_rows(engine: Engine, found: Sequence[Handoff]) -> list[HandoffRow]:
    """Handoffs as list rows."""
    names = _names(engine, (h.care_leaver_id for h in found))
    return [HandoffRow(handoff=h, name=names.get(h.care_leaver_id, "unknown")) for h in found]


def alert_rows(engine: Engine, found: Sequence[SafetyAlert]) -> list[AlertRow]:
    """Alerts as list rows."""
    names = _names(engine, (a.care_leaver_id for a in found))
    return [
        AlertRow(
            alert=a,
            name=names.get(a.care_leaver_id, "unknown")
            if a.care_leaver_id is not None
            else "not on record",
        )
        for a in found
    ]


# ---- the inbox ---------------------------------------------------------------------------------


def _case_scope(viewer: Viewer) -> sa.ColumnElement[bool] | None:
    """Which cases ``viewer`` sees (None: none; ``true()``: all)."""
    if _has(viewer, ADMIN):
        return sa.true()
    parts: list[sa.ColumnElement[bool]] = []
    if _has(viewer, TEAM_MANAGER):
        parts.append(cases.c.district == viewer.district)
        parts.append(cases.c.escalated_to == viewer.staff_id)
    if _has(viewer, PERSONAL_ADVISER):
        parts.append(cases.c.adviser_id == viewer.staff_id)
    return sa.or_(*parts) if parts else None


def _handoff_scope(viewer: Viewer) -> sa.ColumnElement[bool] | None:
    if _has(viewer, ADMIN):
        return sa.true()
    parts: list[sa.ColumnElement[bool]] = []
    if _has(viewer, TEAM_MANAGER):
        parts.append(handoffs.c.district == viewer.district)
    if _has(viewer, PERSONAL_ADVISER):
        parts.append(handoffs.c.adviser_id == viewer.staff_id)
    return sa.or_(*parts) if parts else None


def _alert_scope(viewer: Viewer) -> sa.ColumnElement[bool] | None:
    if _has(viewer, ADMIN):
        return sa.true()
    parts: list[sa.ColumnElement[bool]] = [
        safety_alerts.c.escalated_to == viewer.staff_id,
    ]
    if _has(viewer, TEAM_MANAGER, DUTY_WORKER):
        parts.append(safety_alerts.c.district == viewer.district)
    if _has(viewer, PERSONAL_ADVISER):
        parts.append(safety_alerts.c.adviser_id == viewer.staff_id)
    return sa.or_(*parts)


def _overdue_clause(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Cases past a due date they have not met (as :func:`overdue_stage` judges)."""
    return sa.or_(
        sa.and_(cases.c.status == CaseStatus.OPEN.value, cases.c.acknowledge_due < now),
        sa.and_(
            cases.c.status.in_([CaseStatus.OPEN.value, CaseStatus.ACKNOWLEDGED.value]),
            cases.c.answer_due < now,
        ),
    )


def inbox(
    engine: Engine,
    viewer: Viewer,
    now: dt.datetime,
    *,
    filters: CaseFilter | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Inbox:
    """The cases, active handoffs and unacknowledged alerts ``viewer`` has.

    Cases are filtered (by default: every case not closed) and paged, most urgent
    first (the earlier answer due date); a page past the last shows the last.
    Handoffs and alerts come oldest first, up to :data:`INBOX_LIMIT` each.
    """
    chosen = filters or CaseFilter()
    found_cases: list[Case] = []
    found_handoffs: list[Handoff] = []
    found_alerts: list[SafetyAlert] = []
    total = late = 0
    pages = shown = 1
    with engine.connect() as conn:
        scope = _case_scope(viewer)
        if scope is not None:
            where = [scope]
            if chosen.status:
                where.append(cases.c.status == chosen.status)
            else:
                where.append(cases.c.status != CaseStatus.CLOSED.value)
            if chosen.district:
                where.append(cases.c.district == chosen.district)
            if chosen.overdue:
                where.append(_overdue_clause(now))
            total = int(
                conn.execute(sa.select(sa.func.count()).select_from(cases).where(*where)).scalar()
                or 0
            )
            late = int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(cases)
                    .where(*where, _overdue_clause(now))
                ).scalar()
                or 0
            )
            pages = max(1, -(-total // per_page))
            shown = min(max(page, 1), pages)
            found_cases = [
                case_from_row(row)
                for row in conn.execute(
                    sa.select(cases)
                    .where(*where)
                    .order_by(cases.c.answer_due, cases.c.id)
                    .limit(per_page)
                    .offset((shown - 1) * per_page)
                ).all()
            ]
        scope = _handoff_scope(viewer)
        if scope is not None:
            found_handoffs = [
                handoff_from_row(row)
                for row in conn.execute(
                    sa.select(handoffs)
                    .where(scope, handoffs.c.status == HandoffStatus.ACTIVE.value)
                    .order_by(handoffs.c.started_at, handoffs.c.id)
                    .limit(INBOX_LIMIT)
                ).all()
            ]
        scope = _alert_scope(viewer)
        if scope is not None:
            found_alerts = [
                alert_from_row(row)
                for row in conn.execute(
                    sa.select(safety_alerts)
                    .where(scope, safety_alerts.c.acknowledged_at.is_(None))
                    .order_by(safety_alerts.c.raised_at, safety_alerts.c.id)
                    .limit(INBOX_LIMIT)
                ).all()
            ]
    return Inbox(
        cases=case_rows(engine, found_cases, now),
        handoffs=handoff_rows(engine, found_handoffs),
        alerts=alert_rows(engine, found_alerts),
        case_total=total,
        overdue=late,
        page=shown,
        pages=pages,
    )


# ---- the manager view ----------------------------------------------------------------------


def districts(engine: Engine) -> list[str]:
    """Every district on record (staff or young people), sorted."""
    with engine.connect() as conn:
        found = {row[0] for row in conn.execute(sa.select(staff.c.district).distinct())}
        found |= {row[0] for row in conn.execute(sa.select(care_leavers.c.district).distinct())}
    return sorted(d for d in found if d)


def manager_districts(engine: Engine, viewer: Viewer) -> list[str]:
    """The districts ``viewer`` oversees: all for an admin, their own for a team manager."""
    if _has(viewer, ADMIN):
        return districts(engine)
    if _has(viewer, TEAM_MANAGER):
        return [viewer.district]
    return []


# ---- handoffs and SMS ----------------------------------------------------------------------


def messages_and_replies(events: Sequence[Event]) -> list[Event]:
    """The young person's messages and the staff replies of a handoff's history."""
    return [e for e in events if e.action in ("message", "replied")]


def sms_number(engine: Engine, conversation_id: str | None) -> str | None:
    """The phone number of an SMS conversation (``sms_contacts``), if known."""
    if not conversation_id:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(sms_contacts.c.number).where(
                sms_contacts.c.conversation_id == conversation_id
            )
        ).first()
    return row.number if row is not None else None


def last_reply_event_id(engine: Engine, handoff_id: int, staff_id: int) -> int:
    """The id of ``staff_id``'s latest reply in a handoff's history (for a dedupe key)."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(sa.func.max(handoff_events.c.id)).where(
                handoff_events.c.handoff_id == handoff_id,
                handoff_events.c.action == "replied",
                handoff_events.c.staff_id == staff_id,
            )
        ).scalar()
    return int(found or 0)


def get_alert(engine: Engine, alert_id: int) -> SafetyAlert:
    """A safety alert by id.

    Raises:
        NotFoundError: No such alert.

    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(safety_alerts).where(safety_alerts.c.id == alert_id)).first()
    if row is None:
        raise NotFoundError(f"no safety alert with id {alert_id}")
    return alert_from_row(row)


def get_handoff(engine: Engine, handoff_id: int) -> Handoff:
    """A handoff by id.

    Raises:
        NotFoundError: No such handoff.

    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(handoffs).where(handoffs.c.id == handoff_id)).first()
    if row is None:
        raise NotFoundError(f"no handoff with id {handoff_id}")
    return handoff_from_row(row)
