"""A pathway-plan case's life: opened, acknowledged, answered, closed, with notes on the way.

Every change updates the case's row *and* appends a row to ``case_events`` in the same
transaction, and is made by a conditional update (``... WHERE status IN (allowed)``), so
two people changing the same case at once cannot both succeed from the same state: the
second is told what the case has become. Due dates come from :class:`ServiceLevels` in
working days (:mod:`bot.cases.calendar`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.cases import history, staff
from bot.cases.calendar import OfficeCalendar
from bot.cases.case_queries import case_id_of, read_case
from bot.cases.categories import CATEGORIES, Category
from bot.cases.model import (
    YOUNG_PERSON,
    Actor,
    Case,
    CaseStatus,
    TransitionError,
)
from bot.people.identity import CareLeaver
from bot.settings import Settings
from bot.store.tables.cases import cases

REFERENCE_PREFIX = "PP-"
REFERENCE_OFFSET = 1000
MAX_WORDS = 2000
MAX_TEXT = 4000

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


def reference_for(case_id: int) -> str:
    """The short reference of the case with this id, e.g. ``PP-1042`` for id 42."""
    return f"{REFERENCE_PREFIX}{REFERENCE_OFFSET + case_id}"


def iso_utc(moment: dt.datetime) -> str:
    """``moment`` in UTC, ISO 8601 (as the case histories record times)."""
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
                created_at=now,
                acknowledge_due=acknowledge_due,
                answer_due=answer_due,
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
                "acknowledge_due": iso_utc(acknowledge_due),
                "answer_due": iso_utc(answer_due),
            },
        )
        return read_case(conn, case_id)


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
        case_id = case_id_of(conn, case)
        changed = conn.execute(
            cases.update()
            .where(cases.c.id == case_id, cases.c.status.in_(list(allowed_from)))
            .values(**values)
        )
        if changed.rowcount != 1:
            current = read_case(conn, case_id)
            if current.status.value == verb:
                raise TransitionError(f"{current.reference} is already {verb}")
            allowed = " or ".join(sorted(allowed_from))
            raise TransitionError(
                f"{current.reference} is {current.status.value}, so it cannot be {verb} "
                f"(only a case that is {allowed} can be)"
            )
        history.append(conn, "case", case_id, at=now, actor=actor, action=verb, detail=detail)
        return read_case(conn, case_id)


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
    at = now
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
    at = now
    return _transition(
        engine,
        case,
        change="answer",
        allowed_from=(_OPEN, _ACKNOWLEDGED),
        values={
            "status": _ANSWERED,
            "answered_at": at,
            "acknowledged_at": sa.func.coalesce(
                cases.c.acknowledged_at, sa.literal(at, cases.c.acknowledged_at.type)
            ),
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
        values={"status": _CLOSED, "closed_at": now},
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
        current = read_case(conn, case_id_of(conn, case))
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
