"""Quality assurance: a weekly sample of conversations, read masked, graded on Ofsted's scale.

Once a week has ended, :func:`draw_sample` picks at random up to
``QA_SAMPLE_PER_DISTRICT`` of that week's conversations in each district (those
not on record are a group of their own) with the operating system's cryptographic
random source, and keeps them: drawing again returns the same sample. A reviewer
reads the week's part of each conversation (:func:`transcript`) with personal
details masked (:func:`mask`) unless :func:`sees_unmasked` allows otherwise,
grades it (:func:`save_review`) and can turn a young person's message the bot got
wrong into an unanswered question for content staff (:func:`flag_unanswered`).

Who may review: team managers and admins. A team manager of the conversation's
district, or an admin, sees it unmasked; everyone else who may review sees it masked.

No Rasa import, no web framework: the console calls these functions and writes the
audit log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import from_timestamp
from bot.db.rasa_events import events
from bot.privacy.masking import mask
from bot.records import MAX_TEXT, conversation_key
from bot.reports.weeks import Week
from bot.store.tables.people import care_leavers, conversation_identities
from bot.store.tables.quality import qa_draws, qa_flags, qa_reviews, qa_samples
from bot.store.tables.records import unanswered_questions

ADMIN = "admin"
TEAM_MANAGER = "team_manager"
REVIEW_ROLES = frozenset({ADMIN, TEAM_MANAGER})
"""Who may review conversations (the same words as :mod:`bot.console.roles`)."""

GRADES: tuple[tuple[str, str], ...] = (
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("requires_improvement", "Requires improvement"),
    ("inadequate", "Inadequate"),
)
"""Ofsted's scale, best first: (code, words)."""

TAGS: tuple[tuple[str, str], ...] = (
    ("wrong_answer", "Wrong answer"),
    ("missed_risk", "Missed risk"),
    ("slow_pa_reply", "Slow PA reply"),
    ("unclear_wording", "Unclear wording"),
)
"""What went wrong: (code, words)."""

GRADE_NAMES = dict(GRADES)
TAG_NAMES = dict(TAGS)
NOT_ON_RECORD = "Not on record"
"""How the group of conversations with no young person on record is named."""
MAX_NOTE = 2000

YOUNG_PERSON = "young person"
BOT = "bot"


class QualityError(ValueError):
    """Something asked of quality assurance that cannot be done; the message says why."""


@dataclasses.dataclass(frozen=True)
class Sample:
    """One conversation drawn for review, and its review if it has one."""

    id: int
    week: Week
    conversation_id: str
    district: str | None
    care_leaver_id: int | None
    grade: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    reviewer_id: int | None = None
    reviewed_at: dt.datetime | None = None

    @property
    def group(self) -> str:
        """The district, or :data:`NOT_ON_RECORD`."""
        return self.district or NOT_ON_RECORD

    @property
    def reviewed(self) -> bool:
        """True once graded."""
        return self.grade is not None


@dataclasses.dataclass(frozen=True)
class Line:
    """One message of a transcript.

    Attributes:
        event_id: Its row in Rasa's events table.
        at: When (aware UTC).
        speaker: :data:`YOUNG_PERSON` or :data:`BOT`.
        text: The words (masked or not, as the reader was given them).
        answered: For a young person's message: the entitlement the bot answered with.
        flagged: True if it has been turned into an unanswered question already.

    """

    event_id: int
    at: dt.datetime
    speaker: str
    text: str
    answered: str | None = None
    flagged: bool = False


# ---- who may do what ---------------------------------------------------------------------


def may_review(roles: Iterable[str]) -> bool:
    """True if someone with ``roles`` may review conversations."""
    return bool(REVIEW_ROLES.intersection(roles))


def sees_unmasked(roles: Iterable[str], own_district: str | None, sample: Sample) -> bool:
    """True if a reviewer sees this conversation's personal details.

    An admin does; a team manager does for conversations of their own district only
    (a conversation not on record has no district: only admins see it unmasked).
    """
    held = set(roles)
    if ADMIN in held:
        return True
    return TEAM_MANAGER in held and sample.district is not None and sample.district == own_district


