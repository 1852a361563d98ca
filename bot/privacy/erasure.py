"""Erasure of a young person's personal data on request (the right to erasure).

Everything happens in one transaction, so a failure leaves nothing half-erased. What
goes: their conversations' transcripts (Rasa's events), the text and number of every
SMS sent to them, their SMS conversations' numbers, the words of their unanswered
questions, the links between conversations and their record, and link codes. Their
record stays, pseudonymised (no name, mobile, date of birth, circumstances or review
dates), so that the ids in the records that must be kept still resolve.

Kept, and listed in the command's output and the audit entry (reasons in
docs/data-protection.md): cases and their histories (part of the young person's
leaving-care record, and the trail of any complaint), handoffs and their histories,
safety alerts, safety events and their histories (safeguarding records), and an SMS
opt-out for their number (the law requires a STOP to be honoured).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.clock import as_utc
from bot.db.rasa_events import events
from bot.privacy.holdings import Holdings, find_person, gather
from bot.settings import Settings
from bot.store import audit
from bot.store.tables.notify import sms_opt_outs, sms_outbound
from bot.store.tables.people import (
    care_leavers,
    conversation_identities,
    identity_checks,
    link_codes,
    staff,
)
from bot.store.tables.records import unanswered_questions
from bot.store.tables.sms import sms_contacts, sms_inbound

ACTION = "privacy.erase"
ERASED_NAME = "(erased)"
ERASED_TEXT = "(erased on request)"
UNSENT = ("queued", "sending")


class ErasureError(ValueError):
    """The erasure was refused, with a reason safe to show."""


@dataclasses.dataclass
class ErasurePlan:
    """What an erasure removes and what it keeps, by count and reference."""

    person_id: int
    already_erased: bool
    events: int = 0
    sms_texts: int = 0
    sms_contacts: int = 0
    unanswered_questions: int = 0
    identities: int = 0
    link_codes: int = 0
    identity_checks: int = 0
    kept: list[str] = dataclasses.field(default_factory=list)

    def removed_lines(self) -> list[str]:
        """What goes, one line each."""
        return [
            "name, mobile number, date of birth, circumstances and review dates on the record",
            f"{self.events} conversation events (transcripts of their chats and texts)",
            f"{self.sms_texts} outbound SMS (text and number blanked, unsent ones cancelled)",
            f"{self.sms_contacts} SMS contacts (their number against a conversation)",
            f"{self.unanswered_questions} unanswered questions' words",
            f"{self.identities} links between conversations and the record",
            f"{self.link_codes} link codes",
            f"{self.identity_checks} checks that texts came from them",
        ]

    def audit_detail(self, reason: str) -> str:
        """Reason, counts and what was kept, for the audit log (ids and references only)."""
        counts = (
            f"events {self.events}, SMS {self.sms_texts}, contacts {self.sms_contacts}, "
            f"questions {self.unanswered_questions}, links {self.identities}, "
            f"codes {self.link_codes}, checks {self.identity_checks}"
        )
        kept = "; ".join(self.kept) if self.kept else "nothing"
        return f"reason: {reason} | removed: {counts} | kept: {kept}"


def _count(conn: Connection, table: sa.Table, where: sa.sql.ColumnElement) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
    )


def _kept(conn: Connection, holdings: Holdings) -> list[str]:
    kept: list[str] = []
    if holdings.case_references:
        kept.append("cases and their histories: " + ", ".join(holdings.case_references))
    if holdings.handoff_ids:
        kept.append("handoffs and their histories: " + ", ".join(map(str, holdings.handoff_ids)))
    if holdings.alert_ids:
        kept.append("safety alerts and their histories: " + ", ".join(map(str, holdings.alert_ids)))
    if holdings.safety_event_ids:
        kept.append("safety events: " + ", ".join(map(str, holdings.safety_event_ids)))
    mobile = holdings.person.mobile
    if mobile and _count(conn, sms_opt_outs, sms_opt_outs.c.number == mobile):
        kept.append("an SMS opt-out (STOP) for their number")
    kept.append(f"the pseudonymised record care_leaver:{holdings.person.id}")
    return kept


def _wheres(holdings: Holdings) -> dict[str, tuple[sa.Table, sa.sql.ColumnElement]]:
    conversations = holdings.conversation_ids
    contacts = sms_contacts.c.conversation_id.in_(conversations)
    if holdings.person.mobile:
        contacts = sa.or_(contacts, sms_contacts.c.number == holdings.person.mobile)
    return {
        "events": (events, events.c.sender_id.in_(conversations)),
        "sms_texts": (
            sms_outbound,
            sa.and_(holdings.sms_to_person(), sms_outbound.c.to_number != ""),
        ),
        "sms_contacts": (sms_contacts, contacts),
        "unanswered_questions": (
            unanswered_questions,
            sa.and_(
                unanswered_questions.c.conversation_key.in_(holdings.conversation_keys),
                unanswered_questions.c.text != ERASED_TEXT,
            ),
        ),
        "identities": (
            conversation_identities,
            conversation_identities.c.care_leaver_id == holdings.person.id,
        ),
        "link_codes": (
            link_codes,
            sa.or_(
                link_codes.c.care_leaver_id == holdings.person.id,
                link_codes.c.conversation_id.in_(conversations),
            ),
        ),
        "identity_checks": (
            identity_checks,
            sa.or_(
                identity_checks.c.care_leaver_id == holdings.person.id,
                identity_checks.c.conversation_id.in_(conversations),
            ),
        ),
    }


def _plan(conn: Connection, holdings: Holdings) -> ErasurePlan:
    plan = ErasurePlan(
        person_id=holdings.person.id, already_erased=holdings.person.erased_at is not None
    )
    for name, (table, where) in _wheres(holdings).items():
        setattr(plan, name, _count(conn, table, where))
    plan.kept = _kept(conn, holdings)
    return plan


def _staff_id(conn: Connection, email: str) -> int:
    found = conn.execute(
        sa.select(staff.c.id).where(sa.func.lower(staff.c.email) == email.strip().lower())
    ).scalar()
    if found is None:
        raise ErasureError(f"No staff record has the email {email.strip()!r}.")
    return int(found)


def erase(
    engine: Engine,
    settings: Settings,
    ref: str,
    *,
    reason: str,
    by_email: str,
    now: dt.datetime,
    confirm: bool,
) -> ErasurePlan:
    """Erase (``confirm``) or only plan the erasure of the young person with reference ``ref``.

    Args:
        engine: The project's database.
        settings: For the key SMS conversation ids are made with.
        ref: Their reference in the council's case system (``external_ref``).
        reason: Why (the request, in plain words without personal data): audited.
        by_email: The email of the member of staff who carries it out: audited.
        now: When (aware, or naive UTC).
        confirm: False shows the plan and changes nothing.

    Returns:
        What was (or would be) removed and kept.

    Raises:
        ErasureError: No reason given, or the member of staff is not on record.
        bot.privacy.holdings.PersonNotFoundError: No care leaver has that reference.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ErasureError("Say why (--reason), for the audit log.")
    now = as_utc(now)
    with engine.begin() as conn:
        staff_id = _staff_id(conn, by_email)
        person = find_person(conn, ref)
        holdings = gather(conn, person, settings.conversation_key())
        plan = _plan(conn, holdings)
        if not confirm:
            conn.rollback()
            return plan
        wheres = _wheres(holdings)
        conn.execute(events.delete().where(wheres["events"][1]))
        conn.execute(
            sms_outbound.update()
            .where(wheres["sms_texts"][1], sms_outbound.c.status.in_(UNSENT))
            .values(status="cancelled", updated_at=now)
        )
        conn.execute(
            sms_outbound.update()
            .where(wheres["sms_texts"][1])
            .values(body="", to_number="", updated_at=now)
        )
        conn.execute(sms_contacts.delete().where(wheres["sms_contacts"][1]))
        # A text not handled yet keeps its words until it is: erased now, never handled.
        conn.execute(
            sms_inbound.update()
            .where(sms_inbound.c.conversation_id.in_(holdings.conversation_ids))
            .values(
                pending_from=None,
                pending_body=None,
                handled_at=sa.func.coalesce(
                    sms_inbound.c.handled_at, sa.literal(now, sms_inbound.c.handled_at.type)
                ),
            )
        )
        conn.execute(
            unanswered_questions.update()
            .where(wheres["unanswered_questions"][1])
            .values(text=ERASED_TEXT)
        )
        conn.execute(conversation_identities.delete().where(wheres["identities"][1]))
        conn.execute(link_codes.delete().where(wheres["link_codes"][1]))
        conn.execute(identity_checks.delete().where(wheres["identity_checks"][1]))
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == person.id)
            .values(
                preferred_name=ERASED_NAME,
                mobile=None,
                date_of_birth=None,
                circumstances="",
                pathway_last_review=None,
                pathway_next_review=None,
                linking_locked_until=None,
                erased_at=now,
                updated_at=now,
            )
        )
        _audit(conn, plan, reason=reason, staff_id=staff_id, now=now)
    return plan


def _audit(
    conn: Connection, plan: ErasurePlan, *, reason: str, staff_id: int, now: dt.datetime
) -> None:
    """One audit row, continued in more rows if the list of kept records is long."""
    detail = plan.audit_detail(reason)
    target = f"care_leaver:{plan.person_id}"
    chunk = audit.MAX_DETAIL
    parts = [detail[i : i + chunk] for i in range(0, len(detail), chunk)] or [""]
    for number, part in enumerate(parts):
        audit.record(
            conn,
            ACTION if number == 0 else f"{ACTION}.continued",
            now=now,
            staff_id=staff_id,
            target=target,
            detail=part,
        )
