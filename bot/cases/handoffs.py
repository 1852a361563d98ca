"""Handoffs: a young person's conversation handed to a person, and back to the bot.

"Can I talk to my PA" starts a handoff (:func:`start_handoff`): it goes to their PA,
or with no PA to their district's team manager, with a short summary. While it is
active the bot does not answer in the person's place (except the safety net): the
channels ask :func:`active_handoff`. Each reply the person sends is recorded
(:func:`record_reply`; the first sets ``first_reply_at``, for response times). The
person hands the conversation back with :func:`return_to_bot`.

One conversation has at most one active handoff: asking again while one is active
returns it. Every step is kept in ``handoff_events`` with who and when.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases import history, staff
from bot.cases.model import (
    YOUNG_PERSON,
    Actor,
    Event,
    Handoff,
    HandoffStatus,
    NotFoundError,
    StaffRef,
    TransitionError,
    handoff_from_row,
)
from bot.store.tables.cases import handoffs
from bot.store.tables.people import care_leavers

MAX_SUMMARY = 2000
MAX_TEXT = 4000

_ACTIVE = HandoffStatus.ACTIVE.value
_RETURNED = HandoffStatus.RETURNED.value


@dataclasses.dataclass(frozen=True)
class StartedHandoff:
    """What :func:`start_handoff` did.

    Attributes:
        handoff: The active handoff.
        notify: Who to tell (the PA, else the team manager; ``None`` if neither exists).
        new: False when the conversation was already handed over (nothing was written).

    """

    handoff: Handoff
    notify: StaffRef | None
    new: bool


def _read(conn: Connection, handoff_id: int) -> Handoff:
    row = conn.execute(sa.select(handoffs).where(handoffs.c.id == handoff_id)).first()
    if row is None:
        raise NotFoundError(f"no handoff with id {handoff_id}")
    return handoff_from_row(row)


def _active(conn: Connection, conversation_id: str) -> Handoff | None:
    row = conn.execute(
        sa.select(handoffs)
        .where(handoffs.c.conversation_id == conversation_id, handoffs.c.status == _ACTIVE)
        .order_by(handoffs.c.id.desc())
    ).first()
    return handoff_from_row(row) if row is not None else None


def active_handoff(engine: Engine, conversation_id: str) -> Handoff | None:
    """The conversation's active handoff, if it is with a person now."""
    with engine.connect() as conn:
        return _active(conn, conversation_id)


def start_handoff(
    engine: Engine,
    *,
    conversation_id: str,
    care_leaver_id: int,
    channel: str,
    summary: str,
    now: dt.datetime,
) -> StartedHandoff:
    """Hand an identified young person's conversation to their PA.

    Args:
        engine: The project's database.
        conversation_id: The conversation.
        care_leaver_id: The young person (anonymous people are told how to reach
            the team instead; there is no handoff for them).
        channel: ``sms`` or ``web``: where replies go.
        summary: A short summary of the conversation for the person taking it.
        now: When (aware).

    Returns:
        The handoff and who to notify.

    Raises:
        NotFoundError: No such care leaver.

    """
    with engine.begin() as conn:
        # Lock the young person's row (PostgreSQL) so that two requests at once make
        # one handoff; SQLite lets one writer in at a time anyway.
        conn.execute(
            sa.select(care_leavers.c.id)
            .where(care_leavers.c.id == care_leaver_id)
            .with_for_update()
        )
        adviser_id, district = staff.young_person(conn, care_leaver_id)
        notify = staff.adviser(conn, adviser_id) or staff.team_manager(conn, district)
        existing = _active(conn, conversation_id)
        if existing is not None:
            return StartedHandoff(handoff=existing, notify=notify, new=False)
        inserted = conn.execute(
            handoffs.insert().values(
                conversation_id=conversation_id[:255],
                care_leaver_id=care_leaver_id,
                adviser_id=adviser_id,
                district=district,
                channel=channel[:32],
                summary=summary.strip()[:MAX_SUMMARY],
                status=_ACTIVE,
                started_at=now,
            )
        )
        handoff_id = int(inserted.inserted_primary_key[0])
        history.append(
            conn,
            "handoff",
            handoff_id,
            at=now,
            actor=YOUNG_PERSON,
            action="started",
            detail={
                "adviser_id": adviser_id,
                "district": district,
                "channel": channel,
                "notify": notify.id if notify else None,
            },
        )
        return StartedHandoff(handoff=_read(conn, handoff_id), notify=notify, new=True)