# ---- masking -----------------------------------------------------------------------------
#
# :func:`mask` is :func:`bot.privacy.masking.mask`: the one masking, on RE2, also used for
# the questions the bot could not answer before they are stored.


# ---- the sample --------------------------------------------------------------------------


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def _week_conversations(
    conn: Connection, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, str | None, int | None]]:
    """The week's conversations (a young person said something in it), with who they are."""
    ids = sorted(
        row.sender_id
        for row in conn.execute(
            sa.select(events.c.sender_id)
            .where(
                events.c.type_name == "user",
                events.c.timestamp >= _epoch(start),
                events.c.timestamp < _epoch(end),
            )
            .distinct()
        )
    )
    known: dict[str, tuple[str, int]] = {}
    for first in range(0, len(ids), 500):
        chunk = ids[first : first + 500]
        query = (
            sa.select(
                conversation_identities.c.conversation_id,
                care_leavers.c.id,
                care_leavers.c.district,
            )
            .select_from(
                conversation_identities.join(
                    care_leavers, care_leavers.c.id == conversation_identities.c.care_leaver_id
                )
            )
            .where(conversation_identities.c.conversation_id.in_(chunk))
        )
        for row in conn.execute(query):
            known[row.conversation_id] = (row.district, row.id)
    found: list[tuple[str, str | None, int | None]] = []
    for conversation_id in ids:
        district, person = known.get(conversation_id, (None, None))
        found.append((conversation_id, district, person))
    return found


def _select_samples() -> sa.sql.Select:
    return (
        sa.select(
            qa_samples,
            qa_reviews.c.grade,
            qa_reviews.c.tags,
            qa_reviews.c.note,
            qa_reviews.c.reviewer_id,
            qa_reviews.c.reviewed_at,
        )
        .select_from(qa_samples.outerjoin(qa_reviews, qa_reviews.c.sample_id == qa_samples.c.id))
        .order_by(qa_samples.c.district, qa_samples.c.id)
    )


def _sample(row: sa.engine.Row) -> Sample:
    return Sample(
        id=row.id,
        week=Week(row.week_start),
        conversation_id=row.conversation_id,
        district=row.district,
        care_leaver_id=row.care_leaver_id,
        grade=row.grade,
        tags=tuple(t for t in (row.tags or "").split(",") if t),
        note=row.note or "",
        reviewer_id=row.reviewer_id,
        reviewed_at=row.reviewed_at,
    )


def week_sample(engine: Engine, week: Week) -> list[Sample] | None:
    """The week's kept sample (districts in name order, not on record last), or None."""
    with engine.connect() as conn:
        drawn = conn.execute(
            sa.select(qa_draws.c.id).where(qa_draws.c.week_start == week.monday)
        ).first()
        if drawn is None:
            return None
        rows = conn.execute(_select_samples().where(qa_samples.c.week_start == week.monday))
        samples = [_sample(row) for row in rows]
    return sorted(samples, key=lambda s: (s.district is None, s.district or "", s.id))


