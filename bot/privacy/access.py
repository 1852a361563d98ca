"""Subject access: everything held about one young person, in one readable HTML file.

HTML rather than Markdown: it opens in any browser on any computer the council or the
young person has, prints cleanly (a print style sheet, no scripts, nothing loaded from
elsewhere), and tables of cases and messages read far better than in plain text. The
file is self-contained: one file, styles inline.

Only this young person's data are read: their record and the conversations and records
tied to them (see :mod:`bot.privacy.holdings`). Staff appear by name and role.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jinja2
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.clock import as_utc, from_timestamp
from bot.db.rasa_events import events
from bot.privacy.holdings import (
    Holdings,
    find_person,
    gather,
    identity_check_rows,
    link_code_rows,
    staff_names,
)
from bot.private_files import replace_private_file
from bot.settings import Settings
from bot.store import audit
from bot.store.tables.cases import (
    case_events,
    cases,
    handoff_events,
    handoffs,
    safety_alert_events,
    safety_alerts,
)
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import staff
from bot.store.tables.records import unanswered_questions
from bot.store.tables.safety import safety_events
from bot.store.tables.sms import sms_inbound

ACTION = "privacy.subject_access"
TEMPLATES = Path(__file__).resolve().parent / "templates"


class AccessError(ValueError):
    """The export was refused, with a reason safe to show."""


@dataclasses.dataclass(frozen=True)
class Message:
    """One line of a transcript."""

    at: dt.datetime | None
    speaker: str
    text: str


@dataclasses.dataclass(frozen=True)
class Export:
    """What the export holds, for the command's summary."""

    person_id: int
    conversations: int
    messages: int
    sms_sent: int
    cases: int
    handoffs: int
    alerts: int
    safety_events: int


def _from_unix(value: float | None) -> dt.datetime | None:
    return None if value is None else from_timestamp(value)


def _transcript(conn: Connection, conversation_id: str) -> list[Message]:
    rows = conn.execute(
        sa.select(events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id == conversation_id, events.c.type_name.in_(("user", "bot")))
        .order_by(events.c.id)
    ).all()
    messages = []
    for row in rows:
        try:
            data = json.loads(row.data or "{}")
        except ValueError:
            continue
        text = data.get("text")
        if not isinstance(text, str) or not text:
            continue
        speaker = "Young person" if row.type_name == "user" else "Assistant"
        messages.append(Message(_from_unix(row.timestamp), speaker, text))
    return messages


def _channel(conversation_id: str) -> str:
    prefix = conversation_id.split("-", 1)[0]
    return {"sms": "SMS", "web": "web chat", "rest": "REST"}.get(prefix, prefix)


def _detail(raw: str | None) -> str:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return raw or ""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)


def _history(
    conn: Connection, table: sa.Table, key: sa.Column, subject_id: int
) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(table, staff.c.name.label("staff_name"))
        .select_from(table.outerjoin(staff, staff.c.id == table.c.staff_id))
        .where(key == subject_id)
        .order_by(table.c.id)
    ).all()
    return [
        {
            "at": row.at,
            "action": row.action,
            "who": row.staff_name or row.actor.replace("_", " "),
            "detail": _detail(row.detail),
        }
        for row in rows
    ]


