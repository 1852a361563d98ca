"""Looking pathway-plan cases up: by id or reference, their history, a young person's own.

:func:`get_case` and :func:`case_history` are for staff pages; :func:`case_status_for`
answers a young person's "any news on my query"; :func:`responsible` says who a case is
with now. :func:`read_case` and :func:`case_id_of` are the lookups the changes in
:mod:`bot.cases.lifecycle`, :mod:`bot.cases.lateness` and :mod:`bot.cases.reassignment`
make inside their own transactions.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases import history, staff
from bot.cases.model import (
    Case,
    CaseStatus,
    Event,
    NotFoundError,
    StaffRef,
    case_from_row,
)
from bot.store.tables.cases import cases

_CLOSED = CaseStatus.CLOSED.value


def read_case(conn: Connection, case_id: int) -> Case:
    """The case with this id, read in ``conn``'s transaction.

    Raises:
        NotFoundError: No such case.

    """
    row = conn.execute(sa.select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFoundError(f"no case with id {case_id}")
    return case_from_row(row)


def case_id_of(conn: Connection, case: Case | int | str) -> int:
    """The id of a case given as its record, its id or its reference (any case).

    Raises:
        NotFoundError: No case with that reference.

    """
    if isinstance(case, Case):
        return case.id
    if isinstance(case, int):
        return case
    row = conn.execute(
        sa.select(cases.c.id).where(cases.c.reference == case.strip().upper())
    ).first()
    if row is None:
        raise NotFoundError(f"no case with reference {case!r}")
    return int(row.id)


def get_case(engine: Engine, case: int | str) -> Case:
    """A case by its id or its reference (``PP-1042``, any case).

    Raises:
        NotFoundError: No such case.

    """
    with engine.connect() as conn:
        return read_case(conn, case_id_of(conn, case))


def case_history(engine: Engine, case: Case | int | str) -> list[Event]:
    """Every change of a case, oldest first: who, what, when."""
    with engine.connect() as conn:
        case_id = case_id_of(conn, case)
    return history.history(engine, "case", case_id)


def case_status_for(engine: Engine, care_leaver_id: int, limit: int = 3) -> list[Case]:
    """A young person's cases that are not closed, newest first ("any news on my query").

    Args:
        engine: The project's database.
        care_leaver_id: The young person.
        limit: Most cases to return.

    Returns:
        Up to ``limit`` open, acknowledged or answered cases.

    """
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(cases)
            .where(cases.c.care_leaver_id == care_leaver_id, cases.c.status != _CLOSED)
            .order_by(cases.c.created_at.desc(), cases.c.id.desc())
            .limit(limit)
        ).all()
    return [case_from_row(row) for row in rows]


def responsible(engine: Engine, case: Case) -> StaffRef | None:
    """Who a case is with: the PA it was opened for if still active, else the team manager."""
    with engine.connect() as conn:
        return staff.adviser(conn, case.adviser_id) or staff.team_manager(conn, case.district)
