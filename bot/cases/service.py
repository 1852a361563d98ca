"""Pathway-plan cases: opened, acknowledged, answered, closed, and escalated when late.

States and the changes allowed (anything else raises :class:`TransitionError`)::

    open ──acknowledge──> acknowledged ──answer──> answered ──close──> closed
      │                                              ^          ^
      └──────────────────answer──────────────────────┘          │
    open, acknowledged ────────────────close────────────────────┘

    answered, closed ──reopen (with a reason, new due dates)──> open

A case not closed can be reassigned to another personal adviser of its district.

Answering an open case acknowledges it too. Every change updates the case's row
*and* appends a row to ``case_events`` in the same transaction, and is made by a
conditional update (``... WHERE status IN (allowed)``), so two people changing the
same case at once cannot both succeed from the same state: the second is told what
the case has become.

Due dates come from service levels in working days (:mod:`bot.cases.calendar`),
acknowledgement within 1 and an answer within 5 by default. A case is *overdue*
once ``now`` is past a due date it has not met. :func:`escalate_overdue` marks it
escalated to the district's team manager, once per due date.

Nothing here checks who may do what (an adviser's own caseload): that is for the
console, which knows who is logged in. Every time passed in must be aware.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Collection
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases import history, staff
from bot.cases.calendar import OfficeCalendar
from bot.cases.categories import CATEGORIES, Category
from bot.cases.model import (
    SYSTEM,
    YOUNG_PERSON,
    Actor,
    Case,
    CaseStatus,
    Event,
    NotFoundError,
    StaffRef,
    TransitionError,
    case_from_row,
    to_db,
)
from bot.people.identity import CareLeaver
from bot.settings import Settings
from bot.store.tables.cases import cases

REFERENCE_PREFIX = "PP-"
REFERENCE_OFFSET = 1000
MAX_WORDS = 2000
MAX_TEXT = 4000

ACKNOWLEDGE = "acknowledge"
ANSWER = "answer"
_STAGE_RANK = {ACKNOWLEDGE: 1, ANSWER: 2}

_OPEN = CaseStatus.OPEN.value
_ACKNOWLEDGED = CaseStatus.ACKNOWLEDGED.value
_ANSWERED = CaseStatus.ANSWERED.value
_CLOSED = CaseStatus.CLOSED.value


@dataclasses.dataclass(frozen=True)
class ServiceLevels:
    """How long a case may take, in working days.

    Attributes:
        acknowledge_working_days: To acknowledge it (default 1).
        answer_working_days: To answer it (default 5).

    """

    acknowledge_working_days: int = 1
    answer_working_days: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceLevels:
        """``CASE_ACKNOWLEDGE_WORKING_DAYS`` and ``CASE_ANSWER_WORKING_DAYS``."""
        return cls(
            acknowledge_working_days=settings.case_acknowledge_working_days,
            answer_working_days=settings.case_answer_working_days,
        )


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


def reference_for(case_id: int) -> str:
    """The short reference of the case with this id, e.g. ``PP-1042`` for id 42."""
    return f"{REFERENCE_PREFIX}{REFERENCE_OFFSET + case_id}"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()


def open_case(
    engine: Engine,
    *,
    care_leaver: CareLeaver | int,
    category: Category | str,
    words: str,
    conversation_id: str | None,
    channel: str,
    now: dt.datetime,
    settings: Settings,
    actor: Actor = YOUNG_PERSON,
) -> Case:
    """Open a case for an identified young person's query about their pathway plan.

    The case goes to the young person's PA as on record now (or, with no PA, to
    their district's team manager), and is due for acknowledgement and an answer by
    the service levels in ``settings``, counted in working days from ``now``.

    Args:
        engine: The project's database.
        care_leaver: The young person (their record or its id).
        category: One of :data:`bot.cases.categories.CATEGORIES`.
        words: What they asked, in their own words (kept as written, up to 2,000
            characters).
        conversation_id: The conversation it came from, if any.
        channel: ``sms``, ``web``, ``rest``, or ``console`` when staff open it.
        now: When the query arrived (aware).
        settings: Office hours, time zone and service levels.
        actor: Who opened it (the young person, unless staff open it for them).

    Returns:
        The new case, with its reference.

    Raises:
        ValueError: Unknown category, empty words, or a naive ``now``.
        NotFoundError: No such care leaver.

    """
    try:
        category_value = Category(category).value
    except ValueError:
        raise ValueError(
            f"unknown case category {category!r}; expected one of {', '.join(CATEGORIES)}"
        ) from None
    if not words.strip():
        raise ValueError("a case needs the young person's words")
    care_leaver_id = care_leaver if isinstance(care_leaver, int) else care_leaver.id
    calendar = OfficeCalendar.from_settings(settings)
    levels = ServiceLevels.from_settings(settings)
    acknowledge_due = calendar.add_working_days(now, levels.acknowledge_working_days)
    answer_due = calendar.add_working_days(now, levels.answer_working_days)
    with engine.begin() as conn:
        adviser_id, district = staff.young_person(conn, care_leaver_id)
        inserted = conn.execute(
            cases.insert().values(
                # Replaced below, in this transaction: nobody else ever sees it.
                reference=f"new-{uuid.uuid4().hex}",
                category=category_value,
                care_leaver_id=care_leaver_id,
                adviser_id=adviser_id,
                district=district,
                conversation_id=conversation_id[:255] if conversation_id else None,
                channel=channel[:32],
                words=words.strip()[:MAX_WORDS],
                status=_OPEN,
                created_at=to_db(now),
                acknowledge_due=to_db(acknowledge_due),
                answer_due=to_db(answer_due),
            )
        )
        case_id = int(inserted.inserted_primary_key[0])
        reference = reference_for(case_id)
        conn.execute(cases.update().where(cases.c.id == case_id).values(reference=reference))
        history.append(
            conn,
            "case",
            case_id,
            at=now,
            actor=actor,
            action="opened",
            detail={
                "reference": reference,
                "category": category_value,
                "adviser_id": adviser_id,
                "district": district,
                "channel": channel,
                "acknowledge_due": _iso(acknowledge_due),
                "answer_due": _iso(answer_due),
            },
        )
        return _read(conn, case_id)


def _read(conn: Connection, case_id: int) -> Case:
    row = conn.execute(sa.select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFoundError(f"no case with id {case_id}")
    return case_from_row(row)


def _case_id(conn: Connection, case: Case | int | str) -> int:
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
        return _read(conn, _case_id(conn, case))


def case_history(engine: Engine, case: Case | int | str) -> list[Event]:
    """Every change of a case, oldest first: who, what, when."""
    with engine.connect() as conn:
        case_id = _case_id(conn, case)
    return history.history(engine, "case", case_id)


_VERBS = {
    "acknowledge": "acknowledged",
    "answer": "answered",
    "close": "closed",
    "reopen": "reopened",
}


def _transition(
    engine: Engine,
    case: Case | int | str,
    *,
    change: str,
    allowed_from: Collection[str],
    values: dict[str, object],
    actor: Actor,
    now: dt.datetime,
    detail: dict[str, object],
) -> Case:
    """Change a case's state if it is in one of ``allowed_from``, with its history row."""
    verb = _VERBS[change]
    with engine.begin() as conn:
        case_id = _case_id(conn, case)
        changed = conn.execute(
            cases.update()
            .where(cases.c.id == case_id, cases.c.status.in_(list(allowed_from)))
            .values(**values)
        )
        if changed.rowcount != 1:
            current = _read(conn, case_id)
            if current.status.value == verb:
                raise TransitionError(f"{current.reference} is already {verb}")
            allowed = " or ".join(sorted(allowed_from))
            raise TransitionError(
                f"{current.reference} is {current.status.value}, so it cannot be {verb} "
                f"(only a case that is {allowed} can be)"
            )
        history.append(conn, "case", case_id, at=now, actor=actor, action=verb, detail=detail)
        return _read(conn, case_id)


