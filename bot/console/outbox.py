"""The SMS outbox as the console shows it: queued and sent texts, newest first.

In demo mode texts are not sent but kept with the status ``outbox`` in
``sms_outbound`` (:mod:`bot.store.tables.notify`); with Twilio the same table shows what
was sent and how it went. Young people's numbers and messages are in it, so only
:data:`bot.console.roles.OUTBOX_ROLES` may read it, each reading is audited, and:

- **each reader sees their own district's texts only**, like the rest of a team
  manager's view: texts to a young person of that district (by their mobile, or their
  conversation linked to their record) and to its staff. An admin sees every text,
  those to numbers not on record too (they have no district).
- **nobody reads a secret in it**: a web chat link code or an entitlements pack's link
  would let whoever reads it be treated as the young person, so both are masked for
  every reader (``[link code]``, ``[pack link]``), where the text says them and, for
  texts sent as a code or a pack, any digits or link in them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot import linear_re
from bot.console.roles import ADMIN, TEAM_MANAGER
from bot.packs.service import LINK_IN_SMS, PACK_KEY_PREFIX
from bot.people.linking import CODE_IN_SMS, LINK_CODE_KEY_PREFIX
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import care_leavers, conversation_identities, staff

LINK_CODE = "[link code]"
PACK_LINK = "[pack link]"
NOT_SHOWN = "[not shown: it could not be checked for a link code or pack link]"


class Reader(Protocol):
    """Who is reading (a :class:`bot.console.sessions.Person` is one)."""

    @property
    def district(self) -> str: ...  # noqa: D102

    @property
    def roles(self) -> frozenset[str]: ...  # noqa: D102


@dataclasses.dataclass(frozen=True)
class OutboxMessage:
    """One text in the outbound queue, as a reader may see it (secrets masked)."""

    id: int
    created_at: dt.datetime
    to_number: str
    body: str
    status: str
    attempts: int
    error: str | None


# ---- what a reader may see -------------------------------------------------------------------


def sees_every_district(reader: Reader) -> bool:
    """True for an admin: every text, in every district and to numbers not on record."""
    return ADMIN in reader.roles


def _in_district(district: str) -> ColumnElement[bool]:
    """Texts to someone of ``district``: a young person or member of staff, by number or record."""
    young_person = (
        sa.exists()
        .where(
            care_leavers.c.mobile == sms_outbound.c.to_number,
            care_leavers.c.district == district,
        )
        .correlate(sms_outbound)
    )
    member_of_staff = (
        sa.exists()
        .where(staff.c.mobile == sms_outbound.c.to_number, staff.c.district == district)
        .correlate(sms_outbound)
    )
    linked = (
        sa.exists()
        .where(
            conversation_identities.c.conversation_id == sms_outbound.c.conversation_id,
            care_leavers.c.id == conversation_identities.c.care_leaver_id,
            care_leavers.c.district == district,
        )
        .correlate(sms_outbound)
    )
    return sa.or_(young_person, member_of_staff, linked)


def _visible(reader: Reader) -> ColumnElement[bool]:
    if sees_every_district(reader):
        return sa.true()
    if TEAM_MANAGER in reader.roles and reader.district:
        return _in_district(reader.district)
    return sa.false()


# ---- secrets ---------------------------------------------------------------------------------


def _rules() -> list[tuple[linear_re.Pattern, str]]:
    return [
        (linear_re.compile(LINK_IN_SMS), PACK_LINK),
        (linear_re.compile(CODE_IN_SMS), LINK_CODE),
    ]


def _by_kind(dedupe_key: str) -> tuple[linear_re.Pattern, str] | None:
    """For a text sent as a code or a pack: whatever could be its secret, however worded."""
    if dedupe_key.startswith(LINK_CODE_KEY_PREFIX):
        return linear_re.compile(r"\d{4,}"), LINK_CODE
    if dedupe_key.startswith(PACK_KEY_PREFIX):
        return linear_re.compile(r"\S*/\S*|\S{20,}"), PACK_LINK
    return None


def shown_body(dedupe_key: str, body: str) -> str:
    """A text's words as the outbox shows them: link codes and pack links masked."""
    try:
        shown = body
        rules = _rules()
        kind = _by_kind(dedupe_key)
        if kind is not None:
            rules.append(kind)
        for pattern, marker in rules:
            shown = pattern.sub(marker, shown)
        return shown
    except linear_re.MatchBudgetExceeded:
        return NOT_SHOWN


# ---- reading ---------------------------------------------------------------------------------


def count(conn: Connection, reader: Reader) -> int:
    """How many texts ``reader`` may see."""
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(sms_outbound).where(_visible(reader))
        ).scalar_one()
    )


def page(conn: Connection, reader: Reader, number: int, per_page: int = 50) -> list[OutboxMessage]:
    """The ``number``-th page (from 1) of the texts ``reader`` may see, newest first."""
    rows = conn.execute(
        sa.select(sms_outbound)
        .where(_visible(reader))
        .order_by(sms_outbound.c.created_at.desc(), sms_outbound.c.id.desc())
        .limit(per_page)
        .offset(max(0, number - 1) * per_page)
    ).all()
    return [
        OutboxMessage(
            id=row.id,
            created_at=row.created_at,
            to_number=row.to_number,
            body=shown_body(row.dedupe_key, row.body),
            status=row.status,
            attempts=row.attempts,
            error=row.error,
        )
        for row in rows
    ]
