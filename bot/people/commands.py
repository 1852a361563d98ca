"""``python -m bot clear-identity-lock REF --by EMAIL``: lift a young person's identity locks.

When texts from a young person's number gave the wrong date of birth three times
(:mod:`bot.people.sms_check`), or codes sent to it were typed wrong too often
(:mod:`bot.people.linking`), their texts get general answers only and web chat linking
to their record is locked. Once a member of staff has checked with the young person
(the phone may be lost, or a new number on its way through the case system), this lifts
both; the next personal answer asks for the date of birth again. Audited.
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa

from bot.clock import utcnow
from bot.db.engine import create_db_engine
from bot.people import sms_check
from bot.settings import Settings
from bot.store import audit
from bot.store.tables.people import care_leavers, staff

COMMANDS = ("clear-identity-lock",)
ACTION = "identity.lock_cleared"


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``clear-identity-lock`` on ``python -m bot``'s sub-command parser."""
    clear = commands.add_parser(
        "clear-identity-lock",
        help="let a young person's texts and web chat use their records again",
        description="After checking with the young person: lift the lock their number got "
        "for a wrong date of birth, and the web chat linking lock. Audited.",
    )
    clear.add_argument("person_ref", metavar="REF", help="their reference in the case system")
    clear.add_argument("--by", required=True, metavar="EMAIL", help="the member of staff (audited)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Clear the locks; 0 when done, 1 (with the reason) when refused."""
    engine = create_db_engine(settings.database_url)
    now = utcnow()
    try:
        with engine.connect() as conn:
            person = conn.execute(
                sa.select(care_leavers.c.id).where(
                    care_leavers.c.external_ref == args.person_ref.strip()
                )
            ).scalar()
            by = conn.execute(
                sa.select(staff.c.id).where(sa.func.lower(staff.c.email) == args.by.strip().lower())
            ).scalar()
        if person is None:
            print(f"No care leaver has the reference {args.person_ref.strip()!r}.", file=sys.stderr)
            return 1
        if by is None:
            print(f"No staff record has the email {args.by.strip()!r}.", file=sys.stderr)
            return 1
        numbers = sms_check.clear_lock(engine, int(person), now)
        with engine.begin() as conn:
            audit.record(
                conn,
                ACTION,
                now=now,
                staff_id=int(by),
                target=f"care_leaver:{person}",
                detail=f"identity locks cleared ({numbers} number(s) locked for a wrong "
                "date of birth; web chat linking unlocked)",
            )
    finally:
        engine.dispose()
    print(f"Cleared: {numbers} number(s) may be checked again, and web chat linking is open.")
    return 0