def acknowledge(
    engine: Engine,
    case: Case | int | str,
    *,
    actor: Actor,
    now: dt.datetime,
    note: str | None = None,
) -> Case:
    """Acknowledge an open case: someone has it and is on it.

    Args:
        engine: The project's database.
        case: The case, its id or its reference.
        actor: Who acknowledged it (usually the PA).
        now: When (aware).
        note: Anything they want kept with it.

    Returns:
        The case as it is now.

    Raises:
        NotFoundError: No such case.
        TransitionError: It is not open (already acknowledged, answered or closed).

    """
    at = to_db(now)
    return _transition(
        engine,
        case,
        change="acknowledge",
        allowed_from=(_OPEN,),
        values={"status": _ACKNOWLEDGED, "acknowledged_at": at},
        actor=actor,
        now=now,
        detail={"note": note[:MAX_TEXT]} if note else {},
    )


def answer(
    engine: Engine,
    case: Case | int | str,
    *,
    actor: Actor,
    now: dt.datetime,
    text: str,
) -> Case:
    """Answer a case (open or acknowledged); answering an open case acknowledges it too.

    Args:
        engine: The project's database.
        case: The case, its id or its reference.
        actor: Who answered (usually the PA).
        now: When (aware).
        text: The answer, kept in the case's history (sending it to the young person
            is the caller's job).

    Returns:
        The case as it is now.

    Raises:
        ValueError: An empty answer.
        NotFoundError: No such case.
        TransitionError: It is already answered or closed.

    """
    if not text.strip():
        raise ValueError("an answer needs some words")
    at = to_db(now)
    return _transition(
        engine,
        case,
        change="answer",
        allowed_from=(_OPEN, _ACKNOWLEDGED),
        values={
            "status": _ANSWERED,
            "answered_at": at,
            "acknowledged_at": sa.func.coalesce(cases.c.acknowledged_at, at),
        },
        actor=actor,
        now=now,
        detail={"text": text.strip()[:MAX_TEXT]},
    )


