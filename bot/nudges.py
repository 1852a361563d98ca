"""Nudges: reminders before a pathway-plan review is due, and before an age limit ends help.

Two kinds, each to the young person and to their PA, through the one SMS sender
(:class:`~bot.notify.sms.SmsQueue`: Twilio, or the outbox in demo mode):

- ``review``: the record's ``pathway_next_review`` is within ``NUDGE_REVIEW_DAYS``;
- ``age_limit``: an entitlement that applies to them stops at a birthday (its rule's
  ``below_age`` in the knowledge base) within ``NUDGE_AGE_LIMIT_DAYS``, and no other
  rule of it applies from that birthday on. One nudge names every entitlement that
  stops on that birthday.

Each nudge is a row in ``nudges``, unique on (care leaver, kind, the date it is
about): the row is written before anything is queued, so a second scheduler, or the
same one after a restart, finds it and sends nothing. A young person who sent STOP
gets nothing (the nudge is recorded as not sent, with why); their PA still hears.
The PA's text names the record's reference, never the young person. The young
person's text says the birthday's month and year, never the day or how many days
away (either would give their date of birth to whoever has the phone). Plain words,
short sentences, no amounts. No Rasa import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.notify.sms import Outgoing, SmsQueue
from bot.packs.contents import Published
from bot.packs.service import Recipient, opted_out
from bot.people.identity import sms_conversation_id
from bot.personal import long_date, month_year, ordinal, profile_of
from bot.settings import Settings
from bot.store.tables.packs import nudges
from entitlements.eligibility import applicable, evaluate
from entitlements.model import Entitlement

REVIEW = "review"
AGE_LIMIT = "age_limit"


def in_words(days: int) -> str:
    """How far off a date is, as a young person would say it: "in 2 weeks"."""
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 14:
        return f"in {days} days"
    if days < 60:
        return f"in {days // 7} weeks"
    return f"in {days // 30} months"


@dataclasses.dataclass(frozen=True)
class Nudge:
    """A reminder that is due: who, what kind, the date it is about, and the words."""

    care_leaver_id: int
    kind: str
    about: dt.date
    detail: tuple[str, ...]
    to_young_person: str
    to_adviser: str


def review_nudge(who: Recipient, today: dt.date, days: int) -> Nudge | None:
    """The review reminder for ``who``, if their review is due within ``days`` of ``today``."""
    due = who.person.pathway_next_review
    if due is None or not today <= due <= today + dt.timedelta(days=days):
        return None
    when = in_words((due - today).days)
    return Nudge(
        care_leaver_id=who.person.id,
        kind=REVIEW,
        about=due,
        detail=(),
        to_young_person=(
            f"Your pathway plan review is on {long_date(due)}, {when}. "
            "It is a time to talk about what you need next. "
            "Think about what you want to say. Your PA can help."
        ),
        to_adviser=(
            f"Reminder: pathway plan review for {who.external_ref} is due on "
            f"{long_date(due)}, {when}."
        ),
    )


def age_limit_nudges(
    who: Recipient, published: Published, today: dt.date, days: int
) -> list[Nudge]:
    """Reminders for the birthdays within ``days`` that end something that applies to ``who``."""
    entries = list(published.entries.values())
    ending: dict[tuple[dt.date, int], list[Entitlement]] = {}
    for entry, verdict in applicable(entries, profile_of(who.person, today), today):
        until, rule = verdict.until, verdict.rule
        if until is None or rule is None or rule.below_age is None:
            continue
        if not today < until <= today + dt.timedelta(days=days):
            continue
        if evaluate(entry, profile_of(who.person, until), until).applies != "no":
            continue  # another rule carries it on (or may): nothing ends
        ending.setdefault((until, rule.below_age), []).append(entry)
    found = []
    for (until, age), ended in sorted(ending.items(), key=lambda item: item[0]):
        titles = [e.title for e in ended]
        when = in_words((until - today).days)
        birthday = f"your {ordinal(age)} birthday in {month_year(until)}"
        if len(titles) == 1:
            words = f"{titles[0]}: you can get this until {birthday}."
        else:
            words = f"You can get these until {birthday}: {'; '.join(titles)}."
        ids = tuple(sorted(e.id for e in ended))
        found.append(
            Nudge(
                care_leaver_id=who.person.id,
                kind=AGE_LIMIT,
                about=until,
                detail=ids,
                to_young_person=f"{words} Talk to your PA about what comes next.",
                to_adviser=(
                    f"Reminder: {who.external_ref} turns {age} on {long_date(until)}, {when}. "
                    f"Help that ends then: {'; '.join(titles)}."
                ),
            )
        )
    return found


def due_nudges(
    who: Recipient, published: Published, today: dt.date, settings: Settings
) -> list[Nudge]:
    """Every nudge due for ``who`` on ``today`` (sent or not: :func:`send` decides)."""
    found = [review_nudge(who, today, settings.nudge_review_days)]
    found += age_limit_nudges(who, published, today, settings.nudge_age_limit_days)
    return [n for n in found if n is not None]


def send(engine: Engine, settings: Settings, who: Recipient, nudge: Nudge, now: dt.datetime) -> int:
    """Record ``nudge`` and queue its texts, unless it was recorded before.

    Args:
        engine: The project's database.
        settings: The SMS sender's settings.
        who: The care leaver (and their PA).
        nudge: The reminder.
        now: The time (aware, or naive UTC).

    Returns:
        How many texts were queued (0 if the nudge had been recorded already).
    """
    try:
        with engine.begin() as conn:
            young_reason = None
            if not who.mobile:
                young_reason = "no_mobile"
            elif opted_out(conn, who.mobile):
                young_reason = "opted_out"
            adviser_reason = None
            if not who.adviser_mobile:
                adviser_reason = "no_mobile"
            elif opted_out(conn, who.adviser_mobile):
                adviser_reason = "opted_out"
            result = conn.execute(
                nudges.insert().values(
                    care_leaver_id=nudge.care_leaver_id,
                    kind=nudge.kind,
                    about_date=nudge.about,
                    detail=",".join(nudge.detail)[:255],
                    created_at=now,
                    young_person_status="not_sent" if young_reason else "queued",
                    young_person_reason=young_reason,
                    adviser_status="not_sent" if adviser_reason else "queued",
                    adviser_reason=adviser_reason,
                )
            )
            nudge_id = int(result.inserted_primary_key[0])
    except IntegrityError:
        return 0
    messages = []
    if young_reason is None and who.mobile:
        messages.append(
            Outgoing(
                dedupe_key=f"nudge:{nudge_id}:young-person",
                conversation_id=sms_conversation_id(who.mobile, settings.conversation_key()),
                to_number=who.mobile,
                body=nudge.to_young_person,
            )
        )
    if adviser_reason is None and who.adviser_mobile and who.adviser_id is not None:
        messages.append(
            Outgoing(
                dedupe_key=f"nudge:{nudge_id}:adviser",
                conversation_id=f"staff-{who.adviser_id}",
                to_number=who.adviser_mobile,
                body=nudge.to_adviser,
            )
        )
    if messages:
        SmsQueue(engine, settings, clock=lambda: now).enqueue(messages)
    return len(messages)


def send_due(
    engine: Engine,
    settings: Settings,
    everyone: Iterable[Recipient],
    published: Published,
    now: dt.datetime,
    today: dt.date,
) -> int:
    """Send every nudge due on ``today`` that has not been sent; return the texts queued."""
    texts = 0
    for who in everyone:
        for nudge in due_nudges(who, published, today, settings):
            texts += send(engine, settings, who, nudge, now)
    return texts


def sent_nudges(engine: Engine, care_leaver_id: int) -> list[sa.engine.Row]:
    """The nudges recorded for a care leaver, oldest first (for the console and tests)."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(nudges)
                .where(nudges.c.care_leaver_id == care_leaver_id)
                .order_by(nudges.c.id)
            )
        )
