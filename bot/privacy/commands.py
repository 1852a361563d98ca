"""The data-protection commands: ``python -m bot retention | subject-access | erase``.

Kept here so that :mod:`bot.__main__` only registers and dispatches them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

from bot.clock import utcnow
from bot.db.engine import create_db_engine
from bot.privacy import access, erasure, retention
from bot.privacy.holdings import PersonNotFoundError
from bot.settings import Settings

COMMANDS = ("retention", "subject-access", "erase")


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the three commands on ``python -m bot``'s sub-command parser."""
    keep = commands.add_parser(
        "retention",
        help="delete transcripts older than RETENTION_MONTHS (docs/data-protection.md)",
        description="Delete conversation transcripts, SMS texts, unanswered questions' words "
        "and link codes older than RETENTION_MONTHS (12 by default). Cases, handoffs, safety "
        "alerts and safety events are kept. The scheduler runs this daily.",
    )
    keep.add_argument(
        "--dry-run", action="store_true", help="show what would be deleted; change nothing"
    )
    sar = commands.add_parser(
        "subject-access",
        help="write everything held about one young person to an HTML file",
        description="Write everything held about the young person with reference PERSON_REF "
        "(their reference in the council's case system) into one self-contained HTML file.",
    )
    sar.add_argument("person_ref", metavar="PERSON_REF", help="their reference (external_ref)")
    sar.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    erase = commands.add_parser(
        "erase",
        help="erase a young person's personal data on request (docs/data-protection.md)",
        description="Erase the personal data of the young person with reference PERSON_REF, "
        "keeping (and listing) the records the law requires. Without --yes it only shows "
        "what would happen.",
    )
    erase.add_argument("person_ref", metavar="PERSON_REF", help="their reference (external_ref)")
    erase.add_argument(
        "--reason", required=True, help="why, in words without personal data (audited)"
    )
    erase.add_argument("--yes", action="store_true", help="really erase (else: show the plan)")
    for sub in (sar, erase):
        sub.add_argument(
            "--by",
            required=True,
            metavar="EMAIL",
            help="the email of the member of staff carrying it out (audited)",
        )


def _tables_missing(engine: sa.engine.Engine) -> bool:
    if sa.inspect(engine).has_table("audit_log"):
        return False
    print("The database has no tables yet: run `python -m bot migrate`.", file=sys.stderr)
    return True


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of :data:`COMMANDS`; returns the exit status."""
    engine = create_db_engine(settings.database_url)
    try:
        if _tables_missing(engine):
            return 1
        if args.command == "retention":
            return _retention(engine, settings, dry_run=args.dry_run)
        if args.command == "subject-access":
            return _subject_access(engine, settings, args)
        return _erase(engine, settings, args)
    finally:
        engine.dispose()


def _retention(engine: sa.engine.Engine, settings: Settings, *, dry_run: bool) -> int:
    report = retention.run(
        engine,
        settings,
        utcnow(),
        dry_run=dry_run,
        progress=lambda line: print(f"  {line}", flush=True),
        who=retention.operator(),
    )
    title = "Dry run: nothing was changed." if dry_run else "Retention done."
    print(f"{title} Period: {settings.retention_months} months.")
    for line in report.lines():
        print(f"- {line}")
    return 0


def _subject_access(engine: sa.engine.Engine, settings: Settings, args: argparse.Namespace) -> int:
    try:
        summary = access.export(
            engine, settings, args.person_ref, args.out, by_email=args.by, now=utcnow()
        )
    except (PersonNotFoundError, access.AccessError) as exc:
        print(f"{exc.args[0]} Nothing was written.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Could not write {args.out}: {exc.strerror}. Nothing was written.", file=sys.stderr)
        return 1
    print(
        f"Wrote {args.out}: {summary.messages} messages in {summary.conversations} "
        f"conversations, {summary.sms_sent} SMS sent to them, {summary.cases} cases, "
        f"{summary.handoffs} handoffs, {summary.alerts} safety alerts, "
        f"{summary.safety_events} safety events. The audit log records it."
    )
    return 0


def _erase(engine: sa.engine.Engine, settings: Settings, args: argparse.Namespace) -> int:
    try:
        plan = erasure.erase(
            engine,
            settings,
            args.person_ref,
            reason=args.reason,
            by_email=args.by,
            now=utcnow(),
            confirm=args.yes,
        )
    except (PersonNotFoundError, erasure.ErasureError) as exc:
        print(f"{exc.args[0]} Nothing was changed.", file=sys.stderr)
        return 1
    if plan.already_erased:
        print(f"care_leaver:{plan.person_id} was erased before; erasing anything new since.")
    print("Erased:" if args.yes else "Would erase (nothing has changed; add --yes to erase):")
    for line in plan.removed_lines():
        print(f"- {line}")
    print("Kept, because the law requires it (see docs/data-protection.md):")
    for line in plan.kept:
        print(f"- {line}")
    if args.yes:
        print("The audit log records the erasure, its reason and what was kept.")
    return 0
