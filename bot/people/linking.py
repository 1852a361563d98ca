"""Linking a web chat to a care leaver's record with a one-time code sent by SMS.

The rules, with no Rasa or Sanic in them (the web chat channel calls them), on the
``link_codes`` table. Time is passed in, so tests control it.

1. :func:`start_link`: the young person gives a mobile number. If it is on record, a
   random 6-digit code is made, kept only as a keyed hash (bound to the conversation),
   and handed back to be texted to that number. The answer the person sees is the
   same whether or not the number is on record, so nobody can find out who is; a
   number not on record still gets a code row (with no care leaver and a code nobody
   is sent), so what happens next is the same too.
2. :func:`verify_link`: the person types the code. Only the conversation's latest
   code counts, for ``CODE_LIFETIME`` (10 minutes), once. ``MAX_WRONG_TRIES`` (5)
   wrong tries in a conversation, over however many codes, start a cool-off
   (``COOL_OFF``, 15 minutes) in which no code is taken or sent.
3. Right code: the conversation is linked (:func:`bot.people.identity.link`,
   method ``web_code``), and the code can never be used again.

How wrong tries are counted with ``link_codes`` alone: a new code's ``attempts``
starts at the conversation's wrong tries so far (carried from its latest code,
unless that one was used, or ended a cool-off that is over), so the latest code's
``attempts`` is always the conversation's count. When it reaches the limit the
code's ``used_at`` is set: that is when the cool-off began.

Sending codes is limited as well, so nobody can flood a young person's phone:
``MAX_CODES_PER_HOUR`` per conversation (the person is told) and per care leaver
(silently: telling would say the number is on record), and ``MAX_CODES_PER_DAY`` per
care leaver (silently).

Guesses are counted per care leaver too, not only per conversation: anyone can start
new chats, and each used to bring five more guesses at codes sent to the same phone.
Each code keeps its own wrong tries (``wrong_tries``); once the codes sent to one care
leaver in the last day have been typed wrong ``MAX_WRONG_TRIES_PER_RECORD`` times, in
however many chats, linking to that record is locked for ``RECORD_LOCK`` (a day:
``care_leavers.linking_locked_until``) and their PA is told
(:func:`tell_staff_of_lock`). While it is locked no code is sent to them and no code,
even the right one, links a chat to them; the answers stay exactly those for a
number not on record (a wrong code is "wrong"), so the lock says nothing either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases.conversation import tell_adviser
from bot.people import identity
from bot.people.phones import to_e164
from bot.settings import Settings
from bot.store.tables.people import care_leavers, link_codes

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_WRONG_TRIES = 5
COOL_OFF = dt.timedelta(minutes=15)
MAX_CODES_PER_HOUR = 3
MAX_CODES_PER_DAY = 5
MAX_WRONG_TRIES_PER_RECORD = 8
RECORD_LOCK = dt.timedelta(hours=24)
DAY = dt.timedelta(hours=24)
LINK_METHOD = "web_code"

SENT_REPLY = (
    "If that number is on our records, we've texted a code to it. "
    "It works for 10 minutes. Type it in below."
)
BAD_NUMBER_REPLY = "That doesn't look like a mobile number. Please check it and try again."
TOO_MANY_CODES_REPLY = (
    "We've sent a lot of codes to this chat. Please wait an hour, then ask for a new one."
)
COOL_OFF_REPLY = (
    "That code was wrong too many times. For your safety, please wait 15 minutes, "
    "then ask for a new code."
)
NO_CODE_REPLY = "There's no code waiting for this chat, or it has run out. Ask for a new code."
LINKED_REPLY = "Done. This chat is linked to your record, so answers can fit you."
BAD_CODE_FORMAT_REPLY = "The code is the 6 numbers in the text we sent."


def wrong_code_reply(tries_left: int) -> str:
    """What a wrong code gets, with the tries left before the cool-off."""
    tries = "1 more try" if tries_left == 1 else f"{tries_left} more tries"
    return f"That code isn't right. You have {tries} before you need to wait."


CODE_IN_SMS = r"(?<=chat code is )\d+"
"""Where :func:`sms_body` puts the code: what the console's outbox masks (never shown)."""
LINK_CODE_KEY_PREFIX = "link-code:"
"""How the dedupe key of a code's SMS starts (``link-code:<code id>``)."""


