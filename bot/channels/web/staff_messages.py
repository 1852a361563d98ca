"""Staff messages for a web chat: written in the console, waiting until the chat shows them.

A personal adviser's reply to a young person talking in the web chat is put here
(:func:`enqueue`) by the console. The web chat's socket pushes a conversation's
waiting messages (:func:`pending`) to it while it is open, and marks them delivered
(:func:`mark_delivered`) only after the send succeeded; a closed chat gets them when
it connects again. The page's history shows them too (:func:`conversation_messages`),
delivered or not. Nothing is ever deleted.

Sent twice is one message, in two ways:

- the caller's *dedupe key* (``handoff-reply:<id>:<event>``, ``case-reply:<ref>:answered``):
  the same key again is the same message;
- the same words from the same person to the same conversation within
  :data:`RESUBMIT_WINDOW` are taken for a retried or double-clicked form and kept once.
  A unique fingerprint (words, sender, conversation and the two-minute window they fall
  in) makes two posts at the same instant one row, whichever process writes first.

The young person sees who wrote as a first name and a role only ("Pat (your personal
adviser)", "Chris (leaving care team)"), fixed when the message is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.channels.web.sessions import CONVERSATION_PREFIX
from bot.clock import as_utc
from bot.store.tables.cases import cases, handoffs
from bot.store.tables.people import care_leavers, conversation_identities, staff
from bot.store.tables.web import web_chat_messages

MAX_TEXT = 4000
RESUBMIT_WINDOW = dt.timedelta(minutes=2)
ADVISER_ROLE = "your personal adviser"
TEAM_ROLE = "leaving care team"
_CHUNK = 500
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclasses.dataclass(frozen=True)
class StaffMessage:
    """One staff message for a web chat conversation (times aware UTC)."""

    id: int
    ref: str
    conversation_id: str
    text: str
    sender: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None

    def visible(self) -> dict[str, str]:
        """What the page is given: its reference, words, who wrote it and when (UTC)."""
        return {
            "ref": self.ref,
            "text": self.text,
            "sender": self.sender,
            "at": self.created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    @property
    def timestamp(self) -> float:
        """When it was written, in Unix seconds (to order it among Rasa's events)."""
        return (self.created_at - _EPOCH).total_seconds()


@dataclasses.dataclass(frozen=True)
class Enqueued:
    """What :func:`enqueue` did: the message, and False if it was there already."""

    message: StaffMessage
    new: bool


def _from_row(row: sa.engine.Row) -> StaffMessage:
    return StaffMessage(
        id=int(row.id),
        ref=row.ref,
        conversation_id=row.conversation_id,
        text=row.text,
        sender=row.sender_label,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def _fingerprint(conversation_id: str, staff_id: int, text: str, at: dt.datetime) -> str:
    window = int((at - _EPOCH).total_seconds() // RESUBMIT_WINDOW.total_seconds())
    material = f"web-staff|v1|{conversation_id}|{staff_id}|{window}|{text}"
    return hashlib.sha256(material.encode()).hexdigest()


def _advisers(conn: Connection, conversation_id: str) -> set[int]:
    """The PAs of whoever this conversation belongs to (by link, handoff or case)."""
    young = (
        sa.select(conversation_identities.c.care_leaver_id)
        .where(conversation_identities.c.conversation_id == conversation_id)
        .union(
            sa.select(handoffs.c.care_leaver_id).where(
                handoffs.c.conversation_id == conversation_id
            ),
            sa.select(cases.c.care_leaver_id).where(cases.c.conversation_id == conversation_id),
        )
        .subquery()
    )
    found = conn.execute(
        sa.select(care_leavers.c.adviser_id).where(
            care_leavers.c.id.in_(sa.select(young.c.care_leaver_id))
        )
    ).scalars()
    handed = conn.execute(
        sa.select(handoffs.c.adviser_id).where(handoffs.c.conversation_id == conversation_id)
    ).scalars()
    return {int(i) for i in [*found, *handed] if i is not None}


def sender_label(conn: Connection, staff_id: int, conversation_id: str) -> str:
    """How the young person sees who wrote: a first name and a role, never a full name.

    "Pat (your personal adviser)" for their own PA, else "Chris (leaving care team)";
    with no name on record, the role alone ("Your personal adviser").

    Raises:
        ValueError: No member of staff with this id.

    """
    name = conn.execute(sa.select(staff.c.name).where(staff.c.id == staff_id)).scalar()
    if name is None:
        raise ValueError(f"no member of staff with id {staff_id}")
    role = ADVISER_ROLE if staff_id in _advisers(conn, conversation_id) else TEAM_ROLE
    words = str(name).split()
    return f"{words[0]} ({role})"[:160] if words else role[0].upper() + role[1:]


def _existing(
    conn: Connection,
    dedupe_key: str,
    fingerprint: str,
    conversation_id: str,
    staff_id: int,
    text: str,
    since: dt.datetime,
) -> sa.engine.Row | None:
    same_key = conn.execute(
        sa.select(web_chat_messages).where(web_chat_messages.c.dedupe_key == dedupe_key)
    ).first()
    if same_key is not None:
        return same_key
    return conn.execute(
        sa.select(web_chat_messages)
        .where(
            sa.or_(
                web_chat_messages.c.fingerprint == fingerprint,
                sa.and_(
                    web_chat_messages.c.conversation_id == conversation_id,
                    web_chat_messages.c.staff_id == staff_id,
                    web_chat_messages.c.created_at >= since,
                    web_chat_messages.c.text == text,
                ),
            )
        )
        .order_by(web_chat_messages.c.id)
    ).first()


def enqueue(
    engine: Engine,
    *,
    conversation_id: str,
    text: str,
    staff_id: int,
    dedupe_key: str,
    now: dt.datetime,
) -> Enqueued:
    """Keep a staff message for a web chat conversation until the chat shows it.

    Args:
        engine: The project's database.
        conversation_id: The web chat conversation (``web-...``).
        text: The words (stripped; at most :data:`MAX_TEXT` characters).
        staff_id: Who wrote it (``staff.id``).
        dedupe_key: The caller's key; the same key again is the same message.
        now: When (aware, or naive UTC).

    Returns:
        The message, and whether it is new (False: this was a repeat, nothing written).

    Raises:
        ValueError: Not a web chat conversation, no words, too many words, or no such
            member of staff. Nothing is written.

    """
    words = text.strip()
    if not conversation_id.startswith(CONVERSATION_PREFIX) or len(conversation_id) > 255:
        raise ValueError("not a web chat conversation")
    if not words:
        raise ValueError("the message is empty")
    if len(words) > MAX_TEXT:
        raise ValueError(f"the message is longer than {MAX_TEXT} characters")
    if not dedupe_key or len(dedupe_key) > 200:
        raise ValueError("the dedupe key must be 1 to 200 characters")
    at = as_utc(now)
    fingerprint = _fingerprint(conversation_id, staff_id, words, at)
    lookup = (dedupe_key, fingerprint, conversation_id, staff_id, words, at - RESUBMIT_WINDOW)
    try:
        with engine.begin() as conn:
            found = _existing(conn, *lookup)
            if found is not None:
                return Enqueued(_from_row(found), new=False)
            label = sender_label(conn, staff_id, conversation_id)
            inserted = conn.execute(
                web_chat_messages.insert().values(
                    ref=secrets.token_urlsafe(16),
                    conversation_id=conversation_id,
                    text=words,
                    staff_id=staff_id,
                    sender_label=label,
                    dedupe_key=dedupe_key,
                    fingerprint=fingerprint,
                    created_at=at,
                    delivered_at=None,
                )
            )
            row = conn.execute(
                sa.select(web_chat_messages).where(
                    web_chat_messages.c.id == inserted.inserted_primary_key[0]
                )
            ).one()
            return Enqueued(_from_row(row), new=True)
    except IntegrityError:
        # Another request wrote the same message a moment ago: that one stands.
        with engine.connect() as conn:
            found = _existing(conn, *lookup)
        if found is None:
            raise
        return Enqueued(_from_row(found), new=False)


def pending(engine: Engine, conversation_ids: Iterable[str]) -> dict[str, list[StaffMessage]]:
    """Messages not yet delivered to these conversations, oldest first, by conversation."""
    wanted = sorted(set(conversation_ids))
    waiting: dict[str, list[StaffMessage]] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            rows = conn.execute(
                sa.select(web_chat_messages)
                .where(
                    web_chat_messages.c.conversation_id.in_(wanted[start : start + _CHUNK]),
                    web_chat_messages.c.delivered_at.is_(None),
                )
                .order_by(web_chat_messages.c.id)
            ).all()
            for row in rows:
                waiting.setdefault(row.conversation_id, []).append(_from_row(row))
    return waiting


def mark_delivered(engine: Engine, message_ids: Sequence[int], now: dt.datetime) -> int:
    """Record that these messages reached the chat; a message keeps its first time.

    Returns:
        How many were marked now (not those marked before).

    """
    if not message_ids:
        return 0
    with engine.begin() as conn:
        changed = conn.execute(
            web_chat_messages.update()
            .where(
                web_chat_messages.c.id.in_(list(message_ids)),
                web_chat_messages.c.delivered_at.is_(None),
            )
            .values(delivered_at=as_utc(now))
        )
    return int(changed.rowcount)


def conversation_messages(
    engine: Engine, conversation_id: str, limit: int = 200
) -> list[StaffMessage]:
    """A conversation's latest ``limit`` staff messages, delivered or not, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(web_chat_messages)
            .where(web_chat_messages.c.conversation_id == conversation_id)
            .order_by(web_chat_messages.c.id.desc())
            .limit(limit)
        ).all()
    return [_from_row(row) for row in reversed(rows)]
