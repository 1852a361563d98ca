"""Making, sending, opening and acknowledging entitlements packs.

A pack is a row in ``packs`` (:mod:`bot.store.tables.packs`) with what applied to the
care leaver when it was made (:mod:`bot.packs.contents`) and a link that works for
``PACK_EXPIRY_DAYS``. The link carries a random token of 256 bits
(:func:`secrets.token_urlsafe`); only its SHA-256 is stored, and a page is found by
that hash, so the table cannot be used to rebuild a link, and a guess is as good as
any other. The SMS goes through the one sender (:class:`~bot.notify.sms.SmsQueue`),
never to a number that sent STOP: such a pack is recorded as not sent, with why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot import linear_re
from bot.clock import as_utc
from bot.notify.sms import Outgoing, SmsQueue
from bot.packs.contents import PackContents, PackView, Published, contents_for, view_of
from bot.packs.contents import read_published as read_published_content
from bot.people.identity import sms_conversation_id
from bot.settings import Settings
from bot.store.care_leavers import CareLeaver, care_leaver_from_row, select_on_record
from bot.store.tables.notify import sms_opt_outs
from bot.store.tables.packs import packs
from bot.store.tables.people import care_leavers, staff
from entitlements.eligibility import today_in_london

TOKEN_BYTES = 32
"""Random bytes in a pack link's token (43 characters of base64url)."""
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43,86}"  # noqa: S105 (a pattern, not a secret)
"""What a token can look like; anything else is not looked up (but answered the same)."""

REASONS = ("first", "birthday_18", "birthday_21", "birthday_25", "content_change", "resend")
"""Why a pack was made: the first one, a birthday that changes entitlements, a content
change that affects them, or staff sending another."""

BIRTHDAYS = (18, 21, 25)
"""The birthdays that change entitlements, when a new pack is offered."""

NOT_SENT_WORDS = {
    "opted_out": "not sent: they replied STOP to texts",
    "no_mobile": "not sent: no mobile number on record",
}

THANKS = "Thanks for letting us know you got your pack. Text us any time with a question."


def new_token() -> str:
    """A new pack link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def pack_link(settings: Settings, token: str) -> str:
    """The link a young person is sent: ``PUBLIC_BASE_URL/pack/<token>``."""
    return f"{settings.public_base_url.rstrip('/')}/pack/{token}"


LINK_IN_SMS = r"(?:https?://[^\s/]+)?(?:/[^\s/]+)*/pack/[A-Za-z0-9_-]+"
"""A pack link (with its token) in a text: what the console's outbox masks (never shown)."""
PACK_KEY_PREFIX = "pack:"
"""How the dedupe key of a pack's SMS starts (``pack:<pack id>``)."""


def sms_body(link: str) -> str:
    """The pack's SMS: short, plain, with the link and how to say it arrived.

    Keep :data:`LINK_IN_SMS` matching the link: staff must never be able to open a
    young person's pack from the outbox.
    """
    return (
        f"Your leaving care pack: what you can get, in one place. {link} "
        "Reply GOT IT if you got it."
    )


@dataclasses.dataclass(frozen=True)
class Recipient:
    """A care leaver as a pack needs them: the record, and the number to text."""

    person: CareLeaver
    mobile: str | None
    external_ref: str
    adviser_id: int | None
    adviser_mobile: str | None


def _recipient_select() -> sa.sql.Select:
    return select_on_record(
        care_leavers.c.mobile,
        care_leavers.c.external_ref,
        care_leavers.c.adviser_id,
        staff.c.mobile.label("adviser_mobile"),
        staff.c.active.label("adviser_active"),
    )  # an erased record gets nothing


def recipient_from_row(row: sa.engine.Row) -> Recipient:
    """A :class:`Recipient` from a row of :func:`_recipient_select`."""
    active = bool(row.adviser_active) if row.adviser_active is not None else False
    return Recipient(
        person=care_leaver_from_row(row),
        mobile=row.mobile,
        external_ref=row.external_ref,
        adviser_id=row.adviser_id,
        adviser_mobile=row.adviser_mobile if active else None,
    )


def recipients(engine: Engine, district: str | None = None) -> list[Recipient]:
    """Every care leaver on record (in ``district``, if given), in id order."""
    query = _recipient_select().order_by(care_leavers.c.id)
    if district is not None:
        query = query.where(care_leavers.c.district == district)
    with engine.connect() as conn:
        return [recipient_from_row(row) for row in conn.execute(query)]


def recipient(engine: Engine, care_leaver_id: int) -> Recipient | None:
    """One care leaver on record, or None."""
    with engine.connect() as conn:
        row = conn.execute(_recipient_select().where(care_leavers.c.id == care_leaver_id)).first()
    return recipient_from_row(row) if row is not None else None


def opted_out(conn: Connection, number: str) -> bool:
    """True if the number sent STOP (and not START since)."""
    found = conn.execute(
        sa.select(sms_opt_outs.c.number).where(sms_opt_outs.c.number == number)
    ).first()
    return found is not None