def collect(conn: Connection, holdings: Holdings) -> dict[str, Any]:
    """Everything the export shows, read in one go."""
    person = holdings.person
    names = staff_names(conn, holdings.staff_ids)
    conversations = [
        {"id": cid, "channel": _channel(cid), "messages": _transcript(conn, cid)}
        for cid in holdings.conversation_ids
    ]
    sms_sent = conn.execute(
        sa.select(sms_outbound).where(holdings.sms_to_person()).order_by(sms_outbound.c.id)
    ).all()
    sms_received = conn.execute(
        sa.select(sms_inbound)
        .where(sms_inbound.c.conversation_id.in_(holdings.conversation_ids))
        .order_by(sms_inbound.c.received_at)
    ).all()
    case_rows = conn.execute(
        sa.select(cases).where(cases.c.id.in_(holdings.case_ids)).order_by(cases.c.id)
    ).all()
    handoff_rows = conn.execute(
        sa.select(handoffs).where(handoffs.c.id.in_(holdings.handoff_ids)).order_by(handoffs.c.id)
    ).all()
    alert_rows = conn.execute(
        sa.select(safety_alerts)
        .where(safety_alerts.c.id.in_(holdings.alert_ids))
        .order_by(safety_alerts.c.id)
    ).all()
    event_rows = conn.execute(
        sa.select(safety_events)
        .where(safety_events.c.id.in_(holdings.safety_event_ids))
        .order_by(safety_events.c.id)
    ).all()
    questions = conn.execute(
        sa.select(unanswered_questions)
        .where(unanswered_questions.c.conversation_key.in_(holdings.conversation_keys))
        .order_by(unanswered_questions.c.id)
    ).all()

    def who(staff_id: int | None) -> str:
        row = names.get(staff_id) if staff_id is not None else None
        return f"{row.name} ({row.role.replace('_', ' ')})" if row else ""

    return {
        "person": person,
        "adviser": who(person.adviser_id),
        "conversations": conversations,
        "sms_sent": sms_sent,
        "sms_received": sms_received,
        "cases": [
            {
                "row": row,
                "adviser": who(row.adviser_id),
                "escalated_to": who(row.escalated_to),
                "history": _history(conn, case_events, case_events.c.case_id, row.id),
            }
            for row in case_rows
        ],
        "handoffs": [
            {
                "row": row,
                "adviser": who(row.adviser_id),
                "history": _history(conn, handoff_events, handoff_events.c.handoff_id, row.id),
            }
            for row in handoff_rows
        ],
        "alerts": [
            {
                "row": row,
                "adviser": who(row.adviser_id),
                "acknowledged_by": who(row.acknowledged_by),
                "escalated_to": who(row.escalated_to),
                "history": _history(
                    conn, safety_alert_events, safety_alert_events.c.alert_id, row.id
                ),
            }
            for row in alert_rows
        ],
        "safety_events": event_rows,
        "questions": questions,
        "link_codes": link_code_rows(conn, holdings),
        "identity_checks": identity_check_rows(conn, holdings),
        "staff": [names[i] for i in sorted(names)],
    }


def _render(data: dict[str, Any], now: dt.datetime) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )

    def when(value: dt.datetime | dt.date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return f"{as_utc(value):%Y-%m-%d %H:%M:%S} UTC"
        return f"{value:%Y-%m-%d}"

    environment.filters["when"] = when
    return environment.get_template("subject_access.html").render(**data, made_at=now)


def export(
    engine: Engine,
    settings: Settings,
    ref: str,
    out: Path,
    *,
    by_email: str,
    now: dt.datetime,
) -> Export:
    """Write everything held about the young person with reference ``ref`` to ``out``.

    Args:
        engine: The project's database.
        settings: For the key SMS conversation ids are made with.
        ref: Their reference in the council's case system.
        out: The HTML file to write (replaced if it exists).
        by_email: Who asked for it (a member of staff's email): audited.
        now: When (aware, or naive UTC).

    Raises:
        AccessError: The member of staff is not on record.
        bot.privacy.holdings.PersonNotFoundError: No care leaver has that reference.
    """
    now = as_utc(now)
    with engine.connect() as conn:
        staff_id = conn.execute(
            sa.select(staff.c.id).where(sa.func.lower(staff.c.email) == by_email.strip().lower())
        ).scalar()
        if staff_id is None:
            raise AccessError(f"No staff record has the email {by_email.strip()!r}.")
        holdings = gather(conn, find_person(conn, ref), settings.conversation_key())
        data = collect(conn, holdings)
    page = _render(data, now)
    summary = Export(
        person_id=holdings.person.id,
        conversations=sum(1 for c in data["conversations"] if c["messages"]),
        messages=sum(len(c["messages"]) for c in data["conversations"]),
        sms_sent=len(data["sms_sent"]),
        cases=len(data["cases"]),
        handoffs=len(data["handoffs"]),
        alerts=len(data["alerts"]),
        safety_events=len(data["safety_events"]),
    )
    # The audit row and the file together: if the file cannot be written, no row says
    # it was.
    with engine.begin() as conn:
        audit.record(
            conn,
            ACTION,
            now=now,
            staff_id=int(staff_id),
            target=f"care_leaver:{summary.person_id}",
            detail=(
                f"exported {summary.messages} messages in {summary.conversations} "
                f"conversations, {summary.sms_sent} SMS sent, {summary.cases} cases, "
                f"{summary.handoffs} handoffs, {summary.alerts} safety alerts, "
                f"{summary.safety_events} safety events"
            ),
        )
        # Readable by the person running the command only, from the moment it exists.
        replace_private_file(out, page.encode("utf-8"))
    return summary
