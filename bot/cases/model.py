"""The records the cases service hands back, who acts on them, and its errors.

Times in these records are aware UTC datetimes (stored as naive UTC); show them to
people in Europe/London.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa


class CaseStatus(str, enum.Enum):
    """Where a case is: open -> acknowledged -> answered -> closed."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    CLOSED = "closed"


class HandoffStatus(str, enum.Enum):
    """A handoff is active until the person hands the conversation back to the bot."""

    ACTIVE = "active"
    RETURNED = "returned"


class CasesError(Exception):
    """Base of the errors raised by :mod:`bot.cases`."""


class NotFoundError(CasesError, LookupError):
    """No case, handoff or alert with that id or reference."""


class TransitionError(CasesError, ValueError):
    """The change asked for is not allowed from the record's current state."""


class MissingDistrictError(CasesError, ValueError):
    """A safety alert for someone not on record needs a district to go to."""


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who did something: a member of staff (by id), the young person, or the system.

    Attributes:
        kind: ``staff``, ``young_person`` or ``system``.
        staff_id: The member of staff, when ``kind`` is ``staff``.

    """

    kind: str
    staff_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("staff", "young_person", "system"):
            raise ValueError(f"unknown kind of actor: {self.kind!r}")
        if (self.kind == "staff") != (self.staff_id is not None):
            raise ValueError("a staff actor needs a staff id, and only a staff actor has one")

    @classmethod
    def staff(cls, staff_id: int) -> Actor:
        """A member of staff, by their ``staff.id``."""
        return cls("staff", staff_id)

    def __str__(self) -> str:
        return f"staff:{self.staff_id}" if self.kind == "staff" else self.kind


YOUNG_PERSON = Actor("young_person")
SYSTEM = Actor("system")


@dataclasses.dataclass(frozen=True)
class StaffRef:
    """A member of staff, as much as notifications and pages need."""

    id: int
    name: str
    role: str
    district: str
    mobile: str | None


@dataclasses.dataclass(frozen=True)
class Case:
    """A pathway-plan case (a row of ``cases``)."""

    id: int
    reference: str
    category: str
    care_leaver_id: int
    adviser_id: int | None
    district: str
    conversation_id: str | None
    channel: str
    words: str
    status: CaseStatus
    created_at: dt.datetime
    acknowledge_due: dt.datetime
    answer_due: dt.datetime
    acknowledged_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    escalated_for: str | None
    escalated_to: int | None


@dataclasses.dataclass(frozen=True)
class Event:
    """One entry of a history (case, handoff or alert): who did what, when."""

    at: dt.datetime
    actor: Actor
    action: str
    detail: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Handoff:
    """A conversation handed over to a person (a row of ``handoffs``)."""

    id: int
    conversation_id: str
    care_leaver_id: int
    adviser_id: int | None
    district: str
    channel: str
    summary: str
    status: HandoffStatus
    started_at: dt.datetime
    first_reply_at: dt.datetime | None
    ended_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class SafetyAlert:
    """A safety event that staff must acknowledge (a row of ``safety_alerts``)."""

    id: int
    safety_event_id: int | None
    conversation_id: str
    care_leaver_id: int | None
    adviser_id: int | None
    district: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: int | None
    escalated_at: dt.datetime | None
    escalated_to: int | None
    priority: str = "urgent"


def case_from_row(row: sa.engine.Row) -> Case:
    """A :class:`Case` from a row of ``cases``."""
    return Case(
        id=row.id,
        reference=row.reference,
        category=row.category,
        care_leaver_id=row.care_leaver_id,
        adviser_id=row.adviser_id,
        district=row.district,
        conversation_id=row.conversation_id,
        channel=row.channel,
        words=row.words,
        status=CaseStatus(row.status),
        created_at=row.created_at,
        acknowledge_due=row.acknowledge_due,
        answer_due=row.answer_due,
        acknowledged_at=row.acknowledged_at,
        answered_at=row.answered_at,
        closed_at=row.closed_at,
        escalated_at=row.escalated_at,
        escalated_for=row.escalated_for,
        escalated_to=row.escalated_to,
    )


def handoff_from_row(row: sa.engine.Row) -> Handoff:
    """A :class:`Handoff` from a row of ``handoffs``."""
    return Handoff(
        id=row.id,
        conversation_id=row.conversation_id,
        care_leaver_id=row.care_leaver_id,
        adviser_id=row.adviser_id,
        district=row.district,
        channel=row.channel,
        summary=row.summary,
        status=HandoffStatus(row.status),
        started_at=row.started_at,
        first_reply_at=row.first_reply_at,
        ended_at=row.ended_at,
    )


def alert_from_row(row: sa.engine.Row) -> SafetyAlert:
    """A :class:`SafetyAlert` from a row of ``safety_alerts``."""
    return SafetyAlert(
        id=row.id,
        safety_event_id=row.safety_event_id,
        conversation_id=row.conversation_id,
        care_leaver_id=row.care_leaver_id,
        adviser_id=row.adviser_id,
        district=row.district,
        raised_at=row.raised_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        escalated_at=row.escalated_at,
        escalated_to=row.escalated_to,
        priority=row.priority,
    )


def event_from_row(row: sa.engine.Row) -> Event:
    """An :class:`Event` from a row of any history table."""
    actor = Actor(row.actor, row.staff_id if row.actor == "staff" else None)
    return Event(at=row.at, actor=actor, action=row.action, detail=json.loads(row.detail))
