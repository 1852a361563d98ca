"""A week's figures, for the whole council and for each district.

Everything is counted from the project's own tables at the end of the week (the
"as of" moment is the week's end): a case counts as overdue if, at that moment, a
due date had passed without the step it was due for. Young people's words are not
part of the figures, except the most frequent unanswered questions, which content
staff need to see.

No Rasa import, no web framework: the console, the CSV and PDF exports and the
scheduler all call :func:`week_figures`.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases.calendar import OfficeCalendar
from bot.db.rasa_events import events
from bot.reports.quality import GRADE_NAMES, TAG_NAMES
from bot.reports.weeks import Week
from bot.safety.review import week_figures as safety_review_figures
from bot.store.tables.cases import cases, handoffs, safety_alerts
from bot.store.tables.people import care_leavers, conversation_identities
from bot.store.tables.quality import answer_feedback, qa_reviews, qa_samples
from bot.store.tables.records import unanswered_questions
from bot.store.tables.reports import answer_log
from entitlements.store import read_published

COUNCIL = "council"
"""The scope name of the whole council's figures."""

ALERT_MINUTES = 15
"""A safety alert should be acknowledged within this many minutes (see docs/cases.md)."""

REVIEW_MONTHS = 6
"""A pathway plan is overdue for review this many months after the last one."""

TOP_UNANSWERED = 5


@dataclasses.dataclass(frozen=True)
class Figures:
    """One scope's figures for one week. Times are in minutes, ages in days."""

    scope: str
    conversations: int = 0
    young_people_reached: int = 0
    questions_answered: int = 0
    questions_unanswered: int = 0
    questions_by_entitlement: dict[str, int] = dataclasses.field(default_factory=dict)
    top_unanswered: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    safety_alerts: int = 0
    safety_acknowledged_in_time: int = 0
    safety_unacknowledged: int = 0
    safety_median_minutes: float | None = None
    handoffs: int = 0
    handoffs_replied_in_time: int = 0
    handoffs_unreplied: int = 0
    handoff_median_minutes: float | None = None
    cases_opened: int = 0
    cases_answered: int = 0
    cases_closed: int = 0
    cases_overdue: int = 0
    cases_overdue_oldest_days: int | None = None
    reviews_overdue: int = 0
    reviews_unrecorded: int = 0
    content_past_review: int = 0
    pack_care_leavers: int = 0
    packs_sent: int = 0
    packs_acknowledged: int = 0
    packs_missing: int = 0
    packs_missing_ids: list[int] = dataclasses.field(default_factory=list)
    qa_reviewed: int = 0
    qa_outstanding: int = 0
    qa_good: int = 0
    qa_requires_improvement: int = 0
    qa_inadequate: int = 0
    qa_wrong_answer: int = 0
    qa_missed_risk: int = 0
    qa_slow_pa_reply: int = 0
    qa_unclear_wording: int = 0
    feedback_helped: int = 0
    feedback_not_helped: int = 0
    safety_marks_missed_risk: int = 0
    safety_marks_false_alarm: int = 0
    safety_marks_decided: int = 0
    safety_marks_approved: int = 0
    safety_marks_waiting: int = 0
    safety_marks_median_wait_hours: float | None = None
    safety_marks_longest_wait_hours: float | None = None
    helped_by_entitlement: dict[str, int] = dataclasses.field(default_factory=dict)
    not_helped_by_entitlement: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def unanswered_share(self) -> float | None:
        """Unanswered questions as a share of all questions (None when there were none)."""
        total = self.questions_answered + self.questions_unanswered
        return self.questions_unanswered / total if total else None

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-able values (pairs become lists)."""
        data = dataclasses.asdict(self)
        data["top_unanswered"] = [list(pair) for pair in self.top_unanswered]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        """The inverse of :meth:`to_dict`."""
        values = dict(data)
        values["top_unanswered"] = [(str(t), int(n)) for t, n in values["top_unanswered"]]
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class ServiceLevel:
    """What "in time" means for the figures."""

    calendar: OfficeCalendar
    handoff_reply_office_hours: float = 4.0
    alert_minutes: int = ALERT_MINUTES

    def handoff_reply_due(self, started: dt.datetime) -> dt.datetime:
        """When a first reply to a handoff started at ``started`` (aware) is due (aware UTC)."""
        return office_hours_after(self.calendar, started, self.handoff_reply_office_hours)


def office_hours_after(calendar: OfficeCalendar, start: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` office hours after ``start`` (both aware UTC).

    Hours outside office hours, at weekends and on bank holidays do not count.
    """
    moment = calendar.clock_start(start)
    remaining = dt.timedelta(hours=hours)
    while True:
        closing = calendar.at(moment.date(), calendar.closes)
        if moment + remaining <= closing:
            moment = moment + remaining
            break
        remaining -= closing - moment
        moment = calendar.at(calendar.next_working_day(moment.date()), calendar.opens)
    return moment.astimezone(dt.timezone.utc)