@dataclasses.dataclass(frozen=True)
class SendResult:
    """What happened when a pack was made.

    Attributes:
        pack_id: The pack's id, or None if this offer had already been made.
        sent: True if the SMS was queued (or kept in the outbox, in demo mode).
        not_sent_reason: Why not, when it was not sent (``opted_out``, ``no_mobile``).
        token: The link's token (only here, never stored), for a printed pack.
    """

    pack_id: int | None
    sent: bool
    not_sent_reason: str | None
    token: str | None

    @property
    def already(self) -> bool:
        """True if this offer had been made before, so nothing was done."""
        return self.pack_id is None


def make_pack(
    engine: Engine,
    settings: Settings,
    who: Recipient,
    *,
    reason: str,
    now: dt.datetime,
    published: Published | None = None,
    offer_key: str | None = None,
    sent_once: str | None = None,
    channel: str = "sms",
    created_by: int | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> SendResult:
    """Make a pack for ``who`` and, for the SMS channel, text them its link.

    Args:
        engine: The project's database.
        settings: The expiry, the public address and the SMS sender's settings.
        who: The care leaver.
        reason: One of :data:`REASONS`.
        now: The time (aware, or naive UTC).
        published: The published content (read now if not given).
        offer_key: Makes the pack once per care leaver (``birthday_21``,
            ``content:17``); None for packs staff or the command ask for.
        sent_once: Like ``offer_key``, but only a pack that is sent uses it up (one
            not sent, for want of a mobile or after STOP, can be made again later):
            ``send-packs`` uses it so that two runs at once text nobody twice.
        channel: ``sms`` (the link is texted) or ``print`` (staff print it).
        created_by: The member of staff who asked for it, if one did.
        clock: The SMS queue's clock; ``now`` by default.

    Returns:
        What happened. Nothing is made when ``offer_key`` was used before.

    Raises:
        ValueError: ``reason`` or ``channel`` is not one this module knows.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown pack reason {reason!r}; use one of {', '.join(REASONS)}")
    if channel not in ("sms", "print"):
        raise ValueError(f"unknown pack channel {channel!r}; use sms or print")
    moment = as_utc(now)
    published = published or read_published_content(engine)
    today = today_in_london(moment)
    contents = contents_for(who.person, published, today)
    token = new_token()
    why: str | None = None
    try:
        with engine.begin() as conn:
            if channel == "sms":
                if not who.mobile:
                    why = "no_mobile"
                elif opted_out(conn, who.mobile):
                    why = "opted_out"
            result = conn.execute(
                packs.insert().values(
                    care_leaver_id=who.person.id,
                    reason=reason,
                    offer_key=offer_key or (sent_once if why is None else None),
                    token_hash=token_hash(token),
                    contents=contents.to_json(),
                    content_revision=contents.revision,
                    channel=channel,
                    created_at=moment,
                    created_by=created_by,
                    expires_at=moment + dt.timedelta(days=settings.pack_expiry_days),
                    not_sent_reason=why,
                )
            )
            pack_id = int(result.inserted_primary_key[0])
    except IntegrityError:
        return SendResult(None, False, None, None)
    if channel == "print":
        with engine.begin() as conn:
            conn.execute(packs.update().where(packs.c.id == pack_id).values(sent_at=moment))
        return SendResult(pack_id, True, None, token)
    if why is not None:
        return SendResult(pack_id, False, why, None)
    assert who.mobile is not None
    queue = SmsQueue(engine, settings, clock=clock or (lambda: moment))
    queue.enqueue(
        [
            Outgoing(
                dedupe_key=f"{PACK_KEY_PREFIX}{pack_id}",
                conversation_id=sms_conversation_id(who.mobile, settings.conversation_key()),
                to_number=who.mobile,
                body=sms_body(pack_link(settings, token)),
            )
        ]
    )
    with engine.begin() as conn:
        conn.execute(packs.update().where(packs.c.id == pack_id).values(sent_at=moment))
    return SendResult(pack_id, True, None, None)


_DUMMY_HASH = token_hash("not-a-token")


def open_pack(engine: Engine, token: str, now: dt.datetime) -> PackView | None:
    """The pack a link's token opens, or None (unknown, malformed and expired alike).

    A malformed token is looked up like any other (as a hash no token has), so the
    answer takes the same path whatever was asked. The first opening is noted.

    Args:
        engine: The project's database.
        token: The token from the link (any text).
        now: The time (aware, or naive UTC).
    """
    wanted = (
        token_hash(token)
        if linear_re.compile(TOKEN_PATTERN).fullmatch(token or "")
        else _DUMMY_HASH
    )
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(
                packs.c.id,
                packs.c.token_hash,
                packs.c.contents,
                packs.c.content_revision,
                packs.c.created_at,
                packs.c.expires_at,
                packs.c.first_opened_at,
            ).where(packs.c.token_hash == wanted)
        ).first()
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        if wanted == _DUMMY_HASH or row.expires_at <= as_utc(now):
            return None
        if row.first_opened_at is None:
            conn.execute(
                packs.update()
                .where(packs.c.id == row.id, packs.c.first_opened_at.is_(None))
                .values(first_opened_at=now)
            )
        contents = PackContents.from_json(row.contents, row.content_revision)
        return view_of(conn, contents, row.created_at.date())


def view_for_staff(engine: Engine, care_leaver_id: int, now: dt.datetime) -> PackView | None:
    """What a pack for this care leaver would show today (the console's printable page)."""
    who = recipient(engine, care_leaver_id)
    if who is None:
        return None
    published = read_published_content(engine)
    today = today_in_london(as_utc(now))
    contents = contents_for(who.person, published, today)
    with engine.connect() as conn:
        return view_of(conn, contents, today)


def acknowledge(engine: Engine, number: str, now: dt.datetime) -> bool:
    """Mark the packs texted to ``number`` that wait for a GOT IT as acknowledged.

    One GOT IT answers every unexpired pack texted to them that has not had one (the
    latest holds what the earlier ones did, and more): a second GOT IT is for the bot.
    Not YES: that is one of Twilio's opt-in keywords (:mod:`bot.channels.sms.keywords`).

    Args:
        engine: The project's database.
        number: The sender's number (E.164): it must be a care leaver's registered mobile.
        now: The time (aware, or naive UTC).

    Returns:
        True if a pack was acknowledged; False if this number has none waiting (then
        the message is for the bot).
    """
    with engine.begin() as conn:
        person_id = conn.execute(
            sa.select(care_leavers.c.id).where(care_leavers.c.mobile == number)
        ).scalar()
        if person_id is None:
            return False
        done = conn.execute(
            packs.update()
            .where(
                packs.c.care_leaver_id == person_id,
                packs.c.channel == "sms",
                packs.c.sent_at.is_not(None),
                packs.c.acknowledged_at.is_(None),
                packs.c.expires_at > now,
            )
            .values(acknowledged_at=now)
        )
    return bool(done.rowcount > 0)


@dataclasses.dataclass
class FirstPacksSummary:
    """What ``send-packs`` did (or, with ``--dry-run``, would do)."""

    considered: int = 0
    already_had_one: int = 0
    sent: int = 0
    not_sent: dict[str, int] = dataclasses.field(default_factory=dict)

    def lines(self, dry_run: bool) -> list[str]:
        """The summary in words."""
        verb = "would be sent" if dry_run else "sent"
        lines = [
            f"Care leavers on record: {self.considered}",
            f"Already had a pack: {self.already_had_one}",
            f"Packs {verb}: {self.sent}",
        ]
        for why, count in sorted(self.not_sent.items()):
            lines.append(f"Not sent ({NOT_SENT_WORDS.get(why, why).split(': ', 1)[-1]}): {count}")
        return lines


FIRST_PACK_KEY = "first"
"""The key of the first pack ``send-packs`` sends each care leaver (see ``sent_once``)."""


def had_a_pack(engine: Engine) -> set[int]:
    """Ids of care leavers who have been sent (or given) a pack."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(packs.c.care_leaver_id).where(packs.c.sent_at.is_not(None)).distinct()
        )
        return {int(row[0]) for row in rows}


def send_first_packs(
    engine: Engine,
    settings: Settings,
    now: dt.datetime,
    *,
    district: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    every: int = 100,
) -> FirstPacksSummary:
    """Send a first pack to every care leaver (in ``district``) who has never had one.

    Args:
        engine: The project's database.
        settings: See :func:`make_pack`.
        now: The time (aware, or naive UTC).
        district: Only this district's care leavers.
        dry_run: Count what would happen; change nothing.
        progress: Called with (done, total) every ``every`` people and at the end.
        every: How often to call ``progress``.
    """
    everyone = recipients(engine, district)
    done_before = had_a_pack(engine)
    published = read_published_content(engine)
    summary = FirstPacksSummary(considered=len(everyone))
    with engine.connect() as conn:
        stopped = {row[0] for row in conn.execute(sa.select(sms_opt_outs.c.number))}
    for index, who in enumerate(everyone, start=1):
        if who.person.id in done_before:
            summary.already_had_one += 1
        elif dry_run:
            why = "no_mobile" if not who.mobile else "opted_out" if who.mobile in stopped else None
            if why is None:
                summary.sent += 1
            else:
                summary.not_sent[why] = summary.not_sent.get(why, 0) + 1
        else:
            result = make_pack(
                engine,
                settings,
                who,
                reason="first",
                now=now,
                published=published,
                sent_once=FIRST_PACK_KEY,
            )
            if result.sent:
                summary.sent += 1
            elif result.pack_id is None:  # another run sent it since this one began
                summary.already_had_one += 1
            elif result.not_sent_reason:
                why = result.not_sent_reason
                summary.not_sent[why] = summary.not_sent.get(why, 0) + 1
        if progress is not None and (index % every == 0 or index == len(everyone)):
            progress(index, len(everyone))
    return summary
