"""Checking that a text from a number on record comes from that young person.

A text from a care leaver's registered mobile links its conversation to their record
(:func:`bot.people.identity.link_sms_sender`), but phones are lost, shared and given new
owners. So before anything personal beyond "this applies to you" goes to a number (their
name, age, status, dates, review dates, case news, who their PA is), the young person is
asked, once in a while, for something only they and the council know: their date of
birth. The rules, with no Rasa or Sanic in them, on the ``identity_checks`` table (one
row per SMS conversation, that is per number):

- **checked**: the right date of birth was given in the last ``SMS_IDENTITY_CHECK_DAYS``
  (30) days, for the record the number belongs to now: answers are personal;
- **unchecked** (never checked, or too long ago, or the number now belongs to another
  record): answers say only whether something applies ("This applies to you"), and an
  answer that needs more asks for the date of birth (:func:`ask`), keeping the question
  to answer once it is given;
- **locked**: the date of birth was wrong ``MAX_TRIES`` (3) times: general answers only,
  as for a number not on record, until a member of staff clears it
  (``python -m bot clear-identity-lock``); the PA is texted, and web chat linking to the
  record is locked too, so the same phone cannot get round it with a code.

A web chat linked with a code texted to the number (:mod:`bot.people.linking`) counts
as checked: that code is the web chat's check; while a number on the record is locked
for a failed check, it counts as locked too. The date of birth given is compared and
never stored, logged or sent to the bot; it is parsed without regular expressions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.cases.conversation import tell_adviser
from bot.people.identity import CareLeaver, identify
from bot.settings import Settings
from bot.store.tables.people import care_leavers, conversation_identities, identity_checks

MAX_TRIES = 3
WAITING_FOR_ANSWER = dt.timedelta(hours=24)
"""How long a question asking for the date of birth waits for its answer."""
UNTIL_CLEARED = dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc)
"""Web chat linking to a record whose check was failed stays locked until it is cleared."""
MAX_PENDING = 1600
CHECKED_METHODS = frozenset({"web_code"})
"""How a conversation can be linked that is itself the check (the web chat's code)."""

ASK = (
    "Before I use your records, I need to check it's you. Please reply with your date of "
    "birth, for example 15 10 2007."
)
ASK_FOR_DETAILS = (
    "For an answer with your own details, reply with your date of birth, for example 15 10 2007."
)
THANKS = "Thanks, that's you."
THANKS_ASK_AWAY = "Thanks, that's you. What would you like to know?"
LOCKED_REPLY = (
    "That doesn't match our records either, so by text I can only give general answers "
    "for now. Your leaving care team can help."
)
GENERAL_ONLY = (
    "I couldn't check it's you, so I can only give general answers for now. "
    "Your leaving care team can help."
)


def wrong_reply(tries_left: int) -> str:
    """What a wrong date of birth gets, with the tries left."""
    tries = "1 more try" if tries_left == 1 else f"{tries_left} more tries"
    return f"That doesn't match our records. You have {tries}."


class Trust(str, enum.Enum):
    """How far the service trusts that the person texting is the record's young person."""

    CHECKED = "checked"
    UNCHECKED = "unchecked"
    LOCKED = "locked"


@dataclasses.dataclass(frozen=True)
class Talking:
    """Who a conversation belongs to, and whether it has been checked.

    Attributes:
        person: The record the conversation is linked to, if any.
        trust: For a linked conversation: checked, unchecked or locked.
    """

    person: CareLeaver | None
    trust: Trust = Trust.UNCHECKED

    @property
    def checked(self) -> CareLeaver | None:
        """The young person, if personal answers may be given: checked."""
        return self.person if self.trust is Trust.CHECKED else None

    @property
    def unchecked(self) -> CareLeaver | None:
        """The young person, if only "this applies to you" may be said until they are checked."""
        return self.person if self.trust is Trust.UNCHECKED else None


class Outcome(str, enum.Enum):
    """What came of an answer to the question."""

    CHECKED = "checked"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclasses.dataclass(frozen=True)
class Answered:
    """The reply to a date of birth, and the question to answer now (when checked)."""

    outcome: Outcome
    reply: str
    pending_text: str | None = None
    care_leaver_id: int | None = None


def _row(conn: Connection, conversation_id: str) -> sa.engine.Row | None:
    return conn.execute(
        sa.select(identity_checks).where(identity_checks.c.conversation_id == conversation_id)
    ).first()


def who_is_talking(
    engine: Engine, conversation_id: str, now: dt.datetime, check_days: int
) -> Talking:
    """The record a conversation is linked to, and whether it has been checked.

    Args:
        engine: The project's database.
        conversation_id: The conversation.
        now: The time (aware UTC).
        check_days: How long a check lasts (``SMS_IDENTITY_CHECK_DAYS``).

    Returns:
        Nobody (general answers), or the person and how far they are trusted.
    """
    person = identify(engine, conversation_id)
    if person is None:
        return Talking(None)
    with engine.connect() as conn:
        method = conn.execute(
            sa.select(conversation_identities.c.method).where(
                conversation_identities.c.conversation_id == conversation_id
            )
        ).scalar()
        row = _row(conn, conversation_id)
    if method in CHECKED_METHODS:
        # A web chat linked with a code (to that phone) loses its trust while a number on
        # the record is locked for a failed check: the phone may be in the wrong hands.
        return Talking(
            person, Trust.LOCKED if _failed_by_text(engine, person.id) else Trust.CHECKED
        )
    if row is None or row.care_leaver_id != person.id:
        return Talking(person, Trust.UNCHECKED)
    if row.locked_at is not None:
        return Talking(person, Trust.LOCKED)
    if row.verified_at is not None and now - row.verified_at < dt.timedelta(days=check_days):
        return Talking(person, Trust.CHECKED)
    return Talking(person, Trust.UNCHECKED)


def _failed_by_text(engine: Engine, care_leaver_id: int) -> bool:
    """Whether a number on the record failed the check and is still locked."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(identity_checks.c.conversation_id)
            .where(
                identity_checks.c.care_leaver_id == care_leaver_id,
                identity_checks.c.locked_at.is_not(None),
            )
            .limit(1)
        ).first()
    return found is not None


def ask(
    engine: Engine, conversation_id: str, care_leaver_id: int, pending_text: str, now: dt.datetime
) -> None:
    """Note that the date of birth has been asked for, and the question to answer after.

    A row kept for another record (the number now belongs to someone else) starts again.
    """
    values = {
        "care_leaver_id": care_leaver_id,
        "asked_at": now,
        "pending_text": pending_text[:MAX_PENDING] or None,
        "updated_at": now,
    }
    with engine.begin() as conn:
        row = _row(conn, conversation_id)
        if row is None:
            conn.execute(
                identity_checks.insert().values(
                    conversation_id=conversation_id, wrong_tries=0, **values
                )
            )
        elif row.care_leaver_id != care_leaver_id:
            conn.execute(
                identity_checks.update()
                .where(identity_checks.c.conversation_id == conversation_id)
                .values(wrong_tries=0, verified_at=None, locked_at=None, **values)
            )
        elif row.locked_at is None:
            conn.execute(
                identity_checks.update()
                .where(identity_checks.c.conversation_id == conversation_id)
                .values(**values)
            )


def answer(engine: Engine, conversation_id: str, text: str, now: dt.datetime) -> Answered | None:
    """Check a text that may answer the question; None if it is not an answer.

    It is an answer when the date of birth was asked for in this conversation in the
    last ``WAITING_FOR_ANSWER`` and the text is nothing but a date
    (:func:`parse_date_of_birth`); anything else is a message for the bot.

    Args:
        engine: The project's database.
        conversation_id: The SMS conversation.
        text: The text as received (never stored).
        now: The time (aware UTC).

    Returns:
        What to reply, and, once checked, the question to answer now.
    """
    with engine.connect() as conn:
        row = _row(conn, conversation_id)
    if (
        row is None
        or row.asked_at is None
        or row.locked_at is not None
        or now - row.asked_at > WAITING_FOR_ANSWER
    ):
        return None
    given = parse_date_of_birth(text, now.date())
    if given is None:
        return None
    with engine.begin() as conn:
        born = conn.execute(
            sa.select(care_leavers.c.date_of_birth).where(
                care_leavers.c.id == row.care_leaver_id, care_leavers.c.erased_at.is_(None)
            )
        ).scalar()
        current = identity_checks.c.conversation_id == conversation_id
        if born is not None and given == born:
            conn.execute(
                identity_checks.update()
                .where(current)
                .values(
                    verified_at=now,
                    wrong_tries=0,
                    asked_at=None,
                    pending_text=None,
                    updated_at=now,
                )
            )
            reply = THANKS if row.pending_text else THANKS_ASK_AWAY
            return Answered(Outcome.CHECKED, reply, row.pending_text, row.care_leaver_id)
        # Counted in the database, so answers sent at once all count.
        conn.execute(
            identity_checks.update()
            .where(current, identity_checks.c.locked_at.is_(None))
            .values(wrong_tries=identity_checks.c.wrong_tries + 1, updated_at=now)
        )
        tries = int(
            conn.execute(sa.select(identity_checks.c.wrong_tries).where(current)).scalar_one()
        )
        if tries < MAX_TRIES:
            return Answered(Outcome.WRONG, wrong_reply(MAX_TRIES - tries))
        locked = conn.execute(
            identity_checks.update()
            .where(current, identity_checks.c.locked_at.is_(None))
            .values(locked_at=now, asked_at=None, pending_text=None, updated_at=now)
        ).rowcount
        if locked:
            conn.execute(
                care_leavers.update()
                .where(care_leavers.c.id == row.care_leaver_id)
                .values(linking_locked_until=UNTIL_CLEARED)
            )
        return Answered(
            Outcome.LOCKED, LOCKED_REPLY, care_leaver_id=row.care_leaver_id if locked else None
        )


def lock_notice(reference: str) -> str:
    """The text to a PA when a number failed the check (the record's reference, no name)."""
    return (
        f"Texts from the mobile on record for {reference} gave the wrong date of birth "
        f"{MAX_TRIES} times, so they now get general answers only, and web chat linking is "
        "locked. The phone may be lost or have a new owner: please check with the young "
        "person, then ask an admin to clear it."
    )


def tell_staff_of_lock(
    engine: Engine, settings: Settings, conversation_id: str, care_leaver_id: int
) -> int:
    """Text the PA (or the team manager) that a number failed the check; once per lock."""
    with engine.connect() as conn:
        row = _row(conn, conversation_id)
    stamp = f"{row.locked_at:%Y%m%dT%H%M%S}" if row is not None and row.locked_at else "lock"
    return tell_adviser(
        engine,
        settings,
        care_leaver_id,
        f"identity-lock:{conversation_id}:{stamp}",
        lock_notice,
    )


def clear_lock(engine: Engine, care_leaver_id: int, now: dt.datetime) -> int:
    """Lift the locks on a record after staff have checked with the young person.

    Their number may be checked again (three more tries), and web chat linking opens.

    Returns:
        How many of the record's numbers were locked.
    """
    with engine.begin() as conn:
        cleared = conn.execute(
            identity_checks.update()
            .where(
                identity_checks.c.care_leaver_id == care_leaver_id,
                identity_checks.c.locked_at.is_not(None),
            )
            .values(locked_at=None, wrong_tries=0, updated_at=now)
        ).rowcount
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == care_leaver_id)
            .values(linking_locked_until=None)
        )
    return int(cleared)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ORDINALS = ("st", "nd", "rd", "th")


