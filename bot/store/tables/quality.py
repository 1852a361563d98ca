"""Quality assurance and young people's feedback tables (part of the project's metadata).

- ``qa_draws``: one row per week whose sample has been drawn: the sample is drawn
  once and kept, so drawing again finds this row and returns the same sample.
- ``qa_samples``: the conversations drawn for review, with the district of the young
  person at the time of drawing (NULL: not on record, a group of its own).
- ``qa_reviews``: a reviewer's grade on Ofsted's scale, tags and a note, one per sample
  (saving again replaces it).
- ``qa_flags``: young people's messages a reviewer turned into unanswered questions
  for content staff (each message once).
- ``answer_feedback``: "Did that help?" taps: the entitlement, yes or no, the channel
  and the district. Never the words, never who tapped.

Times are aware UTC in and out (:class:`bot.store.types.UtcDateTime`), like every table's.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

qa_draws = sa.Table(
    "qa_draws",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # The Monday the sampled week starts on, in the council's time zone.
    sa.Column("week_start", sa.Date, nullable=False, unique=True),
    sa.Column("per_district", sa.Integer, nullable=False),
    sa.Column("drawn_at", UtcDateTime(), nullable=False),
)

qa_samples = sa.Table(
    "qa_samples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("week_start", sa.Date, nullable=False, index=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("district", sa.String(64), nullable=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=True),
    sa.UniqueConstraint("week_start", "conversation_id", name="uq_qa_samples_week_conversation"),
)

qa_reviews = sa.Table(
    "qa_reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sample_id", sa.Integer, sa.ForeignKey("qa_samples.id"), nullable=False, unique=True),
    sa.Column("grade", sa.String(32), nullable=False),
    # Tag codes, comma-separated and sorted (may be empty).
    sa.Column("tags", sa.String(255), nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("reviewed_at", UtcDateTime(), nullable=False, index=True),
)

qa_flags = sa.Table(
    "qa_flags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sample_id", sa.Integer, sa.ForeignKey("qa_samples.id"), nullable=False),
    # The young person's message: the id of its row in Rasa's events table.
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Column(
        "unanswered_id", sa.Integer, sa.ForeignKey("unanswered_questions.id"), nullable=False
    ),
    sa.Column("flagged_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("flagged_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("sample_id", "event_id", name="uq_qa_flags_sample_event"),
)

answer_feedback = sa.Table(
    "answer_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("given_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("entitlement_id", sa.String(80), nullable=False),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("district", sa.String(64), nullable=True),
)
