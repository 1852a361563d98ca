"""Mask the personal details in the unanswered questions already held (issue 15).

From this version a question the bot could not answer is masked before it is stored
(bot.records.record_unanswered, bot.privacy.masking). This masks the ones stored
before: ``unanswered_questions.text`` (with the young person's name as on record, for
conversations linked to a record) and the top questions kept in ``weekly_reports``.
Data only; no table changes. Masking cannot be undone, so downgrading changes nothing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.privacy.masking import mask
from bot.records import MAX_TEXT, conversation_key

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 500

_questions = sa.table(
    "unanswered_questions", sa.column("id", sa.Integer), sa.column("text", sa.Text),
    sa.column("conversation_key", sa.String),
)  # fmt: skip
_identities = sa.table(
    "conversation_identities",
    sa.column("conversation_id", sa.String),
    sa.column("care_leaver_id", sa.Integer),
)
_people = sa.table(
    "care_leavers", sa.column("id", sa.Integer), sa.column("preferred_name", sa.String)
)
_reports = sa.table("weekly_reports", sa.column("id", sa.Integer), sa.column("figures", sa.Text))


def _normal(text: str) -> str:
    """As the weekly report keeps a question: lower case, spaces tidied."""
    return " ".join(text.lower().split())


def _names_by_key(conn: sa.engine.Connection) -> dict[str, str]:
    rows = conn.execute(
        sa.select(_identities.c.conversation_id, _people.c.preferred_name).select_from(
            _identities.join(_people, _people.c.id == _identities.c.care_leaver_id)
        )
    )
    return {conversation_key(r.conversation_id): r.preferred_name for r in rows if r.preferred_name}


def _mask_questions(conn: sa.engine.Connection) -> dict[str, str]:
    """Mask every stored question; return each one's old words -> new, as reports keep them."""
    names = _names_by_key(conn)
    seen: dict[str, str] = {}
    last = 0
    while True:
        rows = conn.execute(
            sa.select(_questions.c.id, _questions.c.text, _questions.c.conversation_key)
            .where(_questions.c.id > last)
            .order_by(_questions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return seen
        for row in rows:
            last = row.id
            name = names.get(row.conversation_key or "")
            masked = mask(row.text or "", [name] if name else [])[:MAX_TEXT]
            seen[_normal(row.text or "")] = _normal(masked)
            if masked != row.text:
                conn.execute(
                    _questions.update().where(_questions.c.id == row.id).values(text=masked)
                )


def _mask_report(figures: dict[str, Any], seen: dict[str, str]) -> bool:
    changed = False
    for scope in figures.values():
        top = scope.get("top_unanswered") if isinstance(scope, dict) else None
        if not top:
            continue
        counts: Counter[str] = Counter()
        for text, count in top:
            counts[seen.get(str(text)) or _normal(mask(str(text)))] += int(count)
        masked = [[t, n] for t, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        if masked != [[str(t), int(n)] for t, n in top]:
            scope["top_unanswered"] = masked
            changed = True
    return changed


def upgrade() -> None:
    conn = op.get_bind()
    seen = _mask_questions(conn)
    for row in conn.execute(sa.select(_reports.c.id, _reports.c.figures)).all():
        try:
            figures = json.loads(row.figures)
        except ValueError:
            continue
        if isinstance(figures, dict) and _mask_report(figures, seen):
            conn.execute(
                _reports.update()
                .where(_reports.c.id == row.id)
                .values(figures=json.dumps(figures, sort_keys=True))
            )


def downgrade() -> None:
    """Nothing to undo: the masked words are not kept anywhere."""
