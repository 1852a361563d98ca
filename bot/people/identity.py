"""Who is talking: which care leaver a conversation belongs to, if anyone.

A conversation is linked to a care leaver only by the server: by the SMS channel,
when a signed message comes from a number on record, or after a one-time code sent
to the registered number is entered (web chat). Conversation ids are made by the
channels with a prefix per channel (``sms-``, ``rest-``, ``web-``), so choosing a
sender id in one channel can never reach a conversation of another. Every personal
answer looks its conversation up here; no link, no personal data.
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.clock import utcnow
from bot.store.care_leavers import CareLeaver as CareLeaver  # re-exported: the domain's name
from bot.store.care_leavers import care_leaver_from_row, select_on_record
from bot.store.tables.people import care_leavers, conversation_identities


def sms_conversation_id(number: str, key: str) -> str:
    """The pseudonymous conversation id of an SMS number (the number is not in it)."""
    digest = hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()
    return f"sms-{digest[:32]}"


def care_leaver_by_mobile(engine: Engine, number: str) -> CareLeaver | None:
    """The care leaver whose mobile (E.164) this is, if any."""
    with engine.connect() as conn:
        row = conn.execute(select_on_record().where(care_leavers.c.mobile == number)).first()
    return care_leaver_from_row(row) if row else None


def identify(engine: Engine, conversation_id: str) -> CareLeaver | None:
    """The care leaver a conversation is linked to, if it is."""
    with engine.connect() as conn:
        row = conn.execute(
            select_on_record()
            .join(
                conversation_identities,
                conversation_identities.c.care_leaver_id == care_leavers.c.id,
            )
            .where(conversation_identities.c.conversation_id == conversation_id)
        ).first()
    return care_leaver_from_row(row) if row else None


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
                verified_at=utcnow(),
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
                    verified_at=utcnow(),
                )
            )
    return person