def record_reply(
    engine: Engine, handoff_id: int, *, staff_id: int, now: dt.datetime, text: str = ""
) -> Handoff:
    """Record a reply from a person to the young person (the first sets ``first_reply_at``).

    Delivering the reply on the young person's channel is the caller's job.

    Args:
        engine: The project's database.
        handoff_id: The handoff.
        staff_id: Who replied.
        now: When (aware).
        text: The reply, kept in the handoff's history.

    Returns:
        The handoff as it is now.

    Raises:
        NotFoundError: No such handoff.
        TransitionError: It was handed back to the bot already.

    """
    return record_reply_once(
        engine, handoff_id, staff_id=staff_id, now=now, text=text, key=None
    ).handoff


@dataclasses.dataclass(frozen=True)
class RecordedReply:
    """What :func:`record_reply_once` did: the handoff now, and whether the reply is new."""

    handoff: Handoff
    new: bool


def record_reply_once(
    engine: Engine,
    handoff_id: int,
    *,
    staff_id: int,
    now: dt.datetime,
    text: str,
    key: str | None,
) -> RecordedReply:
    """Like :func:`record_reply`, but a reply whose ``key`` was recorded already is not again.

    The console puts a one-time key in each reply form, so a form posted twice (a
    double click, a browser retrying) is one reply in the history and one message
    to the young person.

    Raises:
        NotFoundError: No such handoff.
        TransitionError: It was handed back to the bot already.

    """
    at = now
    with engine.begin() as conn:
        # Lock the handoff's row first, so two posts of one form are taken one at a time.
        conn.execute(handoffs.update().where(handoffs.c.id == handoff_id).values(id=handoffs.c.id))
        current = _read(conn, handoff_id)
        if current.status is not HandoffStatus.ACTIVE:
            raise TransitionError(
                f"handoff {handoff_id} was handed back to the bot; start a new one to reply"
            )
        if key is not None and any(
            event.action == "replied" and event.detail.get("key") == key
            for event in history.events(conn, "handoff", handoff_id)
        ):
            return RecordedReply(current, new=False)
        conn.execute(
            handoffs.update()
            .where(handoffs.c.id == handoff_id, handoffs.c.first_reply_at.is_(None))
            .values(first_reply_at=at)
        )
        detail: dict[str, str] = {"text": text.strip()[:MAX_TEXT]} if text.strip() else {}
        if key is not None:
            detail["key"] = key
        history.append(
            conn,
            "handoff",
            handoff_id,
            at=now,
            actor=Actor.staff(staff_id),
            action="replied",
            detail=detail,
        )
        return RecordedReply(_read(conn, handoff_id), new=True)


def record_message(engine: Engine, handoff_id: int, *, text: str, now: dt.datetime) -> None:
    """Keep a message the young person sent while handed over, for the person replying.

    The bot does not answer it (only the safety net does, for a crisis), so it is
    kept in the handoff's history for the console to show.
    """
    with engine.begin() as conn:
        history.append(
            conn,
            "handoff",
            handoff_id,
            at=now,
            actor=YOUNG_PERSON,
            action="message",
            detail={"text": text.strip()[:MAX_TEXT]},
        )


def record_first_reply(
    engine: Engine, handoff_id: int, *, staff_id: int, now: dt.datetime
) -> Handoff:
    """Record that a person replied (see :func:`record_reply`); only the first sets the time."""
    return record_reply(engine, handoff_id, staff_id=staff_id, now=now)


def return_to_bot(
    engine: Engine,
    handoff_id: int,
    *,
    actor: Actor,
    now: dt.datetime,
    note: str | None = None,
) -> Handoff:
    """Hand the conversation back to the bot.

    Raises:
        NotFoundError: No such handoff.
        TransitionError: It was handed back already.

    """
    with engine.begin() as conn:
        changed = conn.execute(
            handoffs.update()
            .where(handoffs.c.id == handoff_id, handoffs.c.status == _ACTIVE)
            .values(status=_RETURNED, ended_at=now)
        )
        if changed.rowcount != 1:
            _read(conn, handoff_id)  # NotFoundError if there is no such handoff
            raise TransitionError(f"handoff {handoff_id} was already handed back to the bot")
        history.append(
            conn,
            "handoff",
            handoff_id,
            at=now,
            actor=actor,
            action="returned",
            detail={"note": note[:MAX_TEXT]} if note else {},
        )
        return _read(conn, handoff_id)


def open_handoffs(engine: Engine, district: str | None = None) -> list[Handoff]:
    """Active handoffs, oldest first (for the manager view and inboxes)."""
    query = sa.select(handoffs).where(handoffs.c.status == _ACTIVE)
    if district is not None:
        query = query.where(handoffs.c.district == district)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(handoffs.c.started_at, handoffs.c.id)).all()
    return [handoff_from_row(row) for row in rows]


def handoff_history(engine: Engine, handoff_id: int) -> list[Event]:
    """Every step of a handoff, oldest first: who, what, when."""
    return history.history(engine, "handoff", handoff_id)
