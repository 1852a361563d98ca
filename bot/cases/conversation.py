"""What the bot says and does when a young person asks about their plan or their PA.

No Rasa import: the actions in ``actions/case_actions.py`` call these with who is
talking (or nobody) and get back :class:`~bot.answering.Reply` objects naming the
fixed wording in ``domain.yml``. Staff are told through the one SMS sender
(:class:`~bot.notify.sms.SmsQueue`: Twilio, or the outbox in demo mode) with a
short notice that names no young person; the console shows the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.answering import Reply
from bot.cases import alerts, handoffs, service, staff
from bot.cases.calendar import OfficeCalendar
from bot.cases.categories import Category, categorise
from bot.cases.model import Case, CaseStatus, StaffRef
from bot.notify.sms import Outgoing, SmsQueue
from bot.people.identity import CareLeaver
from bot.personal import long_date
from bot.settings import Settings
from bot.store.tables.people import care_leavers

SUMMARY_MESSAGES = 5
SUMMARY_LIMIT = 600


def _when(moment: dt.datetime, calendar: OfficeCalendar) -> str:
    """A due time as young people read it: Thursday 3 December."""
    local = calendar.local(moment)
    return f"{local:%A} {long_date(local.date())}"


def staff_time(moment: dt.datetime, calendar: OfficeCalendar) -> str:
    """A time as staff texts show it: Wed 25 Nov 10:00 (office time zone)."""
    local = calendar.local(moment)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _clock(time: dt.time) -> str:
    hour = time.hour % 12 or 12
    minutes = f":{time.minute:02d}" if time.minute else ""
    return f"{hour}{minutes}{'am' if time.hour < 12 else 'pm'}"


def office_hours(settings: Settings) -> str:
    """The office hours in words: 9am to 5pm, Monday to Friday."""
    opens, closes = settings.office_hours
    return f"{_clock(opens)} to {_clock(closes)}, Monday to Friday"


def _team_phone(settings: Settings) -> str:
    return f" on {settings.leaving_care_phone}" if settings.leaving_care_phone else ""


def _out_of_hours(settings: Settings) -> str:
    if settings.out_of_hours_phone:
        return f"call the out-of-hours team on {settings.out_of_hours_phone}"
    return "call your council's out-of-hours team"


def _adviser_words(adviser: StaffRef | None) -> str:
    if adviser is None or adviser.role != "personal_adviser":
        return "your leaving care team"
    return f"your PA, {adviser.name}"


def notify_staff(
    settings: Settings, engine: Engine, people: Iterable[StaffRef], key: str, body: str
) -> int:
    """Text each member of staff who has a mobile; returns how many were queued or kept."""
    messages = [
        Outgoing(
            dedupe_key=f"{key}:staff-{person.id}",
            conversation_id=f"staff-{person.id}",
            to_number=person.mobile,
            body=body,
        )
        for person in people
        if person.mobile
    ]
    if messages:
        SmsQueue(engine, settings).enqueue(messages)
    return len(messages)


def tell_adviser(
    engine: Engine,
    settings: Settings,
    care_leaver_id: int,
    key: str,
    words: Callable[[str], str],
) -> int:
    """Text a young person's PA (their district's team manager when they have none).

    Args:
        engine: The project's database.
        settings: The SMS sender's settings.
        care_leaver_id: The young person.
        key: Makes the text once (see :class:`~bot.notify.sms.Outgoing`).
        words: The text, given the record's reference (staff texts never name the
            young person).

    Returns:
        How many were texted (0 when nobody has a mobile).
    """
    with engine.connect() as conn:
        adviser_id, district = staff.young_person(conn, care_leaver_id)
        who = staff.adviser(conn, adviser_id) or staff.team_manager(conn, district)
        reference = conn.execute(
            sa.select(care_leavers.c.external_ref).where(care_leavers.c.id == care_leaver_id)
        ).scalar_one()
    return notify_staff(settings, engine, [who] if who else [], key, words(str(reference)))


def anonymous_plan_reply(settings: Settings) -> Reply:
    """Someone not identified asks about their own plan: how to reach the team."""
    return Reply("utter_plan_not_identified", {"team_phone": _team_phone(settings)})


def plan_query(
    engine: Engine,
    settings: Settings,
    person: CareLeaver,
    text: str,
    *,
    conversation_id: str,
    channel: str,
    now: dt.datetime,
) -> list[Reply]:
    """Answer what the records can (the next review date), else open a case for the PA.

    Args:
        engine: The project's database.
        settings: Service levels, office hours and contact numbers.
        person: The identified young person.
        text: Their words.
        conversation_id: The conversation (replies to the case go back to it).
        channel: ``sms`` or ``web``.
        now: When (aware).

    Returns:
        The replies, in order.
    """
    calendar = OfficeCalendar.from_settings(settings)
    category = categorise(text)
    if category is Category.REVIEW_DATE and person.pathway_next_review is not None:
        return [
            Reply(
                "utter_next_review",
                {
                    "name": person.preferred_name,
                    "next_review": long_date(person.pathway_next_review),
                },
            )
        ]
    case = service.open_case(
        engine,
        care_leaver=person,
        category=category,
        words=text,
        conversation_id=conversation_id,
        channel=channel,
        now=now,
        settings=settings,
    )
    responsible = service.responsible(engine, case)
    if responsible is not None:
        notify_staff(
            settings,
            engine,
            [responsible],
            f"case-opened:{case.reference}",
            f"New pathway-plan query {case.reference} ({case.district}). Please acknowledge "
            f"by {staff_time(case.acknowledge_due, calendar)} in the console.",
        )
    replies = [
        Reply(
            "utter_case_opened",
            {
                "reference": case.reference,
                "who": _adviser_words(responsible),
                "answer_due": _when(case.answer_due, calendar),
            },
        )
    ]
    if category is Category.DISAGREE:
        replies.append(Reply("utter_disagree_options"))
    return replies


def _status_reply(case: Case, adviser: StaffRef | None, calendar: OfficeCalendar) -> Reply:
    variables = {"reference": case.reference, "who": _adviser_words(adviser)}
    if case.status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED):
        return Reply(
            "utter_case_waiting", {**variables, "answer_due": _when(case.answer_due, calendar)}
        )
    if case.status is CaseStatus.ANSWERED:
        return Reply("utter_case_answered", variables)
    return Reply("utter_case_closed", variables)


def case_news(engine: Engine, settings: Settings, person: CareLeaver) -> list[Reply]:
    """The status of the young person's latest queries ("any news on my query")."""
    calendar = OfficeCalendar.from_settings(settings)
    cases = service.case_status_for(engine, person.id)
    if not cases:
        return [Reply("utter_no_cases")]
    return [_status_reply(case, service.responsible(engine, case), calendar) for case in cases]


