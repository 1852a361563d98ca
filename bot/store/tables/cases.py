"""Cases, handoffs, safety alerts and their histories (part of the project's metadata).

Nothing in these tables is ever deleted. A case, a handoff or an alert changes
state by an update of its own row *and* an appended row in its history table, in
the same transaction; the history rows are never updated. Each subject has its own
history table (rather than one shared table keyed by kind and id) so that every
history row has a real foreign key to what it describes.

Times are stored as naive UTC, like the rest of the project's tables, and read and taken as
aware UTC (:class:`bot.store.types.UtcDateTime`).

Actors: ``actor`` is ``staff``, ``young_person`` or ``system``; ``staff_id`` says
which member of staff when it is ``staff``.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # PP-<1000 + id>, set in the transaction that inserts the row.
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
    # The young person's PA when the case was opened; NULL: the district's team manager.
    sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    # The young person's district when the case was opened (who oversees it).
    sa.Column("district", sa.String(64), nullable=False),
    sa.Column("conversation_id", sa.String(255), nullable=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("words", sa.Text, nullable=False),
    # open -> acknowledged -> answered -> closed (see bot.cases.service).
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(strict=True), nullable=False),
    sa.Column("acknowledge_due", UtcDateTime(strict=True), nullable=False),
    sa.Column("answer_due", UtcDateTime(strict=True), nullable=False),
    sa.Column("acknowledged_at", UtcDateTime(strict=True), nullable=True),
    sa.Column("answered_at", UtcDateTime(strict=True), nullable=True),
    sa.Column("closed_at", UtcDateTime(strict=True), nullable=True),
    # Last escalation: when, for which due date ("acknowledge" or "answer"), to whom.
    sa.Column("escalated_at", UtcDateTime(strict=True), nullable=True),
    sa.Column("escalated_for", sa.String(16), nullable=True),
    sa.Column("escalated_to", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Index("ix_cases_status", "status"),
    sa.Index("ix_cases_care_leaver_id", "care_leaver_id"),
    sa.Index("ix_cases_adviser_id", "adviser_id"),
)

case_events = sa.Table(
    "case_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(strict=True), nullable=False),
    sa.Column("actor", sa.String(16), nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    # opened, acknowledged, answered, closed, escalated, ...
    sa.Column("action", sa.String(32), nullable=False),
    # JSON object (text), e.g. the answer's words or who it was escalated to.
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)

handoffs = sa.Table(
    "handoffs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
    # The young person's PA; NULL: the district's team manager takes it.
    sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("district", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    # active -> returned
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("started_at", UtcDateTime(strict=True), nullable=False),
    sa.Column("first_reply_at", UtcDateTime(strict=True), nullable=True),
    sa.Column("ended_at", UtcDateTime(strict=True), nullable=True),
)

handoff_events = sa.Table(
    "handoff_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(strict=True), nullable=False),
    sa.Column("actor", sa.String(16), nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    # started, replied, returned
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)

safety_alerts = sa.Table(
    "safety_alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # The row in safety_events this alert is about (no foreign key: see docs/cases.md).
    sa.Column("safety_event_id", sa.Integer, nullable=True, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=True),
    # The young person's PA, alerted with the district's duty worker.
    sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("district", sa.String(64), nullable=False),
    sa.Column("raised_at", UtcDateTime(strict=True), nullable=False, index=True),
    sa.Column("acknowledged_at", UtcDateTime(strict=True), nullable=True),
    sa.Column("acknowledged_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("escalated_at", UtcDateTime(strict=True), nullable=True),
    sa.Column("escalated_to", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    # urgent (a crisis), check_in (possible risk) or undelivered (the crisis reply could
    # not reach the young person): bot.cases.alerts.PRIORITIES
    sa.Column("priority", sa.String(16), nullable=False, server_default="urgent"),
)

safety_alert_events = sa.Table(
    "safety_alert_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "alert_id", sa.Integer, sa.ForeignKey("safety_alerts.id"), nullable=False, index=True
    ),
    sa.Column("at", UtcDateTime(strict=True), nullable=False),
    sa.Column("actor", sa.String(16), nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    # raised, acknowledged, escalated
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)
