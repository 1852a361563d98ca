"""Late pathway-plan cases: which are overdue, and their escalation to the team manager.

A case is *overdue* once ``now`` is past a due date it has not met (:func:`overdue`);
:func:`escalate_overdue` marks it escalated to the district's team manager, once per
due date, and is what the oversight job (:mod:`bot.cases.oversight`) runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.cases import history, staff
from bot.cases.case_queries import read_case
from bot.cases.lifecycle import iso_utc
from bot.cases.model import (
    SYSTEM,
    Case,
    CaseStatus,
    StaffRef,
    case_from_row,
)
from bot.store.tables.cases import cases

ACKNOWLEDGE = "acknowledge"
ANSWER = "answer"
_STAGE_RANK = {ACKNOWLEDGE: 1, ANSWER: 2}

_OPEN = CaseStatus.OPEN.value
_ACKNOWLEDGED = CaseStatus.ACKNOWLEDGED.value


@dataclasses.dataclass(frozen=True)
class Overdue:
    """A case past a due date it has not met.

    Attributes:
        case: The case.
        stage: ``acknowledge`` or ``answer``: the later due date that has passed.
        due: That due date.

    """

    case: Case
    stage: str
    due: dt.datetime


@dataclasses.dataclass(frozen=True)
class Escalation:
    """A case escalated to its district's team manager by :func:`escalate_overdue`.

    Attributes:
        case: The case, as it is after the escalation.
        stage: The due date missed: ``acknowledge`` or ``answer``.
        due: When it was due.
        manager: The team manager it went to; ``None`` if the district has none on
            record (the case is still marked, and shows on the manager view).

    """

    case: Case
    stage: str
    due: dt.datetime
    manager: StaffRef | None


def _overdue_stage(case: Case, now: dt.datetime) -> tuple[str, dt.datetime] | None:
    if case.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED) and case.answer_due < now:
        return ANSWER, case.answer_due
    if case.status is CaseStatus.OPEN and case.acknowledge_due < now:
        return ACKNOWLEDGE, case.acknowledge_due
    return None


def overdue(engine: Engine, now: dt.datetime, district: str | None = None) -> list[Overdue]:
    """Cases past a due date they have not met, most overdue first.

    A case is overdue for acknowledgement when it is still open after its
    ``acknowledge_due``; for an answer when it is open or acknowledged after its
    ``answer_due`` (the later stage is given when both have passed).

    Args:
        engine: The project's database.
        now: The time to judge by (aware).
        district: Only this district's cases, if given.

    Returns:
        One entry per overdue case, the earliest due date first.

    """
    at = now
    query = sa.select(cases).where(
        sa.or_(
            sa.and_(cases.c.status == _OPEN, cases.c.acknowledge_due < at),
            sa.and_(cases.c.status.in_([_OPEN, _ACKNOWLEDGED]), cases.c.answer_due < at),
        )
    )
    if district is not None:
        query = query.where(cases.c.district == district)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(cases.c.id)).all()
    found: list[Overdue] = []
    for row in rows:
        case = case_from_row(row)
        stage = _overdue_stage(case, now)
        if stage is not None:
            found.append(Overdue(case=case, stage=stage[0], due=stage[1]))
    return sorted(found, key=lambda item: (item.due, item.case.id))


def escalate_overdue(engine: Engine, now: dt.datetime) -> list[Escalation]:
    """Escalate every overdue case to its district's team manager, once per due date.

    A case overdue for acknowledgement is escalated once for that; if it then also
    misses its answer date, once more for that. Running this again (or in two
    processes at once) escalates nothing twice: each case is marked by a
    conditional update, and only the process whose update took records the event.

    Args:
        engine: The project's database.
        now: The time to judge by (aware).

    Returns:
        The cases escalated by this call, with the manager each went to (for the
        caller to notify).

    """
    escalated: list[Escalation] = []
    at = now
    for item in overdue(engine, now):
        case = item.case
        if case.escalated_for is not None and _STAGE_RANK.get(
            case.escalated_for, 0
        ) >= _STAGE_RANK.get(item.stage, 0):
            continue
        earlier = [stage for stage, rank in _STAGE_RANK.items() if rank < _STAGE_RANK[item.stage]]
        with engine.begin() as conn:
            manager = staff.team_manager(conn, case.district)
            still_due = (
                sa.and_(cases.c.status == _OPEN, cases.c.acknowledge_due < at)
                if item.stage == ACKNOWLEDGE
                else sa.and_(cases.c.status.in_([_OPEN, _ACKNOWLEDGED]), cases.c.answer_due < at)
            )
            taken = conn.execute(
                cases.update()
                .where(
                    cases.c.id == case.id,
                    still_due,
                    sa.or_(cases.c.escalated_for.is_(None), cases.c.escalated_for.in_(earlier)),
                )
                .values(
                    escalated_at=at,
                    escalated_for=item.stage,
                    escalated_to=manager.id if manager else None,
                )
            )
            if taken.rowcount != 1:
                continue
            history.append(
                conn,
                "case",
                case.id,
                at=now,
                actor=SYSTEM,
                action="escalated",
                detail={
                    "stage": item.stage,
                    "due": iso_utc(item.due),
                    "district": case.district,
                    "team_manager_id": manager.id if manager else None,
                    "team_manager": manager.name if manager else None,
                },
            )
            escalated.append(
                Escalation(
                    case=read_case(conn, case.id), stage=item.stage, due=item.due, manager=manager
                )
            )
    return escalated