def _minutes(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds() / 60.0


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class _Scopes:
    """Collects rows into the council's figures and each district's."""

    def __init__(self, districts: Iterable[str]) -> None:
        self.names = [COUNCIL, *districts]
        self.values: dict[str, dict[str, Any]] = {name: {} for name in self.names}

    def add(self, district: str | None, key: str, amount: int = 1) -> None:
        for name in (COUNCIL, district):
            if name in self.values:
                self.values[name][key] = self.values[name].get(key, 0) + amount

    def collect(self, district: str | None, key: str, item: Any) -> None:
        for name in (COUNCIL, district):
            if name in self.values:
                self.values[name].setdefault(key, []).append(item)


def week_figures(
    engine: Engine,
    week: Week,
    *,
    districts: Sequence[str],
    timezone: str,
    service: ServiceLevel,
) -> dict[str, Figures]:
    """Count ``week``'s figures for the council and each district.

    Args:
        engine: The project's database.
        week: The week to count.
        districts: The council's districts (``DISTRICTS``).
        timezone: The council's time zone (``TIMEZONE``).
        service: What "in time" means for handoffs and safety alerts.

    Returns:
        Figures by scope: ``"council"`` first, then each district in order.

    """
    start, end = week.bounds(timezone)
    scopes = _Scopes(districts)
    with engine.connect() as conn:
        _conversations(conn, scopes, start, end)
        _questions(conn, scopes, start, end)
        _alerts(conn, scopes, start, end, service)
        _handoffs(conn, scopes, start, end, service)
        _cases(conn, scopes, start, end)
        _reviews(conn, scopes, week.sunday)
        _quality(conn, scopes, start, end)
        _feedback(conn, scopes, start, end)
    _, entries = read_published(engine)
    past_review = sum(1 for entry in entries if entry.review_due <= week.sunday)
    from bot.reports.coverage import pack_coverage  # it needs COUNCIL from here

    for name, cover in pack_coverage(engine, end).items():
        if name in scopes.values:
            scopes.values[name].update(
                pack_care_leavers=cover.care_leavers,
                packs_sent=cover.sent,
                packs_acknowledged=cover.acknowledged,
                packs_missing=len(cover.without_pack),
                packs_missing_ids=list(cover.without_pack),
            )
    marks = safety_review_figures(engine, start, end)
    scopes.values[COUNCIL].update(
        safety_marks_missed_risk=marks.missed_risk,
        safety_marks_false_alarm=marks.false_alarm,
        safety_marks_decided=marks.decided,
        safety_marks_approved=marks.approved,
        safety_marks_waiting=marks.still_waiting,
        safety_marks_median_wait_hours=marks.median_wait_hours,
        safety_marks_longest_wait_hours=marks.longest_wait_hours,
    )
    result: dict[str, Figures] = {}
    for name in scopes.names:
        raw = scopes.values[name]
        alert_minutes = raw.pop("alert_minutes", [])
        handoff_minutes = raw.pop("handoff_minutes", [])
        overdue_days = raw.pop("overdue_days", [])
        reached = raw.pop("reached", [])
        by_entitlement = Counter(raw.pop("answered_ids", []))
        unanswered_texts = Counter(raw.pop("unanswered_texts", []))
        helped = Counter(raw.pop("helped_ids", []))
        not_helped = Counter(raw.pop("not_helped_ids", []))
        result[name] = Figures(
            scope=name,
            young_people_reached=len(set(reached)),
            questions_by_entitlement=dict(
                sorted(by_entitlement.items(), key=lambda item: (-item[1], item[0]))
            ),
            top_unanswered=sorted(unanswered_texts.items(), key=lambda item: (-item[1], item[0]))[
                :TOP_UNANSWERED
            ],
            safety_median_minutes=_median(alert_minutes),
            handoff_median_minutes=_median(handoff_minutes),
            cases_overdue_oldest_days=max(overdue_days) if overdue_days else None,
            content_past_review=past_review if name == COUNCIL else 0,
            helped_by_entitlement=dict(sorted(helped.items())),
            not_helped_by_entitlement=dict(sorted(not_helped.items())),
            **raw,
        )
    return result


def _district_of_conversations(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
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
            found[row.conversation_id] = (row.id, row.district)
    return found


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def _conversations(conn: Connection, scopes: _Scopes, start: dt.datetime, end: dt.datetime) -> None:
    query = (
        sa.select(events.c.sender_id)
        .where(
            events.c.type_name == "user",
            events.c.timestamp >= _epoch(start),
            events.c.timestamp < _epoch(end),
        )
        .distinct()
    )
    ids = sorted(row.sender_id for row in conn.execute(query))
    known = _district_of_conversations(conn, ids)
    for conversation_id in ids:
        person = known.get(conversation_id)
        district = person[1] if person else None
        scopes.add(district, "conversations")
        if person is not None:
            scopes.collect(district, "reached", person[0])


def _questions(conn: Connection, scopes: _Scopes, start: dt.datetime, end: dt.datetime) -> None:
    answered = sa.select(answer_log.c.entitlement_id, answer_log.c.district).where(
        answer_log.c.answered_at >= start, answer_log.c.answered_at < end
    )
    for row in conn.execute(answered):
        scopes.add(row.district, "questions_answered")
        scopes.collect(row.district, "answered_ids", row.entitlement_id)
    unanswered = sa.select(unanswered_questions.c.text, unanswered_questions.c.district).where(
        unanswered_questions.c.asked_at >= start, unanswered_questions.c.asked_at < end
    )
    for row in conn.execute(unanswered):
        scopes.add(row.district, "questions_unanswered")
        scopes.collect(row.district, "unanswered_texts", " ".join(row.text.lower().split()))


def _alerts(
    conn: Connection,
    scopes: _Scopes,
    start: dt.datetime,
    end: dt.datetime,
    service: ServiceLevel,
) -> None:
    query = sa.select(
        safety_alerts.c.district, safety_alerts.c.raised_at, safety_alerts.c.acknowledged_at
    ).where(safety_alerts.c.raised_at >= start, safety_alerts.c.raised_at < end)
    for row in conn.execute(query):
        scopes.add(row.district, "safety_alerts")
        acknowledged = row.acknowledged_at is not None and row.acknowledged_at < end
        if not acknowledged:
            scopes.add(row.district, "safety_unacknowledged")
            continue
        minutes = _minutes(row.acknowledged_at, row.raised_at)
        scopes.collect(row.district, "alert_minutes", minutes)
        if minutes <= service.alert_minutes:
            scopes.add(row.district, "safety_acknowledged_in_time")


def _handoffs(
    conn: Connection,
    scopes: _Scopes,
    start: dt.datetime,
    end: dt.datetime,
    service: ServiceLevel,
) -> None:
    query = sa.select(handoffs.c.district, handoffs.c.started_at, handoffs.c.first_reply_at).where(
        handoffs.c.started_at >= start, handoffs.c.started_at < end
    )
    for row in conn.execute(query):
        scopes.add(row.district, "handoffs")
        replied = row.first_reply_at is not None and row.first_reply_at < end
        if not replied:
            scopes.add(row.district, "handoffs_unreplied")
            continue
        scopes.collect(
            row.district, "handoff_minutes", _minutes(row.first_reply_at, row.started_at)
        )
        if row.first_reply_at <= service.handoff_reply_due(row.started_at):
            scopes.add(row.district, "handoffs_replied_in_time")


def _before(moment: dt.datetime | None, end: dt.datetime) -> bool:
    return moment is not None and moment < end


def _cases(conn: Connection, scopes: _Scopes, start: dt.datetime, end: dt.datetime) -> None:
    query = sa.select(cases).where(cases.c.created_at < end)
    for row in conn.execute(query):
        if row.created_at >= start:
            scopes.add(row.district, "cases_opened")
        if _before(row.answered_at, end) and row.answered_at >= start:
            scopes.add(row.district, "cases_answered")
        if _before(row.closed_at, end) and row.closed_at >= start:
            scopes.add(row.district, "cases_closed")
        if _before(row.closed_at, end) or _before(row.answered_at, end):
            continue
        due = row.answer_due
        if not _before(row.acknowledged_at, end) and row.acknowledge_due < due:
            due = row.acknowledge_due
        if due < end:
            scopes.add(row.district, "cases_overdue")
            scopes.collect(row.district, "overdue_days", (end - due).days)


def _reviews(conn: Connection, scopes: _Scopes, last_day: dt.date) -> None:
    limit = _months_before(last_day, REVIEW_MONTHS)
    query = sa.select(care_leavers.c.district, care_leavers.c.pathway_last_review).where(
        care_leavers.c.created_at <= dt.datetime.combine(last_day, dt.time.max),
        care_leavers.c.erased_at.is_(None),
    )
    for row in conn.execute(query):
        if row.pathway_last_review is None:
            scopes.add(row.district, "reviews_unrecorded")
        elif row.pathway_last_review < limit:
            scopes.add(row.district, "reviews_overdue")


def _quality(conn: Connection, scopes: _Scopes, start: dt.datetime, end: dt.datetime) -> None:
    """Reviews saved in the week (of conversations sampled from earlier weeks)."""
    query = (
        sa.select(qa_samples.c.district, qa_reviews.c.grade, qa_reviews.c.tags)
        .select_from(qa_reviews.join(qa_samples, qa_samples.c.id == qa_reviews.c.sample_id))
        .where(qa_reviews.c.reviewed_at >= start, qa_reviews.c.reviewed_at < end)
    )
    for row in conn.execute(query):
        scopes.add(row.district, "qa_reviewed")
        if row.grade in GRADE_NAMES:
            scopes.add(row.district, f"qa_{row.grade}")
        for tag in (row.tags or "").split(","):
            if tag in TAG_NAMES:
                scopes.add(row.district, f"qa_{tag}")


def _feedback(conn: Connection, scopes: _Scopes, start: dt.datetime, end: dt.datetime) -> None:
    """Young people's "Did that help?" answers in the week."""
    query = sa.select(
        answer_feedback.c.entitlement_id, answer_feedback.c.helpful, answer_feedback.c.district
    ).where(answer_feedback.c.given_at >= start, answer_feedback.c.given_at < end)
    for row in conn.execute(query):
        if row.helpful:
            scopes.add(row.district, "feedback_helped")
            scopes.collect(row.district, "helped_ids", row.entitlement_id)
        else:
            scopes.add(row.district, "feedback_not_helped")
            scopes.collect(row.district, "not_helped_ids", row.entitlement_id)
