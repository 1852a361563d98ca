"""What is held about one young person, and where: the lookups shared by access and erasure.

A young person's conversations are the ones the server tied to them: those linked to
their record (``conversation_identities``), the SMS conversation of their number on
record, and those their cases, handoffs and safety alerts came from. A web chat in
which someone merely *asked* for a code to their number is not theirs (anyone can type
a number), so its transcript is never included; the code texted to their phone is.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.people.identity import sms_conversation_id
from bot.records import conversation_key
from bot.store.tables.cases import (
    case_events,
    cases,
    handoff_events,
    handoffs,
    safety_alert_events,
    safety_alerts,
)
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import (
    care_leavers,
    conversation_identities,
    identity_checks,
    link_codes,
    staff,
)
from bot.store.tables.safety import safety_events
from bot.store.tables.sms import sms_contacts


class PersonNotFoundError(LookupError):
    """No care leaver has the reference given."""


@dataclasses.dataclass(frozen=True)
class Holdings:
    """The ids of everything held about one young person (rows are read by the callers)."""

    person: sa.engine.Row
    conversation_ids: tuple[str, ...]
    case_ids: tuple[int, ...]
    case_references: tuple[str, ...]
    handoff_ids: tuple[int, ...]
    alert_ids: tuple[int, ...]
    safety_event_ids: tuple[int, ...]
    staff_ids: tuple[int, ...]

    @property
    def conversation_keys(self) -> tuple[str, ...]:
        """The pseudonyms the unanswered questions of these conversations are stored under."""
        return tuple(conversation_key(c) for c in self.conversation_ids)

    def sms_to_person(self) -> sa.sql.ColumnElement:
        """Which ``sms_outbound`` rows were texts to this young person."""
        clauses = [sms_outbound.c.conversation_id.in_(self.conversation_ids)]
        if self.person.mobile:
            clauses.append(sms_outbound.c.to_number == self.person.mobile)
        return sa.or_(*clauses)


def find_person(conn: Connection, ref: str) -> sa.engine.Row:
    """The care leaver whose reference in the council's case system is ``ref``.

    Raises:
        PersonNotFoundError: No care leaver has that reference.
    """
    row = conn.execute(
        sa.select(care_leavers).where(care_leavers.c.external_ref == ref.strip())
    ).first()
    if row is None:
        raise PersonNotFoundError(f"No care leaver has the reference {ref.strip()!r}.")
    return row


def _ids(conn: Connection, query: sa.sql.Select) -> list[int]:
    return [int(value) for value in conn.execute(query).scalars()]


def gather(conn: Connection, person: sa.engine.Row, conversation_secret: str) -> Holdings:
    """Find the conversations and records that belong to ``person``.

    Args:
        conn: A connection (in the caller's transaction, for erasure).
        person: Their ``care_leavers`` row.
        conversation_secret: The key SMS conversation ids are made with.
    """
    pid = person.id
    conversations: set[str] = set(
        conn.execute(
            sa.select(conversation_identities.c.conversation_id).where(
                conversation_identities.c.care_leaver_id == pid
            )
        ).scalars()
    )
    if person.mobile:
        conversations.add(sms_conversation_id(person.mobile, conversation_secret))
        conversations.update(
            conn.execute(
                sa.select(sms_contacts.c.conversation_id).where(
                    sms_contacts.c.number == person.mobile
                )
            ).scalars()
        )
    for table in (cases, handoffs, safety_alerts):
        conversations.update(
            value
            for value in conn.execute(
                sa.select(table.c.conversation_id).where(table.c.care_leaver_id == pid)
            ).scalars()
            if value
        )
    case_rows = conn.execute(
        sa.select(cases.c.id, cases.c.reference).where(cases.c.care_leaver_id == pid)
    ).all()
    case_ids = [row.id for row in case_rows]
    handoff_ids = _ids(conn, sa.select(handoffs.c.id).where(handoffs.c.care_leaver_id == pid))
    alert_ids = _ids(
        conn, sa.select(safety_alerts.c.id).where(safety_alerts.c.care_leaver_id == pid)
    )
    event_ids = set(
        _ids(
            conn,
            sa.select(safety_events.c.id).where(
                safety_events.c.conversation_id.in_(sorted(conversations))
            ),
        )
    )
    event_ids.update(
        _ids(
            conn,
            sa.select(safety_alerts.c.safety_event_id).where(
                safety_alerts.c.id.in_(alert_ids), safety_alerts.c.safety_event_id.isnot(None)
            ),
        )
    )
    return Holdings(
        person=person,
        conversation_ids=tuple(sorted(conversations)),
        case_ids=tuple(case_ids),
        case_references=tuple(row.reference for row in case_rows),
        handoff_ids=tuple(handoff_ids),
        alert_ids=tuple(alert_ids),
        safety_event_ids=tuple(sorted(event_ids)),
        staff_ids=tuple(sorted(_staff_ids(conn, person, case_ids, handoff_ids, alert_ids))),
    )


def _staff_ids(
    conn: Connection,
    person: sa.engine.Row,
    case_ids: list[int],
    handoff_ids: list[int],
    alert_ids: list[int],
) -> set[int]:
    """Every member of staff on record as having handled this young person."""
    found: set[int | None] = {person.adviser_id}
    queries = [
        sa.select(cases.c.adviser_id, cases.c.escalated_to).where(cases.c.id.in_(case_ids)),
        sa.select(case_events.c.staff_id).where(case_events.c.case_id.in_(case_ids)),
        sa.select(handoffs.c.adviser_id).where(handoffs.c.id.in_(handoff_ids)),
        sa.select(handoff_events.c.staff_id).where(handoff_events.c.handoff_id.in_(handoff_ids)),
        sa.select(
            safety_alerts.c.adviser_id,
            safety_alerts.c.acknowledged_by,
            safety_alerts.c.escalated_to,
        ).where(safety_alerts.c.id.in_(alert_ids)),
        sa.select(safety_alert_events.c.staff_id).where(
            safety_alert_events.c.alert_id.in_(alert_ids)
        ),
    ]
    for query in queries:
        for row in conn.execute(query):
            found.update(row)
    return {value for value in found if value is not None}


def staff_names(conn: Connection, staff_ids: tuple[int, ...]) -> dict[int, sa.engine.Row]:
    """Name, role and district of each member of staff, by id."""
    rows = conn.execute(
        sa.select(staff.c.id, staff.c.name, staff.c.role, staff.c.district).where(
            staff.c.id.in_(staff_ids)
        )
    ).all()
    return {row.id: row for row in rows}


def link_code_rows(conn: Connection, holdings: Holdings) -> list[sa.engine.Row]:
    """Link codes for this young person's record or conversations (never the code hashes)."""
    return list(
        conn.execute(
            sa.select(
                link_codes.c.id,
                link_codes.c.created_at,
                link_codes.c.expires_at,
                link_codes.c.attempts,
                link_codes.c.used_at,
            )
            .where(
                sa.or_(
                    link_codes.c.care_leaver_id == holdings.person.id,
                    link_codes.c.conversation_id.in_(holdings.conversation_ids),
                )
            )
            .order_by(link_codes.c.id)
        ).all()
    )


def identity_check_rows(conn: Connection, holdings: Holdings) -> list[sa.engine.Row]:
    """The checks that texts came from them (never a date of birth: none is kept)."""
    return list(
        conn.execute(
            sa.select(
                identity_checks.c.verified_at,
                identity_checks.c.wrong_tries,
                identity_checks.c.pending_text,
                identity_checks.c.locked_at,
            )
            .where(
                sa.or_(
                    identity_checks.c.care_leaver_id == holdings.person.id,
                    identity_checks.c.conversation_id.in_(holdings.conversation_ids),
                )
            )
            .order_by(identity_checks.c.conversation_id)
        ).all()
    )