def _tokens(text: str) -> list[str]:
    """Letters and digits in runs, split where one kind gives way to the other."""
    tokens: list[str] = []
    current = ""
    for char in text.lower():
        kind = "d" if char.isascii() and char.isdigit() else "a" if "a" <= char <= "z" else ""
        if not kind:
            if current:
                tokens.append(current)
            current = ""
            continue
        if current and (current[-1].isdigit()) != (kind == "d"):
            tokens.append(current)
            current = ""
        current += char
    if current:
        tokens.append(current)
    return tokens


def _year(token: str, today: dt.date) -> int | None:
    if len(token) == 4:
        return int(token)
    if len(token) == 2:
        year = 2000 + int(token)
        return year if year <= today.year else year - 100
    return None


def parse_date_of_birth(text: str, today: dt.date) -> dt.date | None:
    """The date a text is, if it is nothing but a date of birth, read the British way.

    "15/10/2007", "15.10.07", "15 10 2007", "15th October 2007", "15 oct 07",
    "2007-10-15" and "15102007" all give 15 October 2007; "10/15/2007" (no 15th month),
    a date in the future or before 1900, and anything with other words in it, give
    None. No regular expression: the text is split by hand.

    Args:
        text: The message.
        today: Today's date (a date of birth is not after it).

    Returns:
        The date, or None.
    """
    if len(text) > 40:
        return None
    tokens = [t for t in _tokens(text) if t not in _ORDINALS and t != "of"]
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) in (6, 8):
        digits = tokens[0]
        tokens = [digits[:2], digits[2:4], digits[4:]]
    if len(tokens) != 3:
        return None
    day_t, month_t, year_t = tokens
    if len(tokens[0]) == 4 and tokens[0].isdigit():  # year first: 2007-10-15
        year_t, month_t, day_t = tokens
    elif tokens[0].isalpha() and tokens[1].isdigit():  # October 15 2007
        month_t, day_t = tokens[0], tokens[1]
    if not (day_t.isdigit() and year_t.isdigit() and len(day_t) <= 2):
        return None
    month = int(month_t) if month_t.isdigit() and len(month_t) <= 2 else _MONTHS.get(month_t)
    year = _year(year_t, today)
    if month is None or year is None:
        return None
    try:
        born = dt.date(year, month, int(day_t))
    except ValueError:
        return None
    return born if dt.date(1900, 1, 1) <= born <= today else None
