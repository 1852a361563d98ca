"""Retention: delete conversation transcripts older than ``RETENTION_MONTHS`` (default 12).

What goes, once older than the period (see docs/data-protection.md):

- Rasa's stored events (``events``): every conversation's transcript, SMS and web chat
  alike (the web chat page's history is read from them), deleted by event timestamp;
- the text of outbound SMS (``sms_outbound.body`` blanked; the row stays, because
  delivery reports and dedupe keys refer to it);
- SMS conversations' numbers not heard from in the period (``sms_contacts``);
- the words of unanswered questions (blanked; the row stays for the figures);
- web chat link codes;
- the words of a question kept to answer once a number's date of birth was given
  (``identity_checks.pending_text``), when that was never given.

What stays: cases, handoffs, safety alerts, safety events and their histories, which
are safeguarding and complaints records kept under the council's own retention policy.

It is safe to run twice (a second run finds nothing) and while the bot runs: it deletes
in small batches, each its own transaction, and never touches a conversation's current
session, so a conversation that is still going keeps everything it needs.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import getpass
import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.clock import as_utc
from bot.db.rasa_events import events
from bot.settings import Settings
from bot.store import audit
from bot.store.tables.console import audit_log
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import identity_checks, link_codes
from bot.store.tables.records import unanswered_questions
from bot.store.tables.sms import sms_contacts

logger = logging.getLogger(__name__)

ACTION = "privacy.retention"
PARTIAL = "privacy.retention.partial"
BATCH = 500
# Batches one scheduler round may spend: a first run over a year of transcripts must not
# hold up the next round's escalations. The rest waits for the next round.
ROUND_BATCHES = 20
REMOVED = "(removed after the retention period)"
RUN_EVERY = dt.timedelta(hours=23)
# Outbound texts still on their way keep their words until they are sent or given up.
UNSENT = ("queued", "sending")


@dataclasses.dataclass
class RetentionReport:
    """What one run deleted or blanked (or, in a dry run, would have)."""

    cutoff: dt.datetime
    dry_run: bool = False
    events: int = 0
    sms_texts: int = 0
    sms_contacts: int = 0
    unanswered_questions: int = 0
    link_codes: int = 0
    identity_questions: int = 0
    complete: bool = True

    def lines(self) -> list[str]:
        """One line per kind of record, in plain words."""
        verb = "would delete" if self.dry_run else "deleted"
        blank = "would blank" if self.dry_run else "blanked"
        return [
            f"{verb} {self.events} conversation events (transcripts) from before "
            f"{self.cutoff:%Y-%m-%d %H:%M} UTC",
            f"{blank} the text of {self.sms_texts} outbound SMS",
            f"{verb} {self.sms_contacts} SMS contacts not heard from since then",
            f"{blank} the words of {self.unanswered_questions} unanswered questions",
            f"{verb} {self.link_codes} link codes",
            f"{blank} {self.identity_questions} questions kept for a date of birth never given",
        ] + ([] if self.complete else ["more to do: the next run carries on"])

    def summary(self) -> str:
        """The report on one line, for the audit log."""
        return "; ".join(self.lines())


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` less ``months`` calendar months (31 March less one month: 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _old_events(cutoff_ts: float) -> sa.sql.ColumnElement:
    """Events older than the cutoff that no live session needs.

    An event goes when it is older than the cutoff and either its conversation has had
    nothing since the cutoff, or it comes before the conversation's latest session (or
    history window) start. So the session Rasa loads for a live conversation is never
    touched, even one that began before the cutoff.
    """
    recent = sa.alias(events, "recent")
    session = sa.alias(events, "session")
    latest_start = (
        sa.select(sa.func.max(session.c.timestamp))
        .where(session.c.sender_id == events.c.sender_id)
        .where(session.c.type_name == "session_started")
        .scalar_subquery()
    )
    quiet = ~sa.exists().where(
        recent.c.sender_id == events.c.sender_id, recent.c.timestamp >= cutoff_ts
    )
    return sa.and_(
        events.c.timestamp < cutoff_ts,
        sa.or_(quiet, events.c.timestamp < latest_start),
    )


@dataclasses.dataclass(frozen=True)
class _Step:
    """One kind of record: which rows are old, and what to do with a batch of them."""

    name: str
    table: sa.Table
    key: sa.Column
    old: sa.sql.ColumnElement
    change: Callable[[list[object]], sa.sql.Executable]


def _steps(cutoff: dt.datetime) -> list[_Step]:
    return [
        _Step(
            "events",
            events,
            events.c.id,
            _old_events(cutoff.timestamp()),
            lambda ids: events.delete().where(events.c.id.in_(ids)),
        ),
        _Step(
            "sms_texts",
            sms_outbound,
            sms_outbound.c.id,
            sa.and_(
                sms_outbound.c.created_at < cutoff,
                sms_outbound.c.body != "",
                sms_outbound.c.status.notin_(UNSENT),
            ),
            lambda ids: sms_outbound.update().where(sms_outbound.c.id.in_(ids)).values(body=""),
        ),
        _Step(
            "sms_contacts",
            sms_contacts,
            sms_contacts.c.conversation_id,
            sms_contacts.c.updated_at < cutoff,
            lambda ids: sms_contacts.delete().where(sms_contacts.c.conversation_id.in_(ids)),
        ),
        _Step(
            "unanswered_questions",
            unanswered_questions,
            unanswered_questions.c.id,
            sa.and_(
                unanswered_questions.c.asked_at < cutoff,
                unanswered_questions.c.text != REMOVED,
            ),
            lambda ids: (
                unanswered_questions.update()
                .where(unanswered_questions.c.id.in_(ids))
                .values(text=REMOVED)
            ),
        ),
        _Step(
            "link_codes",
            link_codes,
            link_codes.c.id,
            link_codes.c.created_at < cutoff,
            lambda ids: link_codes.delete().where(link_codes.c.id.in_(ids)),
        ),
        _Step(
            "identity_questions",
            identity_checks,
            identity_checks.c.conversation_id,
            sa.and_(
                identity_checks.c.pending_text.is_not(None),
                identity_checks.c.asked_at < cutoff,
            ),
            lambda ids: (
                identity_checks.update()
                .where(identity_checks.c.conversation_id.in_(ids))
                .values(pending_text=None)
            ),
        ),
    ]


def _count(conn: Connection, step: _Step) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(step.table).where(step.old)).scalar()
        or 0
    )


def run(
    engine: Engine,
    settings: Settings,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    batch_size: int = BATCH,
    progress: Callable[[str], None] | None = None,
    who: str = "system (daily retention job)",
    staff_id: int | None = None,
    max_batches: int | None = None,
) -> RetentionReport:
    """Delete or blank what is older than ``settings.retention_months`` before ``now``.

    Args:
        engine: The project's database.
        settings: Where the retention period comes from.
        now: The time to judge by (aware, or naive UTC).
        dry_run: Count what would go, and change nothing (nothing is audited).
        batch_size: Rows per transaction.
        progress: Called with a line of text after each batch.
        who: Who ran it, in words for the audit log (no personal data).
        staff_id: Who ran it, when a member of staff did.
        max_batches: Stop after this many batches in all (the report says it is not
            complete, and the audit row is a ``privacy.retention.partial``).

    Returns:
        What was (or would be) deleted or blanked.
    """
    now = as_utc(now)
    report = RetentionReport(cutoff=months_before(now, settings.retention_months), dry_run=dry_run)
    batches = 0
    for step in _steps(report.cutoff):
        if dry_run:
            with engine.connect() as conn:
                setattr(report, step.name, _count(conn, step))
            continue
        done = 0
        while True:
            if max_batches is not None and batches >= max_batches:
                with engine.connect() as conn:
                    left = conn.execute(sa.select(step.key).where(step.old).limit(1)).first()
                report.complete = report.complete and left is None
                break
            with engine.begin() as conn:
                ids = list(
                    conn.execute(
                        sa.select(step.key).where(step.old).order_by(step.key).limit(batch_size)
                    ).scalars()
                )
                if ids:
                    conn.execute(step.change(ids))
                    batches += 1
            done += len(ids)
            if ids and progress is not None:
                progress(f"{step.name}: {done} so far")
            if len(ids) < batch_size:
                break
        setattr(report, step.name, done)
    if not dry_run:
        with engine.begin() as conn:
            audit.record(
                conn,
                ACTION if report.complete else PARTIAL,
                now=now,
                staff_id=staff_id,
                target=f"older than {settings.retention_months} months",
                detail=f"{who}: {report.summary()}",
            )
    return report


def last_run(conn: Connection) -> dt.datetime | None:
    """When a retention run last completed (from the audit log), if ever."""
    value = conn.execute(
        sa.select(sa.func.max(audit_log.c.at)).where(audit_log.c.action == ACTION)
    ).scalar()
    return value if isinstance(value, dt.datetime) else None


def run_if_due(engine: Engine, settings: Settings, now: dt.datetime) -> RetentionReport | None:
    """Run retention if it has not run in the last day (the scheduler calls this each round).

    A round does at most :data:`ROUND_BATCHES` batches; until a run completes, each round
    carries on where the last stopped. A failure is logged and left for the next round:
    it must never stop the round's escalations.
    """
    try:
        with engine.connect() as conn:
            previous = last_run(conn)
        if previous is not None and as_utc(now) - previous < RUN_EVERY:
            return None
        report = run(engine, settings, now, batch_size=BATCH, max_batches=ROUND_BATCHES)
    except Exception:  # a database blip: the next round tries again
        logger.exception("Retention job failed; trying again next round")
        return None
    logger.info(
        "Retention: %d events, %d SMS texts, %d SMS contacts, %d questions, %d link codes",
        report.events,
        report.sms_texts,
        report.sms_contacts,
        report.unanswered_questions,
        report.link_codes,
    )
    return report


def operator() -> str:
    """Who ran the command, in words for the audit log (the operating-system account)."""
    try:
        return f"command line (account {getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"