def sms_body(code: str) -> str:
    """The text that carries a code (GSM-7 characters only: one segment).

    Keep :data:`CODE_IN_SMS` matching it: staff must never be able to read a code.
    """
    return (
        f"Your care leavers' chat code is {code}. It works for 10 minutes. "
        "If you didn't ask for it, ignore this text."
    )


class StartOutcome(enum.Enum):
    """What came of asking for a code."""

    SENT_IF_ON_RECORD = "sent_if_on_record"
    BAD_NUMBER = "bad_number"
    TOO_MANY_CODES = "too_many_codes"
    COOLING_OFF = "cooling_off"


class VerifyOutcome(enum.Enum):
    """What came of typing a code."""

    LINKED = "linked"
    WRONG = "wrong"
    COOLING_OFF = "cooling_off"
    NO_CODE = "no_code"
    BAD_FORMAT = "bad_format"


@dataclasses.dataclass(frozen=True)
class CodeToSend:
    """A code to text to a number on record (never shown to the web chat user)."""

    code_id: int
    number: str
    body: str


@dataclasses.dataclass(frozen=True)
class StartResult:
    """The answer to show, and the SMS to send if the number is on record."""

    outcome: StartOutcome
    message: str
    sms: CodeToSend | None = None


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    """The answer to show; ``care_leaver_id`` is set when the chat is now linked."""

    outcome: VerifyOutcome
    message: str
    tries_left: int | None = None
    care_leaver_id: int | None = None
    locked_record: int | None = None
    """The care leaver whose linking this try locked (never shown: their PA is told)."""


def code_hash(key: bytes, conversation_id: str, code: str) -> str:
    """The keyed hash a code is kept as: bound to its conversation, useless without the key."""
    message = f"link-code|{conversation_id}|{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    """A random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _latest(conn: Connection, conversation_id: str) -> sa.engine.Row | None:
    return conn.execute(
        sa.select(link_codes)
        .where(link_codes.c.conversation_id == conversation_id)
        .order_by(link_codes.c.id.desc())
        .limit(1)
    ).first()


def _cooling_off(latest: sa.engine.Row | None, now: dt.datetime) -> bool:
    return bool(
        latest is not None
        and latest.attempts >= MAX_WRONG_TRIES
        and latest.used_at is not None
        and now < latest.used_at + COOL_OFF
    )


def _carried_tries(latest: sa.engine.Row | None) -> int:
    """The wrong tries a new code inherits from the conversation's latest one."""
    if latest is None or latest.used_at is not None:
        return 0  # none yet; used (linked); or a cool-off that is over
    return int(latest.attempts)


def _record_locked(conn: Connection, person_id: int | None, now: dt.datetime) -> bool:
    if person_id is None:
        return False
    until = conn.execute(
        sa.select(care_leavers.c.linking_locked_until).where(care_leavers.c.id == person_id)
    ).scalar()
    return until is not None and now < until


def _codes_sent(conn: Connection, person_id: int, since: dt.datetime) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(link_codes)
            .where(link_codes.c.care_leaver_id == person_id, link_codes.c.created_at > since)
        ).scalar_one()
    )


def _wrong_tries_on_record(conn: Connection, person_id: int, now: dt.datetime) -> int:
    """Wrong tries at codes sent to one care leaver in the last day, in every chat."""
    return int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(link_codes.c.wrong_tries), 0)).where(
                link_codes.c.care_leaver_id == person_id, link_codes.c.created_at > now - DAY
            )
        ).scalar_one()
    )


