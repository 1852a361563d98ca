"""The safety net learns from what it missed: marks, the review queue, approved phrases.

1. A PA, duty worker or quality reviewer marks a young person's message in the console as
   a **missed risk** (it showed risk and got no safety reply) or a **false alarm** (it got
   one and should not have): :func:`mark_message`.
2. A safeguarding approver (the console's ``safeguarding_approver`` role) reviews the
   queue (:func:`waiting`): takes personal details out of the words, chooses the label
   (a kind of risk, ``possible`` or ``none``), and approves or rejects it
   (:func:`decide`). Once decided, the mark's own copy of the words is cleared.
3. An approved phrase joins the phrase bank (``safety_phrases``). Each Rasa server looks
   every few seconds (:func:`phrases_version`) and refits its semantic layer with them;
   a message close to an approved phrase takes its label at once.

Every step is in the console's audit log; the weekly report counts marks and how long
they waited (:func:`week_figures`). No Rasa import: used by the console and the servers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.safety.categories import CATEGORIES
from bot.store.tables.safety import safety_marks, safety_phrases

MISSED_RISK = "missed_risk"
FALSE_ALARM = "false_alarm"
MARKS: dict[str, str] = {MISSED_RISK: "Missed risk", FALSE_ALARM: "False alarm"}
LABELS: tuple[str, ...] = (*CATEGORIES, "possible", "none")
SOURCES = ("quality", "alert")
MAX_TEXT = 2000
MAX_NOTE = 1000


class ReviewError(ValueError):
    """A mark or a decision that cannot be made; the message says why."""


@dataclasses.dataclass(frozen=True)
class Mark:
    """A message marked for the safety review (times aware UTC)."""

    id: int
    created_at: dt.datetime
    conversation_id: str
    text: str | None
    mark: str
    category: str | None
    source: str
    marked_by: int
    note: str | None
    status: str
    decided_by: int | None
    decided_at: dt.datetime | None
    label: str | None


@dataclasses.dataclass(frozen=True)
class Phrase:
    """An approved phrase of the bank."""

    id: int
    text: str
    label: str


def _from_row(row: sa.engine.Row) -> Mark:
    return Mark(
        id=row.id,
        created_at=row.created_at,
        conversation_id=row.conversation_id,
        text=row.message_text,
        mark=row.mark,
        category=row.category,
        source=row.source,
        marked_by=row.marked_by,
        note=row.note,
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        label=row.label,
    )


def mark_message(
    engine: Engine,
    *,
    conversation_id: str,
    text: str,
    mark: str,
    marked_by: int,
    now: dt.datetime,
    source: str,
    category: str | None = None,
    note: str = "",
) -> Mark:
    """Put a young person's message in the safety review queue.

    Raises:
        ReviewError: An unknown mark, kind of risk or source, no words, or a note too long.
    """
    if mark not in MARKS:
        raise ReviewError(f"the mark must be one of: {', '.join(MARKS)}")
    if category and category not in CATEGORIES:
        raise ReviewError("the kind of risk is not one the safety net knows")
    if source not in SOURCES:
        raise ReviewError(f"unknown source {source!r}")
    if not text.strip():
        raise ReviewError("there are no words to review")
    if len(note) > MAX_NOTE:
        raise ReviewError(f"the note is too long: at most {MAX_NOTE} characters")
    with engine.begin() as conn:
        result = conn.execute(
            safety_marks.insert().values(
                created_at=now,
                conversation_id=conversation_id[:255],
                message_text=text[:MAX_TEXT],
                mark=mark,
                category=category or None,
                source=source,
                marked_by=marked_by,
                note=note.strip() or None,
                status="waiting",
            )
        )
        row = conn.execute(
            sa.select(safety_marks).where(safety_marks.c.id == result.inserted_primary_key[0])
        ).one()
    return _from_row(row)


def waiting(engine: Engine, limit: int = 200) -> list[Mark]:
    """Marks waiting for a decision, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(safety_marks)
            .where(safety_marks.c.status == "waiting")
            .order_by(safety_marks.c.created_at, safety_marks.c.id)
            .limit(limit)
        ).all()
    return [_from_row(r) for r in rows]