def draw_sample(
    engine: Engine,
    week: Week,
    *,
    per_district: int,
    timezone: str,
    now: dt.datetime,
) -> list[Sample]:
    """The week's sample: drawn at random the first time, the kept one afterwards.

    Args:
        engine: The project's database.
        week: A week that has ended.
        per_district: Conversations to draw in each district (and among those not on record).
        timezone: The council's time zone (the week's bounds).
        now: Now, naive UTC.

    Returns:
        The sample, as :func:`week_sample` gives it.

    Raises:
        QualityError: The week has not ended yet (its conversations are not all known).

    """
    kept = week_sample(engine, week)
    if kept is not None:
        return kept
    if not week.has_ended(now, timezone):
        raise QualityError(f"week {week.label} has not ended yet: its sample is drawn after it")
    start, end = week.bounds(timezone)
    chance = secrets.SystemRandom()
    try:
        with engine.begin() as conn:
            conn.execute(
                qa_draws.insert().values(
                    week_start=week.monday, per_district=per_district, drawn_at=now
                )
            )
            groups: dict[str | None, list[tuple[str, str | None, int | None]]] = {}
            for found in _week_conversations(conn, start, end):
                groups.setdefault(found[1], []).append(found)
            for members in groups.values():
                for conversation_id, district, person in chance.sample(
                    members, min(per_district, len(members))
                ):
                    conn.execute(
                        qa_samples.insert().values(
                            week_start=week.monday,
                            conversation_id=conversation_id,
                            district=district,
                            care_leaver_id=person,
                        )
                    )
    except IntegrityError:
        pass  # drawn at the same moment elsewhere: that one is kept
    drawn = week_sample(engine, week)
    assert drawn is not None
    return drawn


def get_sample(engine: Engine, sample_id: int) -> Sample | None:
    """One sampled conversation, or None."""
    with engine.connect() as conn:
        row = conn.execute(_select_samples().where(qa_samples.c.id == sample_id)).first()
    return _sample(row) if row else None


# ---- reading -----------------------------------------------------------------------------


def names_of(engine: Engine, sample: Sample) -> list[str]:
    """The young person's name as on record (nothing for a conversation not on record)."""
    if sample.care_leaver_id is None:
        return []
    with engine.connect() as conn:
        name = conn.execute(
            sa.select(care_leavers.c.preferred_name).where(
                care_leavers.c.id == sample.care_leaver_id
            )
        ).scalar()
    return [name] if name else []


def _load(data: str | None) -> dict[str, object]:
    try:
        loaded = json.loads(data or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def transcript(engine: Engine, sample: Sample, *, timezone: str, masked: bool = True) -> list[Line]:
    """The sampled week's messages of the conversation, in order, with their times.

    Args:
        engine: The project's database (Rasa's events table).
        sample: The sampled conversation.
        timezone: The council's time zone (the week's bounds).
        masked: Mask personal details (see :func:`mask`).

    Returns:
        The young person's and the bot's messages; each of the young person's says
        which entitlement the bot answered it with, if it answered with one.

    """
    start, end = sample.week.bounds(timezone)
    names = names_of(engine, sample) if masked else []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events.c.id, events.c.type_name, events.c.timestamp, events.c.data)
            .where(
                events.c.sender_id == sample.conversation_id,
                events.c.type_name.in_(("user", "bot", "slot")),
                events.c.timestamp >= _epoch(start),
                events.c.timestamp < _epoch(end),
            )
            .order_by(events.c.timestamp, events.c.id)
        ).all()
        flagged = set(
            conn.execute(
                sa.select(qa_flags.c.event_id).where(qa_flags.c.sample_id == sample.id)
            ).scalars()
        )
    lines: list[Line] = []
    asked: int | None = None  # index in ``lines`` of the young person's latest message
    for row in rows:
        data = _load(row.data)
        if row.type_name == "slot":
            value = data.get("value")
            if asked is not None and data.get("name") == "entitlement_id" and value:
                lines[asked] = dataclasses.replace(lines[asked], answered=str(value))
            continue
        text = str(data.get("text") or "")
        if not text:
            continue
        speaker = YOUNG_PERSON if row.type_name == "user" else BOT
        if masked:
            text = mask(text, names, digit_runs=speaker == YOUNG_PERSON)
        lines.append(
            Line(
                event_id=row.id,
                at=from_timestamp(row.timestamp),
                speaker=speaker,
                text=text,
                flagged=row.id in flagged,
            )
        )
        if speaker == YOUNG_PERSON:
            asked = len(lines) - 1
    return lines


# ---- grading -----------------------------------------------------------------------------


