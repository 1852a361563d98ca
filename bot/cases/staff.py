"""Who a case, handoff or alert goes to: PAs, duty workers and team managers.

Read-only lookups in the people records (:mod:`bot.store.tables.people`); staff roles are
those of :data:`bot.people.importer.ROLES`. Only active staff are chosen.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases.model import NotFoundError, StaffRef
from bot.store.tables.people import care_leavers, staff

TEAM_MANAGER = "team_manager"
DUTY_WORKER = "duty_worker"


def _ref(row: sa.engine.Row) -> StaffRef:
    return StaffRef(
        id=row.id, name=row.name, role=row.role, district=row.district, mobile=row.mobile
    )


def staff_member(conn: Connection, staff_id: int) -> StaffRef:
    """A member of staff by id (active or not).

    Raises:
        NotFoundError: No such member of staff.

    """
    row = conn.execute(sa.select(staff).where(staff.c.id == staff_id)).first()
    if row is None:
        raise NotFoundError(f"no member of staff with id {staff_id}")
    return _ref(row)


def in_role(conn: Connection, role: str, district: str) -> list[StaffRef]:
    """Active staff with ``role`` in ``district``, oldest record first."""
    rows = conn.execute(
        sa.select(staff)
        .where(staff.c.role == role, staff.c.district == district, staff.c.active.is_(True))
        .order_by(staff.c.id)
    ).all()
    return [_ref(row) for row in rows]


def team_manager(conn: Connection, district: str) -> StaffRef | None:
    """The district's team manager (the first on record if there are several), if any."""
    managers = in_role(conn, TEAM_MANAGER, district)
    return managers[0] if managers else None


def young_person(conn: Connection, care_leaver_id: int) -> tuple[int | None, str]:
    """A care leaver's PA (their ``staff.id``, if any) and district.

    Raises:
        NotFoundError: No such care leaver.

    """
    row = conn.execute(
        sa.select(care_leavers.c.adviser_id, care_leavers.c.district).where(
            care_leavers.c.id == care_leaver_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no care leaver with id {care_leaver_id}")
    return row.adviser_id, row.district


def adviser(conn: Connection, adviser_id: int | None) -> StaffRef | None:
    """The PA with this id, if the id is set and they are still active."""
    if adviser_id is None:
        return None
    row = conn.execute(
        sa.select(staff).where(staff.c.id == adviser_id, staff.c.active.is_(True))
    ).first()
    return _ref(row) if row is not None else None
