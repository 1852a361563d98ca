"""Who is talking: which care leaver a conversation belongs to, if anyone.

A conversation is linked to a care leaver only by the server: by the SMS channel,
when a signed message comes from a number on record, or after a one-time code sent
to the registered number is entered (web chat). Conversation ids are made by the
channels with a prefix per channel (``sms-``, ``rest-``, ``web-``), so choosing a
sender id in one channel can never reach a conversation of another. Every personal
answer looks its conversation up here; no link, no personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.clock import naive_utcnow
from bot.store.tables.people import care_leavers, conversation_identities, staff


def sms_conversation_id(number: str, key: str) -> str:
    """The pseudonymous conversation id of an SMS number (the number is not in it)."""
    digest = hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()
    return f"sms-{digest[:32]}"


@dataclasses.dataclass(frozen=True)
class CareLeaver:
    """What the bot may use about an identified young person."""

    id: int
    preferred_name: str
    date_of_birth: dt.date
    status: str
    district: str
    circumstances: frozenset[str]
    adviser_name: str | None
    pathway_last_review: dt.date | None
    pathway_next_review: dt.date | None


def _select() -> sa.sql.Select:
    return (
        sa.select(
            care_leavers.c.id,
            care_leavers.c.preferred_name,
            care_leavers.c.date_of_birth,
            care_leavers.c.status,
            care_leavers.c.district,
            care_leavers.c.circumstances,
            care_leavers.c.pathway_last_review,
            care_leavers.c.pathway_next_review,
            staff.c.name.label("adviser_name"),
        )
        .select_from(care_leavers.outerjoin(staff, staff.c.id == care_leavers.c.adviser_id))
        .where(care_leavers.c.erased_at.is_(None))
    )  # an erased record is nobody's


def _person(row: sa.engine.Row) -> CareLeaver:
    return CareLeaver(
        id=row.id,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        status=row.status,
        district=row.district,
        circumstances=frozenset(c for c in (row.circumstances or "").split(",") if c),
        adviser_name=row.adviser_name,
        pathway_last_review=row.pathway_last_review,
        pathway_next_review=row.pathway_next_review,
    )


def care_leaver_by_mobile(engine: Engine, number: str) -> CareLeaver | None:
    """The care leaver whose mobile (E.164) this is, if any."""
    with engine.connect() as conn:
        row = conn.execute(_select().where(care_leavers.c.mobile == number)).first()
    return _person(row) if row else None


def identify(engine: Engine, conversation_id: str) -> CareLeaver | None:
    """The care leaver a conversation is linked to, if it is."""
    with engine.connect() as conn:
        row = conn.execute(
            _select()
            .join(
                conversation_identities,
                conversation_identities.c.care_leaver_id == care_leavers.c.id,
            )
            .where(conversation_identities.c.conversation_id == conversation_id)
        ).first()
    return _person(row) if row else None


def _unlink(conn: Connection, conversation_id: str) -> None:
    conn.execute(
        conversation_identities.delete().where(
            conversation_identities.c.conversation_id == conversation_id
        )
    )


def link(engine: Engine, conversation_id: str, care_leaver_id: int, method: str) -> None:
    """Link a conversation to a care leaver (after the server has verified who it is)."""
    with engine.begin() as conn:
        _unlink(conn, conversation_id)
        conn.execute(
            conversation_identities.insert().values(
                conversation_id=conversation_id,
                care_leaver_id=care_leaver_id,
                method=method,
                verified_at=naive_utcnow(),
            )
        )


def unlink(engine: Engine, conversation_id: str) -> None:
    """Forget who a conversation belongs to."""
    with engine.begin() as conn:
        _unlink(conn, conversation_id)


def link_sms_sender(engine: Engine, conversation_id: str, number: str) -> CareLeaver | None:
    """Link an SMS conversation to the care leaver with that number, or unlink it.

    Called for every signed inbound SMS, so a number taken off a record stops being
    recognised at once.
    """
    person = care_leaver_by_mobile(engine, number)
    with engine.begin() as conn:
        current = conn.execute(
            sa.select(conversation_identities.c.care_leaver_id).where(
                conversation_identities.c.conversation_id == conversation_id
            )
        ).scalar()
        if person is None:
            if current is not None:
                _unlink(conn, conversation_id)
            return None
        if current != person.id:
            _unlink(conn, conversation_id)
            conn.execute(
                conversation_identities.insert().values(
                    conversation_id=conversation_id,
                    care_leaver_id=person.id,
                    method="sms",
                    verified_at=naive_utcnow(),
                )
            )
    return person