def close(
    engine: Engine,
    case: Case | int | str,
    *,
    actor: Actor,
    now: dt.datetime,
    note: str | None = None,
) -> Case:
    """Close a case that is not closed yet (answered, or withdrawn with a note).

    Raises:
        NotFoundError: No such case.
        TransitionError: It is already closed.

    """
    return _transition(
        engine,
        case,
        change="close",
        allowed_from=(_OPEN, _ACKNOWLEDGED, _ANSWERED),
        values={"status": _CLOSED, "closed_at": to_db(now)},
        actor=actor,
        now=now,
        detail={"note": note[:MAX_TEXT]} if note else {},
    )


def add_note(
    engine: Engine,
    case: Case | int | str,
    *,
    actor: Actor,
    now: dt.datetime,
    text: str,
) -> Case:
    """Add a note (or a further message) to a case's history without changing its state.

    Raises:
        ValueError: An empty note.
        NotFoundError: No such case.
        TransitionError: The case is closed.

    """
    if not text.strip():
        raise ValueError("a note needs some words")
    with engine.begin() as conn:
        current = _read(conn, _case_id(conn, case))
        if current.status is CaseStatus.CLOSED:
            raise TransitionError(f"{current.reference} is closed, so nothing can be added")
        history.append(
            conn,
            "case",
            current.id,
            at=now,
            actor=actor,
            action="note",
            detail={"text": text.strip()[:MAX_TEXT]},
        )
        return current


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
    at = to_db(now)
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
    at = to_db(now)
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
                    "due": _iso(item.due),
                    "district": case.district,
                    "team_manager_id": manager.id if manager else None,
                    "team_manager": manager.name if manager else None,
                },
            )
            escalated.append(
                Escalation(
                    case=_read(conn, case.id), stage=item.stage, due=item.due, manager=manager
                )
            )
    return escalated


def responsible(engine: Engine, case: Case) -> StaffRef | None:
    """Who a case is with: the PA it was opened for if still active, else the team manager."""
    with engine.connect() as conn:
        return staff.adviser(conn, case.adviser_id) or staff.team_manager(conn, case.district)


# ---- reassigning and reopening ----------------------------------------------------------------

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
        current = _read(conn, _case_id(conn, case))
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
            fresh = _read(conn, current.id)
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
        return Reassignment(case=_read(conn, current.id), previous=previous, adviser=target)


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
        before = _read(conn, _case_id(conn, case))
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
                acknowledge_due=to_db(acknowledge_due),
                answer_due=to_db(answer_due),
                acknowledged_at=None,
                answered_at=None,
                closed_at=None,
                escalated_at=None,
                escalated_for=None,
                escalated_to=None,
            )
        )
        if changed.rowcount != 1:
            fresh = _read(conn, before.id)
            raise TransitionError(f"{fresh.reference} changed just now: it is {fresh.status.value}")

        def _when(moment: dt.datetime | None) -> str | None:
            return _iso(moment) if moment is not None else None

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
                "previous_acknowledge_due": _iso(before.acknowledge_due),
                "previous_answer_due": _iso(before.answer_due),
                "previous_acknowledged_at": _when(before.acknowledged_at),
                "previous_answered_at": _when(before.answered_at),
                "previous_closed_at": _when(before.closed_at),
                "previous_escalated_for": before.escalated_for,
                "previous_escalated_to": before.escalated_to,
                "acknowledge_due": _iso(acknowledge_due),
                "answer_due": _iso(answer_due),
            },
        )
        return _read(conn, before.id)
