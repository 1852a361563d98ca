"""The queue of questions the bot could not answer, for content staff to deal with.

The bot stores each question it could not answer (:func:`bot.records.record_unanswered`,
status ``new``). Here staff see them grouped (the same question asked in slightly
different words is one line of the queue), and deal with each group:

- **attach** it to an entry: the wording staff confirm becomes a new example question of
  that entry, published at once as a new version (:mod:`entitlements.examples`), so the
  bot answers that question next time, without retraining; the questions become
  ``attached``;
- or **dismiss** it with a reason (``dismissed``).

How many questions went unanswered each ISO week is counted for the queue's page.

Every function takes a connection in the caller's transaction, so the change, the
questions' new status and the audit log row are written together or not at all. No
Rasa or Sanic here; who may do this is the console's business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Connection

from bot.clock import as_utc
from bot.store.tables.records import unanswered_questions
from entitlements.examples import ExampleError, ExamplesAdded, add_examples
from entitlements.normalise import expand

NEW, ATTACHED, DISMISSED = "new", "attached", "dismissed"
QUEUE_LIMIT = 1000
"""The queue groups at most this many of the newest new questions at once."""
SIMILAR = 88
"""Two questions whose sorted key words are this alike (rapidfuzz ratio, 0-100) are one group."""
MAX_REASON = 500
MAX_EXAMPLES = 20

FILLER: frozenset[str] = frozenset(
    """
    a an the and or so but is are am was be do does did can could would will should shall
    i im me my mine you your u we us our it its this that these those to of for on in at
    with about please pls plz hi hello hey hiya ok okay um erm just really any some
    """.split()
)
"""Words that make no difference to what a question asks, left out when grouping."""


class QuestionError(ValueError):
    """The questions cannot be dealt with as asked; the message says why, in plain words."""


class AlreadyDealtWith(QuestionError):
    """Someone dealt with a question first (or it does not exist); nothing was changed."""


@dataclasses.dataclass(frozen=True)
class Question:
    """One unanswered question as staff see it (no conversation, not even its pseudonym)."""

    id: int
    asked_at: dt.datetime
    text: str
    channel: str
    best_guess: str | None
    best_score: float | None


@dataclasses.dataclass(frozen=True)
class QuestionGroup:
    """Questions that ask the same thing, oldest first."""

    key: str
    questions: tuple[Question, ...]

    @property
    def id(self) -> int:
        """The group's name in addresses: the id of its oldest question."""
        return self.questions[0].id

    @property
    def text(self) -> str:
        """The wording asked most often (the earliest of equals)."""
        counts: dict[str, int] = {}
        for question in self.questions:
            counts[question.text] = counts.get(question.text, 0) + 1
        return max(counts, key=lambda text: counts[text])

    @property
    def wordings(self) -> tuple[str, ...]:
        """Each different wording once, most asked first."""
        counts: dict[str, int] = {}
        for question in self.questions:
            wording = " ".join(question.text.split())
            counts[wording] = counts.get(wording, 0) + 1
        return tuple(sorted(counts, key=lambda text: -counts[text]))

    @property
    def last_asked(self) -> dt.datetime:
        """When a question of the group was last asked."""
        return max(q.asked_at for q in self.questions)

    @property
    def best_guess(self) -> str | None:
        """The entry the search thought closest most often, if any."""
        guesses = [q.best_guess for q in self.questions if q.best_guess]
        return max(sorted(set(guesses)), key=guesses.count) if guesses else None


@dataclasses.dataclass(frozen=True)
class WeekCount:
    """How many questions went unanswered in one ISO week."""

    year: int
    week: int
    starts: dt.date
    count: int

    @property
    def label(self) -> str:
        """The week as ISO 8601 writes it, e.g. ``2026-W48``."""
        return f"{self.year}-W{self.week:02d}"


def grouping_key(text: str) -> str:
    """The words that matter in a question, spelled out, each once, sorted.

    "wat r u" and "what are you" give the same key; so do "can I get a free haircut"
    and "free haircut can i get". A question of filler words only keeps them all.
    """
    words = expand(text).split()
    kept = sorted({w for w in words if w not in FILLER})
    return " ".join(kept or sorted(set(words)))


def group_questions(questions: Iterable[Question]) -> list[QuestionGroup]:
    """Group questions that ask the same thing, deterministically.

    Questions are taken oldest first. One joins the group whose key is the same as its
    own; failing that, the first group (oldest first) whose key is at least
    :data:`SIMILAR` alike (a typo, a word more or less in a long question); failing
    that, it starts a group.

    Returns:
        The groups, biggest first, then the most recently asked first.

    """
    ordered = sorted(questions, key=lambda q: (q.asked_at, q.id))
    members: dict[str, list[Question]] = {}
    keys: list[str] = []
    for question in ordered:
        key = grouping_key(question.text)
        if key not in members and keys:
            match = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR)
            if match is not None:
                key = match[0]
        if key not in members:
            members[key] = []
            keys.append(key)
        members[key].append(question)
    groups = [QuestionGroup(key=key, questions=tuple(members[key])) for key in keys]
    groups.sort(key=lambda g: (-len(g.questions), -g.last_asked.timestamp(), g.id))
    return groups


def _question(row: sa.engine.Row) -> Question:
    return Question(
        id=row.id,
        asked_at=row.asked_at,
        text=row.text,
        channel=row.channel,
        best_guess=row.best_guess,
        best_score=row.best_score,
    )


_COLUMNS = (
    unanswered_questions.c.id,
    unanswered_questions.c.asked_at,
    unanswered_questions.c.text,
    unanswered_questions.c.channel,
    unanswered_questions.c.best_guess,
    unanswered_questions.c.best_score,
)