def summarise(texts: Sequence[str]) -> str:
    """The young person's last few messages, newest last, for the person taking over."""
    recent = [" ".join(t.split()) for t in texts if t and t.strip()][-SUMMARY_MESSAGES:]
    summary = " / ".join(f'"{t}"' for t in recent) or "(no messages)"
    return summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 3] + "..."


def anonymous_pa_reply(settings: Settings) -> Reply:
    """Someone not identified asks for their PA: the team's number and hours, and linking."""
    return Reply(
        "utter_pa_not_identified",
        {"team_phone": _team_phone(settings), "hours": office_hours(settings)},
    )


def hand_over(
    engine: Engine,
    settings: Settings,
    person: CareLeaver,
    recent_texts: Sequence[str],
    *,
    conversation_id: str,
    channel: str,
    now: dt.datetime,
) -> list[Reply]:
    """Hand the conversation to the young person's PA and say when to expect a reply."""
    calendar = OfficeCalendar.from_settings(settings)
    started = handoffs.start_handoff(
        engine,
        conversation_id=conversation_id,
        care_leaver_id=person.id,
        channel=channel,
        summary=summarise(recent_texts),
        now=now,
    )
    if started.new and started.notify is not None:
        notify_staff(
            settings,
            engine,
            [started.notify],
            f"handoff:{started.handoff.id}",
            f"A young person on your caseload asked to talk to you ({started.handoff.district}, "
            f"handoff {started.handoff.id}). Reply in the console.",
        )
    who = _adviser_words(started.notify)
    if calendar.is_office_hours(now):
        return [Reply("utter_handoff_office_hours", {"who": who, "hours": office_hours(settings)})]
    return [
        Reply(
            "utter_handoff_out_of_hours",
            {
                "who": who,
                "back": _when(calendar.next_opening(now), calendar),
                "out_of_hours": _out_of_hours(settings),
            },
        )
    ]


