"""The scheduler's pack job: offer a pack again, and send the nudges, once each.

:func:`run_due` is called from every oversight round (:mod:`bot.jobs`). It
does its work at most every ``PACK_ROUND_MINUTES``, and only between
:data:`SEND_FROM` and :data:`SEND_UNTIL` o'clock in the council's time zone (nobody
wants a text at midnight). The due time is a row in ``job_runs``, claimed with a
conditional update, so after a restart, or with two schedulers, the job still runs
once per period.

A new pack is offered to a care leaver who has had one (the first packs are sent by
``python -m bot send-packs``, or by staff):

- at the birthdays that change entitlements (18, 21 and 25): on or after the
  birthday, if their last pack was made before it; once per birthday;
- when published content changed after their last pack, and what applies to them
  (the entitlements and their published versions) is no longer what that pack held;
  once per content revision.

Each offer has an ``offer_key`` (``birthday_21``, ``content:17``) that the database
keeps unique per care leaver, so none is made twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot import nudges
from bot.clock import as_utc
from bot.packs.contents import PackContents, Published, contents_for, read_published
from bot.packs.service import BIRTHDAYS, Recipient, make_pack, recipients
from bot.settings import Settings
from bot.store.tables.packs import job_runs, packs
from entitlements.eligibility import birthday

logger = logging.getLogger(__name__)

JOB = "packs-and-nudges"
SEND_FROM = 9
"""The earliest hour (council time) the job texts anyone."""
SEND_UNTIL = 19
"""The job texts nobody from this hour (council time) on."""


def local_date(settings: Settings, now: dt.datetime) -> dt.date:
    """The date in the council's time zone at ``now`` (naive means UTC)."""
    return as_utc(now).astimezone(zoneinfo.ZoneInfo(settings.timezone)).date()


def sending_hours(settings: Settings, now: dt.datetime) -> bool:
    """True between :data:`SEND_FROM` and :data:`SEND_UNTIL` o'clock, council time."""
    hour = as_utc(now).astimezone(zoneinfo.ZoneInfo(settings.timezone)).hour
    return SEND_FROM <= hour < SEND_UNTIL


def claim(engine: Engine, name: str, now: dt.datetime, every: dt.timedelta) -> bool:
    """Claim a job's run if it is due (once, whichever process asks first)."""
    with engine.begin() as conn:
        taken = conn.execute(
            job_runs.update()
            .where(job_runs.c.name == name, job_runs.c.next_run_at <= now)
            .values(next_run_at=now + every, last_run_at=now)
        )
        if taken.rowcount == 1:
            return True
        exists = conn.execute(sa.select(job_runs.c.name).where(job_runs.c.name == name)).first()
    if exists is not None:
        return False
    try:
        with engine.begin() as conn:
            conn.execute(
                job_runs.insert().values(name=name, next_run_at=now + every, last_run_at=now)
            )
    except IntegrityError:
        return False
    return True


def _last_packs(engine: Engine) -> dict[int, tuple[dt.datetime, PackContents]]:
    """Each care leaver's latest pack that was sent or given: when, and what it held."""
    latest = (
        sa.select(sa.func.max(packs.c.id))
        .where(packs.c.sent_at.is_not(None))
        .group_by(packs.c.care_leaver_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                packs.c.care_leaver_id,
                packs.c.created_at,
                packs.c.contents,
                packs.c.content_revision,
            ).where(packs.c.id.in_(latest))
        ).all()
    return {
        row.care_leaver_id: (
            row.created_at,
            PackContents.from_json(row.contents, row.content_revision),
        )
        for row in rows
    }


def offer_for(
    who: Recipient,
    last: tuple[dt.datetime, PackContents],
    published: Published,
    today: dt.date,
    made_on: dt.date,
) -> tuple[str, str] | None:
    """The offer due for ``who``, as (reason, offer key), if one is.

    Args:
        who: The care leaver.
        last: When their last pack was made, and what it held.
        published: The published content now.
        today: Today, council time.
        made_on: The date (council time) their last pack was made.
    """
    for age in sorted(BIRTHDAYS, reverse=True):
        day = birthday(who.person.date_of_birth, age)
        if made_on < day <= today:
            return f"birthday_{age}", f"birthday_{age}"
    _, held = last
    if published.revision != held.revision:
        now_applies = contents_for(who.person, published, today)
        if now_applies.fingerprint() != held.fingerprint():
            return "content_change", f"content:{published.revision}"
    return None


def offer_again(engine: Engine, settings: Settings, now: dt.datetime) -> int:
    """Offer a new pack to everyone a birthday or a content change calls for; return how many."""
    moment = as_utc(now)
    today = local_date(settings, now)
    published = read_published(engine)
    last = _last_packs(engine)
    made = 0
    for who in recipients(engine):
        if who.person.id not in last:
            continue
        made_at, _ = last[who.person.id]
        offer = offer_for(who, last[who.person.id], published, today, local_date(settings, made_at))
        if offer is None:
            continue
        reason, key = offer
        result = make_pack(
            engine, settings, who, reason=reason, now=moment, published=published, offer_key=key
        )
        if result.sent:
            made += 1
    return made


def run_due(engine: Engine, settings: Settings, now: dt.datetime) -> int:
    """The pack job, if it is due: offers and nudges. Returns the texts it queued.

    Args:
        engine: The project's database.
        settings: ``PACK_ROUND_MINUTES``, the nudge windows, the SMS sender's settings.
        now: The time to judge by (aware, or naive UTC).
    """
    if not sending_hours(settings, now):
        return 0
    moment = as_utc(now)
    if not claim(engine, JOB, moment, dt.timedelta(minutes=settings.pack_round_minutes)):
        return 0
    texts = offer_again(engine, settings, now)
    texts += nudges.send_due(
        engine,
        settings,
        recipients(engine),
        read_published(engine),
        moment,
        local_date(settings, now),
    )
    if texts:
        logger.info("Pack round: %d text(s) queued", texts)
    return texts