def _lock_record(conn: Connection, person_id: int, now: dt.datetime) -> bool:
    """Lock linking to a record for :data:`RECORD_LOCK`; True if this call locked it."""
    taken = conn.execute(
        care_leavers.update()
        .where(
            care_leavers.c.id == person_id,
            sa.or_(
                care_leavers.c.linking_locked_until.is_(None),
                care_leavers.c.linking_locked_until <= now,
            ),
        )
        .values(linking_locked_until=now + RECORD_LOCK)
    )
    return bool(taken.rowcount == 1)


def cool_off_until(engine: Engine, conversation_id: str, now: dt.datetime) -> dt.datetime | None:
    """When the conversation's cool-off ends, if it is in one."""
    with engine.connect() as conn:
        latest = _latest(conn, conversation_id)
    if latest is not None and _cooling_off(latest, now):
        return latest.used_at + COOL_OFF  # type: ignore[no-any-return]
    return None


def start_link(
    engine: Engine, key: bytes, conversation_id: str, raw_number: str, now: dt.datetime
) -> StartResult:
    """Ask for a code to be texted to ``raw_number``.

    Args:
        engine: The project's database.
        key: The key codes are hashed with.
        conversation_id: The (server-made) conversation asking.
        raw_number: The number as the young person typed it.
        now: The current time (aware UTC).

    Returns:
        The reply to show, which never says whether the number is on record, and the
        SMS to send when it is.

    """
    number = to_e164(raw_number.strip()) if len(raw_number) <= 32 else None
    if number is None:
        return StartResult(StartOutcome.BAD_NUMBER, BAD_NUMBER_REPLY)
    hour_ago = now - dt.timedelta(hours=1)
    with engine.begin() as conn:
        latest = _latest(conn, conversation_id)
        if _cooling_off(latest, now):
            return StartResult(StartOutcome.COOLING_OFF, COOL_OFF_REPLY)
        sent_here = conn.execute(
            sa.select(sa.func.count())
            .select_from(link_codes)
            .where(
                link_codes.c.conversation_id == conversation_id,
                link_codes.c.created_at > hour_ago,
            )
        ).scalar_one()
        if sent_here >= MAX_CODES_PER_HOUR:
            return StartResult(StartOutcome.TOO_MANY_CODES, TOO_MANY_CODES_REPLY)
        person_id = conn.execute(
            sa.select(care_leavers.c.id).where(care_leavers.c.mobile == number)
        ).scalar()
        if person_id is not None and (
            _record_locked(conn, person_id, now)
            or _codes_sent(conn, person_id, hour_ago) >= MAX_CODES_PER_HOUR
            or _codes_sent(conn, person_id, now - DAY) >= MAX_CODES_PER_DAY
        ):
            person_id = None  # silently: locked, or the phone has had enough codes
        code = new_code()
        result = conn.execute(
            link_codes.insert().values(
                conversation_id=conversation_id,
                care_leaver_id=person_id,
                code_hash=code_hash(key, conversation_id, code),
                created_at=now,
                expires_at=now + CODE_LIFETIME,
                attempts=_carried_tries(latest),
                used_at=None,
            )
        )
        code_id = int(result.inserted_primary_key[0])
    sms = CodeToSend(code_id, number, sms_body(code)) if person_id is not None else None
    return StartResult(StartOutcome.SENT_IF_ON_RECORD, SENT_REPLY, sms)