def check_review(grade: str, tags: Iterable[str], note: str) -> tuple[str, tuple[str, ...], str]:
    """A review's grade, tags and note, checked.

    Raises:
        QualityError: Says what is wrong (no grade, an unknown tag, a note too long).

    """
    if grade not in GRADE_NAMES:
        raise QualityError("choose a grade: outstanding, good, requires improvement or inadequate")
    chosen = tuple(sorted(set(tags)))
    if any(t not in TAG_NAMES for t in chosen):
        raise QualityError(f"a tag is not one of: {', '.join(TAG_NAMES.values()).lower()}")
    cleaned = note.strip()
    if len(cleaned) > MAX_NOTE:
        raise QualityError(f"the note is {len(cleaned)} characters; the most is {MAX_NOTE}")
    return grade, chosen, cleaned


def save_review(
    engine: Engine,
    sample_id: int,
    *,
    grade: str,
    tags: Iterable[str],
    note: str,
    reviewer_id: int,
    now: dt.datetime,
) -> Sample:
    """Grade a sampled conversation (saving again replaces the review).

    Raises:
        QualityError: No such sample, or the review is not right (nothing is saved).

    """
    grade, chosen, cleaned = check_review(grade, tags, note)
    values = {
        "grade": grade,
        "tags": ",".join(chosen),
        "note": cleaned,
        "reviewer_id": reviewer_id,
        "reviewed_at": now,
    }
    with engine.begin() as conn:
        exists = conn.execute(
            sa.select(qa_samples.c.id).where(qa_samples.c.id == sample_id)
        ).scalar()
        if exists is None:
            raise QualityError("there is no such sampled conversation")
        updated = conn.execute(
            qa_reviews.update().where(qa_reviews.c.sample_id == sample_id).values(**values)
        )
        if not updated.rowcount:
            conn.execute(qa_reviews.insert().values(sample_id=sample_id, **values))
    sample = get_sample(engine, sample_id)
    assert sample is not None
    return sample


def _channel(conversation_id: str, data: dict[str, object]) -> str:
    channel = data.get("input_channel")
    if isinstance(channel, str) and channel:
        return channel
    return conversation_id.split("-", 1)[0] if "-" in conversation_id else "unknown"


def flag_unanswered(
    engine: Engine,
    sample: Sample,
    event_id: int,
    *,
    staff_id: int,
    timezone: str,
    now: dt.datetime,
) -> int:
    """Turn a young person's message the bot got wrong into an unanswered question.

    The question is stored masked (content staff see it), with the time it was asked
    and, as the best guess, the entitlement the bot answered it with, if it did.

    Returns:
        The new unanswered question's id.

    Raises:
        QualityError: The message is not one of the young person's in this sample's
            transcript, or it has been turned into a question already.

    """
    lines = {line.event_id: line for line in transcript(engine, sample, timezone=timezone)}
    line = lines.get(event_id)
    if line is None or line.speaker != YOUNG_PERSON:
        raise QualityError("pick one of the young person's messages in this conversation")
    if line.flagged:
        raise QualityError("that message is already with content staff")
    try:
        with engine.begin() as conn:
            data = _load(
                conn.execute(sa.select(events.c.data).where(events.c.id == event_id)).scalar()
            )
            question_id = int(
                conn.execute(
                    unanswered_questions.insert().values(
                        asked_at=line.at,
                        text=line.text[:MAX_TEXT],
                        channel=_channel(sample.conversation_id, data)[:32],
                        conversation_key=conversation_key(sample.conversation_id),
                        best_guess=line.answered,
                        best_score=None,
                        status="new",
                        district=sample.district,
                    )
                ).inserted_primary_key[0]
            )
            conn.execute(
                qa_flags.insert().values(
                    sample_id=sample.id,
                    event_id=event_id,
                    unanswered_id=question_id,
                    flagged_by=staff_id,
                    flagged_at=now,
                )
            )
    except IntegrityError:
        # The same message flagged at the same moment elsewhere: that one is kept.
        raise QualityError("that message is already with content staff") from None
    return question_id