@dataclasses.dataclass(frozen=True)
class StaffTold:
    """Who :func:`alert_staff` told about a safety event.

    Attributes:
        texted: How many were texted.
        pa: The young person's PA was.
        duty: Someone on duty was: a duty worker, or the team manager.
        alert_id: The alert.
    """

    texted: int = 0
    pa: bool = False
    duty: bool = False
    alert_id: int | None = None


def alert_staff(
    engine: Engine,
    settings: Settings,
    *,
    safety_event_id: int,
    conversation_id: str,
    person: CareLeaver | None,
    now: dt.datetime,
    priority: str = alerts.URGENT,
) -> int:
    """Raise the alert for a safety event and text the staff it goes to at once.

    Returns:
        How many members of staff were texted.
    """
    return tell_staff(
        engine,
        settings,
        safety_event_id=safety_event_id,
        conversation_id=conversation_id,
        person=person,
        now=now,
        priority=priority,
    ).texted


def tell_staff(
    engine: Engine,
    settings: Settings,
    *,
    safety_event_id: int,
    conversation_id: str,
    person: CareLeaver | None,
    now: dt.datetime,
    priority: str = alerts.URGENT,
    address_key: str | None = None,
) -> StaffTold:
    """Raise the alert for a safety event and text the staff it goes to at once.

    A crisis (``urgent``) goes to the PA and the district's duty worker; possible risk
    (``check_in``) to the PA, or the duty worker when there is no PA; a crisis reply
    that could not be delivered (``undelivered``) to all of them and the team manager.
    Someone not on record has no district: their alert goes to the duty district
    (``DUTY_DISTRICT``, by default the first of ``DISTRICTS``). An event in a conversation
    whose alert is still open, or past the cap for its internet address
    (``address_key``), is added to an open alert and nobody is texted
    (:func:`bot.cases.alerts.raise_alert`).

    Returns:
        How many were texted, and whether the PA and a duty worker were among those told.
    """
    calendar = OfficeCalendar.from_settings(settings)
    raised = alerts.raise_alert(
        engine,
        conversation_id=conversation_id,
        now=now,
        safety_event_id=safety_event_id,
        care_leaver_id=person.id if person else None,
        district=None if person else settings.on_duty_district,
        priority=priority,
        address_key=address_key,
        per_address_per_hour=settings.safety_alerts_per_address_per_hour,
    )
    if not raised.new:
        return StaffTold(alert_id=raised.alert.id)
    alert = raised.alert
    when = staff_time(alert.raised_at, calendar)
    if priority == alerts.CHECK_IN:
        body = (
            f"Safety check-in {alert.id} ({alert.district}) at {when}: a young person "
            "sounded in distress. Please check in with them today, and acknowledge it in "
            "the console."
        )
    elif priority == alerts.UNDELIVERED:
        body = (
            f"URGENT safety alert {alert.id} ({alert.district}) at {when}: the crisis reply "
            "could NOT be delivered to the young person by text. Contact them another way "
            "now, and acknowledge it in the console."
        )
    else:
        body = (
            f"URGENT safety alert {alert.id} ({alert.district}) at {when}. Acknowledge in "
            "the console within 15 minutes."
        )
    texted = notify_staff(settings, engine, raised.notify, f"safety-alert:{alert.id}", body)
    return StaffTold(
        texted=texted,
        pa=any(p.id == alert.adviser_id for p in raised.notify if p.mobile),
        duty=any(p.id != alert.adviser_id for p in raised.notify if p.mobile),
        alert_id=alert.id,
    )