def verify_link(
    engine: Engine, key: bytes, conversation_id: str, raw_code: str, now: dt.datetime
) -> VerifyResult:
    """Check a code typed in a conversation; link the conversation if it is right.

    Args:
        engine: The project's database.
        key: The key codes are hashed with.
        conversation_id: The (server-made) conversation the code was typed in.
        raw_code: What the young person typed.
        now: The current time (aware UTC).

    Returns:
        The reply to show, and the care leaver linked if the code was right.

    """
    code = "".join(raw_code.split()) if len(raw_code) <= 32 else ""
    with engine.begin() as conn:
        latest = _latest(conn, conversation_id)
        if _cooling_off(latest, now):
            return VerifyResult(VerifyOutcome.COOLING_OFF, COOL_OFF_REPLY)
        if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
            return VerifyResult(VerifyOutcome.BAD_FORMAT, BAD_CODE_FORMAT_REPLY)
        if latest is None or latest.used_at is not None or now >= latest.expires_at:
            return VerifyResult(VerifyOutcome.NO_CODE, NO_CODE_REPLY)
        right = (
            hmac.compare_digest(latest.code_hash, code_hash(key, conversation_id, code))
            and latest.care_leaver_id is not None
            and not _record_locked(conn, latest.care_leaver_id, now)
        )
        if right:
            # Used once: the update only succeeds if nobody used the code meanwhile.
            taken = conn.execute(
                link_codes.update()
                .where(link_codes.c.id == latest.id, link_codes.c.used_at.is_(None))
                .values(used_at=now)
            )
            if taken.rowcount != 1:
                return VerifyResult(VerifyOutcome.NO_CODE, NO_CODE_REPLY)
            person_id = int(latest.care_leaver_id)
        else:
            # Counted in the database (attempts + 1), so tries sent at once all count.
            conn.execute(
                link_codes.update()
                .where(link_codes.c.id == latest.id)
                .values(
                    attempts=link_codes.c.attempts + 1,
                    wrong_tries=link_codes.c.wrong_tries + 1,
                )
            )
            locked_record = None
            person = latest.care_leaver_id
            if (
                person is not None
                and _wrong_tries_on_record(conn, person, now) >= MAX_WRONG_TRIES_PER_RECORD
                and _lock_record(conn, person, now)
            ):
                locked_record = int(person)
            tries = int(
                conn.execute(
                    sa.select(link_codes.c.attempts).where(link_codes.c.id == latest.id)
                ).scalar_one()
            )
            locked = tries >= MAX_WRONG_TRIES
            if locked:
                conn.execute(
                    link_codes.update()
                    .where(link_codes.c.id == latest.id, link_codes.c.used_at.is_(None))
                    .values(used_at=now)
                )
                return VerifyResult(
                    VerifyOutcome.COOLING_OFF,
                    COOL_OFF_REPLY,
                    tries_left=0,
                    locked_record=locked_record,
                )
            left = MAX_WRONG_TRIES - tries
            return VerifyResult(
                VerifyOutcome.WRONG,
                wrong_code_reply(left),
                tries_left=left,
                locked_record=locked_record,
            )
    identity.link(engine, conversation_id, person_id, method=LINK_METHOD)
    return VerifyResult(VerifyOutcome.LINKED, LINKED_REPLY, care_leaver_id=person_id)


def lock_notice(reference: str) -> str:
    """The text to a PA when linking to their young person's record has been locked."""
    return (
        f"Web chat linking for {reference} is locked for 24 hours: codes texted to their "
        f"mobile were typed wrong {MAX_WRONG_TRIES_PER_RECORD} times. Someone may be trying "
        "to get into their records. Please check with them."
    )


def tell_staff_of_lock(
    engine: Engine, settings: Settings, care_leaver_id: int, now: dt.datetime
) -> int:
    """Text the PA (or, with none, the team manager) that linking to a record is locked.

    Once per lock (the text's key is the record and the lock's end). Returns how many
    members of staff were texted.
    """
    with engine.connect() as conn:
        until = conn.execute(
            sa.select(care_leavers.c.linking_locked_until).where(
                care_leavers.c.id == care_leaver_id
            )
        ).scalar()
    stamp = f"{until:%Y%m%dT%H%M}" if until else f"{now:%Y%m%d}"
    return tell_adviser(
        engine,
        settings,
        care_leaver_id,
        f"link-lock:{care_leaver_id}:{stamp}",
        lock_notice,
    )


def forget_link(engine: Engine, conversation_id: str) -> None:
    """Unlink a conversation from any record (the young person asked to)."""
    identity.unlink(engine, conversation_id)


def is_linked(engine: Engine, conversation_id: str) -> bool:
    """True if the conversation is linked to a care leaver's record."""
    return identity.identify(engine, conversation_id) is not None
