"""What the console's packs area shows and who may use it.

No Sanic here: :mod:`bot.console.areas.packs` calls these, and unit tests call them
on a real database. Who may see a care leaver's pack, and send one:

- an admin: everyone;
- a team manager: the care leavers of their district;
- a personal adviser: their own caseload (care leavers whose adviser they are).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.console.caseload import Viewer
from bot.console.roles import ADMIN, PERSONAL_ADVISER, TEAM_MANAGER
from bot.packs.service import NOT_SENT_WORDS
from bot.store.tables.packs import packs
from bot.store.tables.people import care_leavers

PACK_ROLES: tuple[str, ...] = (PERSONAL_ADVISER, TEAM_MANAGER, ADMIN)
"""Who has the packs area."""

LIST_LIMIT = 500
"""Most care leavers the list shows."""

REASON_WORDS = {
    "first": "First pack",
    "birthday_18": "18th birthday",
    "birthday_21": "21st birthday",
    "birthday_25": "25th birthday",
    "content_change": "Content changed",
    "resend": "Sent again by staff",
}


def may_see(viewer: Viewer, district: str, adviser_id: int | None) -> bool:
    """True if ``viewer`` may see and send packs for a care leaver of this district and PA."""
    if ADMIN in viewer.roles:
        return True
    if TEAM_MANAGER in viewer.roles and district == viewer.district:
        return True
    return PERSONAL_ADVISER in viewer.roles and adviser_id == viewer.staff_id


def _scope(viewer: Viewer) -> sa.ColumnElement[bool] | None:
    if ADMIN in viewer.roles:
        return sa.true()
    parts: list[sa.ColumnElement[bool]] = []
    if TEAM_MANAGER in viewer.roles:
        parts.append(care_leavers.c.district == viewer.district)
    if PERSONAL_ADVISER in viewer.roles:
        parts.append(care_leavers.c.adviser_id == viewer.staff_id)
    return sa.or_(*parts) if parts else None


@dataclasses.dataclass(frozen=True)
class PackRecord:
    """One pack as staff see it."""

    id: int
    reason: str
    channel: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    not_sent_reason: str | None
    acknowledged_at: dt.datetime | None
    first_opened_at: dt.datetime | None
    expires_at: dt.datetime

    @property
    def reason_words(self) -> str:
        """Why it was made, in words."""
        return REASON_WORDS.get(self.reason, self.reason)

    @property
    def state(self) -> str:
        """Where it is, in words."""
        if self.not_sent_reason:
            return NOT_SENT_WORDS.get(self.not_sent_reason, "not sent")
        if self.sent_at is None:
            return "not sent"
        if self.acknowledged_at is not None:
            return "they said they got it"
        if self.channel == "print":
            return "printed by staff"
        return "sent, no reply yet"


@dataclasses.dataclass(frozen=True)
class Row:
    """A care leaver in the packs list."""

    id: int
    name: str
    district: str
    latest: PackRecord | None


def _record(row: sa.engine.Row) -> PackRecord:
    return PackRecord(
        id=row.id,
        reason=row.reason,
        channel=row.channel,
        created_at=row.created_at,
        sent_at=row.sent_at,
        not_sent_reason=row.not_sent_reason,
        acknowledged_at=row.acknowledged_at,
        first_opened_at=row.first_opened_at,
        expires_at=row.expires_at,
    )


def history(engine: Engine, care_leaver_id: int) -> list[PackRecord]:
    """A care leaver's packs, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(packs)
            .where(packs.c.care_leaver_id == care_leaver_id)
            .order_by(packs.c.id.desc())
        ).all()
    return [_record(row) for row in rows]


def listing(engine: Engine, viewer: Viewer) -> list[Row]:
    """The care leavers ``viewer`` may see, by name, each with their latest pack."""
    scope = _scope(viewer)
    if scope is None:
        return []
    latest = sa.select(sa.func.max(packs.c.id)).group_by(packs.c.care_leaver_id)
    with engine.connect() as conn:
        people = conn.execute(
            sa.select(care_leavers.c.id, care_leavers.c.preferred_name, care_leavers.c.district)
            .where(scope)
            .order_by(care_leavers.c.preferred_name, care_leavers.c.id)
            .limit(LIST_LIMIT)
        ).all()
        ids = [p.id for p in people]
        found = (
            {
                row.care_leaver_id: _record(row)
                for row in conn.execute(
                    sa.select(packs).where(packs.c.id.in_(latest), packs.c.care_leaver_id.in_(ids))
                )
            }
            if ids
            else {}
        )
    return [Row(p.id, p.preferred_name, p.district, found.get(p.id)) for p in people]