def new_questions(conn: Connection, limit: int = QUEUE_LIMIT) -> list[Question]:
    """The newest ``limit`` questions nobody has dealt with yet."""
    rows = conn.execute(
        sa.select(*_COLUMNS)
        .where(unanswered_questions.c.status == NEW)
        .order_by(unanswered_questions.c.asked_at.desc(), unanswered_questions.c.id.desc())
        .limit(limit)
    )
    return [_question(row) for row in rows]


def queue(conn: Connection, limit: int = QUEUE_LIMIT) -> list[QuestionGroup]:
    """The queue: new questions, grouped."""
    return group_questions(new_questions(conn, limit))


def count_new(conn: Connection) -> int:
    """How many questions wait in the queue (all of them, not only the grouped ones)."""
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(unanswered_questions)
            .where(unanswered_questions.c.status == NEW)
        ).scalar_one()
    )


def group_of(conn: Connection, question_id: int) -> QuestionGroup | None:
    """The queue's group holding question ``question_id``, if it is still new."""
    for group in queue(conn):
        if any(q.id == question_id for q in group.questions):
            return group
    return None


def _claim(
    conn: Connection,
    question_ids: Sequence[int],
    *,
    status: str,
    resolution: str,
    actor: str,
    now: dt.datetime,
) -> None:
    ids = sorted(set(question_ids))
    if not ids:
        raise QuestionError("Choose at least one question.")
    result = conn.execute(
        unanswered_questions.update()
        .where(unanswered_questions.c.id.in_(ids))
        .where(unanswered_questions.c.status == NEW)
        .values(status=status, resolved_at=now, resolved_by=actor[:120], resolution=resolution)
    )
    if result.rowcount != len(ids):
        raise AlreadyDealtWith(
            "Someone has already dealt with some of these questions, or they do not exist. "
            "Nothing was changed: go back to the queue and look again."
        )


def attach(
    conn: Connection,
    question_ids: Sequence[int],
    entry_id: str,
    examples: Sequence[str],
    *,
    actor: str,
    now: dt.datetime,
) -> ExamplesAdded:
    """Add ``examples`` to entry ``entry_id`` and mark the questions attached.

    Args:
        conn: A connection in a transaction; on any error the caller's transaction
            must roll back (nothing is half-done then).
        question_ids: The questions dealt with.
        entry_id: The published entry that answers them.
        examples: The example questions to add, as staff worded them (names and
            numbers taken out).
        actor: Who did it (stored on the questions and the new version).
        now: When (aware, or naive UTC).

    Returns:
        The new version of the entry.

    Raises:
        QuestionError: No questions, too many examples, or a question was already dealt with.
        entitlements.examples.ExampleError: An example cannot be added (see there).

    """
    wanted = [" ".join(e.split()) for e in examples if e.strip()]
    if len(wanted) > MAX_EXAMPLES:
        raise QuestionError(f"Add at most {MAX_EXAMPLES} example questions at once.")
    added = add_examples(conn, entry_id, wanted, actor=actor, now=now)
    _claim(
        conn,
        question_ids,
        status=ATTACHED,
        resolution=f"example of {entry_id}, version {added.version}",
        actor=actor,
        now=now,
    )
    return added


def dismiss(
    conn: Connection,
    question_ids: Sequence[int],
    reason: str,
    *,
    actor: str,
    now: dt.datetime,
) -> int:
    """Take the questions off the queue, with the reason staff give.

    Returns:
        How many questions were dismissed.

    Raises:
        QuestionError: No reason, a reason too long, no questions, or a question was
            already dealt with.

    """
    reason = " ".join(reason.split())
    if not reason:
        raise QuestionError("Say why these questions need no answer.")
    if len(reason) > MAX_REASON:
        raise QuestionError(
            f"The reason is {len(reason)} characters long; the most allowed is {MAX_REASON}."
        )
    _claim(conn, question_ids, status=DISMISSED, resolution=reason, actor=actor, now=now)
    return len(set(question_ids))


def weekly_counts(
    conn: Connection, *, now: dt.datetime, weeks: int = 8, timezone: str = "Europe/London"
) -> list[WeekCount]:
    """How many questions went unanswered in each of the last ``weeks`` ISO weeks.

    Weeks run Monday to Sunday in ``timezone``; the current week is last (and so far
    only partly counted). Every question asked counts, whatever staff did with it since.

    Args:
        conn: A connection.
        now: Now (aware; naive is taken as UTC).
        weeks: How many weeks, the current one included.
        timezone: Where weeks start at midnight on Monday.

    Returns:
        One count per week, oldest first, weeks with none included.

    """
    zone = ZoneInfo(timezone)
    today = as_utc(now).astimezone(zone).date()
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.timezone.utc)
    counts: dict[dt.date, int] = {first + dt.timedelta(weeks=n): 0 for n in range(weeks)}
    rows = conn.execute(
        sa.select(unanswered_questions.c.asked_at).where(unanswered_questions.c.asked_at >= since)
    )
    for (asked_at,) in rows:
        day = asked_at.astimezone(zone).date()
        monday = day - dt.timedelta(days=day.weekday())
        if monday in counts:
            counts[monday] += 1
    result = []
    for monday, count in counts.items():
        year, week, _ = monday.isocalendar()
        result.append(WeekCount(year=year, week=week, starts=monday, count=count))
    return result


__all__ = [
    "ATTACHED",
    "DISMISSED",
    "NEW",
    "AlreadyDealtWith",
    "ExampleError",
    "ExamplesAdded",
    "Question",
    "QuestionError",
    "QuestionGroup",
    "WeekCount",
    "attach",
    "count_new",
    "dismiss",
    "group_of",
    "group_questions",
    "grouping_key",
    "new_questions",
    "queue",
    "weekly_counts",
]