def get_mark(engine: Engine, mark_id: int) -> Mark | None:
    """One mark, if it exists."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(safety_marks).where(safety_marks.c.id == mark_id)).first()
    return _from_row(row) if row else None


def decide(
    engine: Engine,
    mark_id: int,
    *,
    approve: bool,
    decided_by: int,
    now: dt.datetime,
    label: str = "",
    text: str = "",
) -> Mark:
    """Approve a mark into the phrase bank (with the approver's words and label), or reject it.

    The mark's own copy of the young person's words is cleared either way.

    Raises:
        ReviewError: No such mark, already decided (by whom is not said), the approver
            marked it themselves, or a label or words missing or wrong.
    """
    if approve:
        if label not in LABELS:
            raise ReviewError(f"choose a label: one of {', '.join(LABELS)}")
        if not text.strip():
            raise ReviewError("the phrase must have words (take out names and numbers)")
        if len(text) > MAX_TEXT:
            raise ReviewError(f"the phrase is too long: at most {MAX_TEXT} characters")
    with engine.begin() as conn:
        row = conn.execute(sa.select(safety_marks).where(safety_marks.c.id == mark_id)).first()
        if row is None:
            raise ReviewError(f"no safety mark {mark_id}")
        if row.marked_by == decided_by:
            raise ReviewError("a mark is decided by another person than the one who made it")
        changed = conn.execute(
            safety_marks.update()
            .where(safety_marks.c.id == mark_id, safety_marks.c.status == "waiting")
            .values(
                status="approved" if approve else "rejected",
                decided_by=decided_by,
                decided_at=now,
                label=label if approve else None,
                message_text=None,
            )
        ).rowcount
        if changed != 1:
            raise ReviewError(f"safety mark {mark_id} was already decided")
        if approve:
            conn.execute(
                safety_phrases.insert().values(
                    text=" ".join(text.split()),
                    label=label,
                    mark_id=mark_id,
                    approved_by=decided_by,
                    approved_at=now,
                    active=True,
                )
            )
        decided = conn.execute(sa.select(safety_marks).where(safety_marks.c.id == mark_id)).one()
    return _from_row(decided)


def approved_phrases(engine: Engine) -> list[Phrase]:
    """Every active approved phrase, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(safety_phrases.c.id, safety_phrases.c.text, safety_phrases.c.label)
            .where(safety_phrases.c.active.is_(True))
            .order_by(safety_phrases.c.id)
        ).all()
    return [Phrase(r.id, r.text, r.label) for r in rows]


def phrases_version(engine: Engine) -> tuple[int, int]:
    """Changes whenever the approved phrases do: (how many are active, the newest id)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(sa.func.count(), sa.func.max(safety_phrases.c.id)).where(
                safety_phrases.c.active.is_(True)
            )
        ).one()
    return int(row[0] or 0), int(row[1] or 0)


@dataclasses.dataclass(frozen=True)
class WeekFigures:
    """The safety review in one week (for the weekly report)."""

    missed_risk: int
    false_alarm: int
    decided: int
    approved: int
    still_waiting: int
    median_wait_hours: float | None
    longest_wait_hours: float | None


def week_figures(engine: Engine, start: dt.datetime, end: dt.datetime) -> WeekFigures:
    """Marks made in ``[start, end)``, decisions made then, and how long marks waited."""
    lo, hi = as_utc(start), as_utc(end)
    with engine.connect() as conn:
        made = conn.execute(
            sa.select(safety_marks.c.mark, sa.func.count())
            .where(safety_marks.c.created_at >= lo, safety_marks.c.created_at < hi)
            .group_by(safety_marks.c.mark)
        ).all()
        decided = conn.execute(
            sa.select(
                safety_marks.c.status, safety_marks.c.created_at, safety_marks.c.decided_at
            ).where(safety_marks.c.decided_at >= lo, safety_marks.c.decided_at < hi)
        ).all()
        open_marks = conn.execute(
            sa.select(safety_marks.c.created_at).where(
                safety_marks.c.status == "waiting", safety_marks.c.created_at < hi
            )
        ).all()
    counts = {mark: int(n) for mark, n in made}
    waits = [(r.decided_at - r.created_at).total_seconds() / 3600 for r in decided]
    waits += [(hi - r.created_at).total_seconds() / 3600 for r in open_marks]
    return WeekFigures(
        missed_risk=counts.get(MISSED_RISK, 0),
        false_alarm=counts.get(FALSE_ALARM, 0),
        decided=len(decided),
        approved=sum(1 for r in decided if r.status == "approved"),
        still_waiting=len(open_marks),
        median_wait_hours=round(statistics.median(waits), 1) if waits else None,
        longest_wait_hours=round(max(waits), 1) if waits else None,
    )
