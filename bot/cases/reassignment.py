"""Moving a pathway-plan case on: to another personal adviser, or open again.

:func:`reassign` gives a case that is not closed to another PA of its district;
:func:`reopen` opens an answered or closed case again with new due dates. Both are
conditional updates, so of two people doing it at once only one succeeds, and both
keep what the case was in its history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Literal

from sqlalchemy.engine import Connection, Engine

from bot.cases import history, staff
from bot.cases.calendar import OfficeCalendar
from bot.cases.case_queries import case_id_of, read_case
from bot.cases.lifecycle import ServiceLevels, iso_utc
from bot.cases.model import (
    Actor,
    Case,
    CaseStatus,
    StaffRef,
    TransitionError,
)
from bot.settings import Settings
from bot.store.tables.cases import cases

_OPEN = CaseStatus.OPEN.value
_ANSWERED = CaseStatus.ANSWERED.value
_CLOSED = CaseStatus.CLOSED.value


PERSONAL_ADVISER = "personal_adviser"
MAX_REASON = 500


@dataclasses.dataclass(frozen=True)
class Reassignment:
    """A case given to another personal adviser by :func:`reassign`.

    Attributes:
        case: The case, as it is now.
        previous: The PA it was with (``None``: it was with the district's team manager).
        adviser: The PA it is with now (for the caller to notify).

    """

    case: Case
    previous: StaffRef | None
    adviser: StaffRef


def _reason(reason: str) -> str:
    words = " ".join(reason.split())
    if not words:
        raise ValueError("give a reason")
    if len(words) > MAX_REASON:
        raise ValueError(f"keep the reason to {MAX_REASON} characters or fewer")
    return words


def advisers_for(engine: Engine, district: str) -> list[StaffRef]:
    """The active personal advisers of ``district`` (whom its cases may be reassigned to)."""
    with engine.connect() as conn:
        return staff.in_role(conn, PERSONAL_ADVISER, district)


class _Unset(enum.Enum):
    """No adviser given (``None`` means the team manager, so it cannot mean that)."""

    UNSET = "unset"


def reassign(
    engine: Engine,
    case: Case | int | str,
    *,
    to_adviser_id: int,
    actor: Actor,
    now: dt.datetime,
    reason: str,
    expected_adviser_id: int | Literal[_Unset.UNSET] | None = _Unset.UNSET,
) -> Reassignment:
    """Give a case that is not closed to another personal adviser of its district.

    The case keeps its history, due dates and state; a ``reassigned`` event records
    who did it, from whom, to whom, when and why. The change is a conditional update
    on the adviser the case had (``expected_adviser_id`` when given: the one the
    person saw on the page), so of two people reassigning the same case at once only
    one succeeds; the other gets a :class:`TransitionError` saying who has it now.
    Who may reassign (a team manager of the district, or an admin) is for the caller.

    Args:
        engine: The project's database.
        case: The case, its id or its reference.
        to_adviser_id: The ``staff.id`` of the PA to give it to: an active personal
            adviser of the case's district, not the one who has it.
        actor: Who reassigns it.
        now: When (aware).
        reason: Why (required; up to 500 characters, spaces tidied).
        expected_adviser_id: The adviser the caller believes has it (``None``: the
            team manager); if it has changed since, nothing is done.

    Returns:
        The case as it is now, with the previous and the new adviser.

    Raises:
        ValueError: No reason, or the new adviser is not an active personal adviser
            of the case's district, or already has it.
        NotFoundError: No such case.
        TransitionError: The case is closed, or someone else reassigned it first.

    """
    why = _reason(reason)
    with engine.begin() as conn:
        current = read_case(conn, case_id_of(conn, case))
        target = staff.adviser(conn, to_adviser_id)
        if target is None or target.role != PERSONAL_ADVISER or target.district != current.district:
            raise ValueError(
                f"the case can only go to an active personal adviser in {current.district}"
            )
        expected = (
            current.adviser_id if expected_adviser_id is _Unset.UNSET else expected_adviser_id
        )
        if current.status is CaseStatus.CLOSED:
            raise TransitionError(f"{current.reference} is closed, so it cannot be reassigned")
        if expected != current.adviser_id:
            raise TransitionError(_moved(conn, current))
        if target.id == current.adviser_id:
            raise ValueError(f"{current.reference} is already with {target.name}")
        same_adviser = (
            cases.c.adviser_id.is_(None) if expected is None else cases.c.adviser_id == expected
        )
        changed = conn.execute(
            cases.update()
            .where(cases.c.id == current.id, same_adviser, cases.c.status != _CLOSED)
            .values(adviser_id=target.id)
        )
        if changed.rowcount != 1:
            fresh = read_case(conn, current.id)
            if fresh.status is CaseStatus.CLOSED:
                raise TransitionError(f"{fresh.reference} is closed, so it cannot be reassigned")
            raise TransitionError(_moved(conn, fresh))
        previous = (
            staff.staff_member(conn, current.adviser_id) if current.adviser_id is not None else None
        )
        history.append(
            conn,
            "case",
            current.id,
            at=now,
            actor=actor,
            action="reassigned",
            detail={
                "from_adviser_id": previous.id if previous else None,
                "from_adviser": previous.name if previous else None,
                "to_adviser_id": target.id,
                "to_adviser": target.name,
                "reason": why,
            },
        )
        return Reassignment(case=read_case(conn, current.id), previous=previous, adviser=target)


def _moved(conn: Connection, case: Case) -> str:
    if case.adviser_id is None:
        return f"{case.reference} was reassigned just now: it is with the team manager"
    who = staff.staff_member(conn, case.adviser_id)
    return f"{case.reference} was reassigned just now: it is with {who.name}"


def reopen(
    engine: Engine,
    case: Case | int | str,
    *,
    actor: Actor,
    now: dt.datetime,
    reason: str,
    settings: Settings,
) -> Case:
    """Reopen an answered or closed case, due again by the service levels from ``now``.

    The case becomes ``open`` with new acknowledge and answer due dates (working days
    from ``now``, as :func:`open_case` sets them), and its acknowledged, answered,
    closed and escalation marks are cleared so that it is dealt with, and escalated
    if late, afresh. Nothing is lost: the ``reopened`` event keeps the reason and
    every value the case had before, and the earlier events stay in its history.

    Args:
        engine: The project's database.
        case: The case, its id or its reference.
        actor: Who reopens it (its PA, a team manager of its district or an admin:
            the caller checks).
        now: When (aware).
        reason: Why (required; up to 500 characters, spaces tidied).
        settings: Office hours, time zone and service levels.

    Returns:
        The case as it is now.

    Raises:
        ValueError: No reason.
        NotFoundError: No such case.
        TransitionError: It is open or acknowledged (not answered or closed), or
            someone else changed it first.

    """
    why = _reason(reason)
    calendar = OfficeCalendar.from_settings(settings)
    levels = ServiceLevels.from_settings(settings)
    acknowledge_due = calendar.add_working_days(now, levels.acknowledge_working_days)
    answer_due = calendar.add_working_days(now, levels.answer_working_days)
    allowed = (_ANSWERED, _CLOSED)
    with engine.begin() as conn:
        before = read_case(conn, case_id_of(conn, case))
        if before.status.value not in allowed:
            raise TransitionError(
                f"{before.reference} is {before.status.value}, so it cannot be reopened "
                "(only a case that is answered or closed can be)"
            )
        changed = conn.execute(
            cases.update()
            .where(cases.c.id == before.id, cases.c.status == before.status.value)
            .values(
                status=_OPEN,
                acknowledge_due=acknowledge_due,
                answer_due=answer_due,
                acknowledged_at=None,
                answered_at=None,
                closed_at=None,
                escalated_at=None,
                escalated_for=None,
                escalated_to=None,
            )
        )
        if changed.rowcount != 1:
            fresh = read_case(conn, before.id)
            raise TransitionError(f"{fresh.reference} changed just now: it is {fresh.status.value}")

        def _when(moment: dt.datetime | None) -> str | None:
            return iso_utc(moment) if moment is not None else None

        history.append(
            conn,
            "case",
            before.id,
            at=now,
            actor=actor,
            action="reopened",
            detail={
                "reason": why,
                "previous_status": before.status.value,
                "previous_acknowledge_due": iso_utc(before.acknowledge_due),
                "previous_answer_due": iso_utc(before.answer_due),
                "previous_acknowledged_at": _when(before.acknowledged_at),
                "previous_answered_at": _when(before.answered_at),
                "previous_closed_at": _when(before.closed_at),
                "previous_escalated_for": before.escalated_for,
                "previous_escalated_to": before.escalated_to,
                "acknowledge_due": iso_utc(acknowledge_due),
                "answer_due": iso_utc(answer_due),
            },
        )
        return read_case(conn, before.id)
