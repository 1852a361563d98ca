"""When a young person's PA or district changes, their open items follow them.

Who may open a case, a handoff or a safety alert in the console follows the item's
own PA (``adviser_id``) and district, set when it was made. So when a young person
moves to another PA (the care leavers import, :mod:`bot.people.importer`) or another
district, :func:`follow_young_person` gives their **open** items to the PA and district
on record now, in the caller's transaction:

- cases not closed, handoffs still active, safety alerts nobody has acknowledged;
- each change is a ``reassigned`` entry in the item's own history (by the service,
  with who it was with, who has it now, the districts when they change, and why);
- on a change of district an item's escalation mark is cleared too (it was raised to
  the old district's team manager, who would otherwise keep it): a late case or an
  alert still waiting is escalated afresh, to the new district's team manager.

Closed cases, returned handoffs and acknowledged alerts stay as they were: they are
the record of who did the work. The district's team manager and admins see them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases import history
from bot.cases.model import SYSTEM, Actor, CaseStatus, HandoffStatus
from bot.store.tables.cases import cases, handoffs, safety_alerts
from bot.store.tables.people import staff


@dataclasses.dataclass(frozen=True)
class Moved:
    """How many of one young person's open items were given to their PA now."""

    cases: int = 0
    handoffs: int = 0
    alerts: int = 0

    @property
    def total(self) -> int:
        """All of them."""
        return self.cases + self.handoffs + self.alerts


def _name(conn: Connection, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    name = conn.execute(sa.select(staff.c.name).where(staff.c.id == staff_id)).scalar()
    return str(name) if name is not None else None


def _differs(column: Any, value: Any) -> sa.ColumnElement[bool]:
    """``column`` is not ``value`` (NULL counting as a value)."""
    if value is None:
        return column.is_not(None)  # type: ignore[no-any-return]
    return sa.or_(column.is_(None), column != value)


def follow_young_person(
    conn: Connection,
    care_leaver_id: int,
    *,
    adviser_id: int | None,
    district: str,
    now: dt.datetime,
    reason: str,
    actor: Actor = SYSTEM,
) -> Moved:
    """Give the young person's open items to ``adviser_id`` in ``district``, audited.

    Args:
        conn: A connection in the transaction that changed their record.
        care_leaver_id: The young person.
        adviser_id: Their PA now (None: their district's team manager takes the items).
        district: Their district now.
        now: When (aware UTC).
        reason: Why, for each item's history ("their PA changed in the care leavers import").
        actor: Who (the service, for an import).

    Returns:
        How many cases, handoffs and alerts moved.

    """
    moved: dict[str, int] = {}
    subjects: tuple[tuple[str, sa.Table, sa.ColumnElement[bool], tuple[str, ...]], ...] = (
        (
            "case",
            cases,
            cases.c.status != CaseStatus.CLOSED.value,
            ("escalated_at", "escalated_for", "escalated_to"),
        ),
        (
            "handoff",
            handoffs,
            handoffs.c.status == HandoffStatus.ACTIVE.value,
            (),
        ),
        (
            "alert",
            safety_alerts,
            safety_alerts.c.acknowledged_at.is_(None),
            ("escalated_at", "escalated_to"),
        ),
    )
    to_name = _name(conn, adviser_id)
    for subject, table, still_open, escalation in subjects:
        rows = conn.execute(
            sa.select(table.c.id, table.c.adviser_id, table.c.district)
            .where(
                table.c.care_leaver_id == care_leaver_id,
                still_open,
                sa.or_(_differs(table.c.adviser_id, adviser_id), table.c.district != district),
            )
            .order_by(table.c.id)
        ).all()
        count = 0
        for row in rows:
            values: dict[str, Any] = {"adviser_id": adviser_id, "district": district}
            district_changed = row.district != district
            if district_changed:
                values.update(dict.fromkeys(escalation))
            changed = conn.execute(
                table.update()
                .where(
                    table.c.id == row.id,
                    still_open,
                    table.c.adviser_id.is_(None)
                    if row.adviser_id is None
                    else table.c.adviser_id == row.adviser_id,
                    table.c.district == row.district,
                )
                .values(**values)
            )
            if changed.rowcount != 1:
                continue  # closed or changed by someone else a moment ago: theirs stands
            detail: dict[str, Any] = {
                "from_adviser_id": row.adviser_id,
                "from_adviser": _name(conn, row.adviser_id),
                "to_adviser_id": adviser_id,
                "to_adviser": to_name,
                "reason": reason,
            }
            if district_changed:
                detail.update(from_district=row.district, to_district=district)
            history.append(
                conn, subject, row.id, at=now, actor=actor, action="reassigned", detail=detail
            )
            count += 1
        moved[subject] = count
    return Moved(cases=moved["case"], handoffs=moved["handoff"], alerts=moved["alert"])
