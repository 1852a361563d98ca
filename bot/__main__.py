"""Command line for setting the service up: ``python -m bot <command>``.

Commands:
    migrate                    bring the database to the latest schema
    load-content               validate the content files and publish them
    setup                      both, in that order (what ``make run`` and ``make test`` do)
    import-staff FILE          import staff from a CSV file (see docs/people-import.md)
    import-care-leavers FILE   import care leavers from a CSV file
    seed-demo                  put the invented demo staff and care leavers in the database
    create-user EMAIL --roles R,R   give the staff record with EMAIL a console account, and
                               a password (asked for, or --password-stdin)
    set-password EMAIL         set a console account's password (asked for, or
                               --password-stdin); unlocks it and ends its sessions
    retention [--dry-run]      delete transcripts older than RETENTION_MONTHS
    subject-access REF --out FILE --by EMAIL   everything held about one young person
    erase REF --reason TEXT --by EMAIL [--yes]   erase their personal data on request
                               (the three: docs/data-protection.md)

Passwords are never taken as arguments (they would be in the shell's history and the
process list): they are typed at a prompt, or read from the first line of standard input.
The import commands write nothing if any row has a problem, unless ``--only-good-rows``
is given; they exit with status 1 when nothing was imported because of problems.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.people.demo import DemoDataError, seed_demo
from bot.people.importer import ImportReport, import_care_leavers, import_staff
from bot.privacy import commands as privacy_commands
from bot.settings import Settings, SettingsError, get_settings
from entitlements.loader import ContentError

IMPORTERS = {"import-staff": import_staff, "import-care-leavers": import_care_leavers}


def _load(show: bool = True) -> int:
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        content, report = load_content_files(engine, settings)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        print("Nothing was loaded.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for warning in content.warnings:
        print(f"warning: {warning}")
    if show:
        print(
            f"Content revision {report.revision}: {len(report.added)} added, "
            f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
            f"{len(report.retired)} retired."
        )
    return 0


def _people_tables_missing(engine: Engine) -> bool:
    inspector = sa.inspect(engine)
    if inspector.has_table("staff") and inspector.has_table("care_leavers"):
        return False
    print("The database has no people tables yet: run `python -m bot migrate`.", file=sys.stderr)
    return True


def _print_report(report: ImportReport) -> None:
    for error in report.errors:
        print(error)
    print(report.summary())


def _import(command: str, file: Path, settings: Settings, *, only_good_rows: bool) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        if _people_tables_missing(engine):
            return 1
        report = IMPORTERS[command](engine, file, settings=settings, only_good_rows=only_good_rows)
    finally:
        engine.dispose()
    _print_report(report)
    return 0 if report.written else 1


def _seed_demo(settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        if _people_tables_missing(engine):
            return 1
        seed_demo(engine, settings)
    except DemoDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("Demo staff and care leavers are in the database (see docs/people-import.md).")
    return 0


def _read_password(from_stdin: bool) -> str | None:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("New password again: ") != first:
        print("The two passwords are not the same; nothing was changed.", file=sys.stderr)
        return None
    return first


def _console_user(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import accounts
    from bot.console.policy import utcnow
    from bot.console.roles import RoleError, parse_roles

    engine = create_db_engine(settings.database_url)
    try:
        if not sa.inspect(engine).has_table("staff_accounts"):
            print(
                "The database has no console tables yet: run `python -m bot migrate`.",
                file=sys.stderr,
            )
            return 1
        with engine.connect() as conn:
            existing = accounts.by_email(conn, args.email)
            if args.command == "create-user" and existing is None:
                try:  # before asking for a password: is there someone to give an account to?
                    parse_roles(args.roles)
                    accounts.staff_record_by_email(conn, args.email)
                except (accounts.AccountError, RoleError) as exc:
                    print(f"{exc} Nothing was changed.", file=sys.stderr)
                    return 1
        if args.command == "create-user" and existing is not None:
            print(f"{args.email} already has an account (use set-password).", file=sys.stderr)
            return 1
        if args.command == "set-password" and existing is None:
            print(
                f"No console account signs in with {args.email} (use create-user).", file=sys.stderr
            )
            return 1
        password = _read_password(args.password_stdin)
        if password is None:
            return 1
        try:
            with engine.begin() as conn:
                if existing is None:
                    existing = accounts.create(
                        conn, roles=args.roles, email=args.email, now=utcnow()
                    )
                accounts.set_password(conn, existing.id, password, now=utcnow(), how="command line")
        except (accounts.AccountError, RoleError) as exc:
            print(f"{exc} Nothing was changed.", file=sys.stderr)
            return 1
    finally:
        engine.dispose()
    roles = ", ".join(sorted(existing.roles))
    if args.command == "create-user":
        print(f"Made a console account for {existing.name} ({existing.email}): {roles}.")
    else:
        print(f"Password set for {existing.name} ({existing.email}); their sessions ended.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    commands.add_parser("migrate", help="bring the database to the latest schema")
    commands.add_parser("load-content", help="validate the content files and publish them")
    commands.add_parser("setup", help="migrate, then load the content")
    for command, who in (("import-staff", "staff"), ("import-care-leavers", "care leavers")):
        sub = commands.add_parser(
            command,
            help=f"import {who} from a CSV file (docs/people-import.md)",
            description=f"Import {who} from a CSV file. Nothing is written if any row "
            "has a problem, unless --only-good-rows is given.",
        )
        sub.add_argument("file", type=Path, help="the CSV file (UTF-8, comma-separated)")
        sub.add_argument(
            "--only-good-rows",
            action="store_true",
            help="import the rows without problems and skip (and list) the others",
        )
    commands.add_parser("seed-demo", help="put the invented demo staff and care leavers in")
    create = commands.add_parser(
        "create-user",
        help="give a staff record a console account and a password (docs/console.md)",
        description="Give the staff record with EMAIL an account on the staff console, "
        "with the roles given, and set its password (asked for at a prompt).",
    )
    create.add_argument("email", help="the staff record's email; they sign in with it")
    create.add_argument(
        "--roles",
        required=True,
        help="comma-separated: personal_adviser, team_manager, duty_worker, "
        "content_editor, content_approver, admin",
    )
    reset = commands.add_parser(
        "set-password",
        help="set a console account's password (docs/console.md)",
        description="Set the password of the console account that signs in with EMAIL; "
        "this unlocks it and ends its sessions.",
    )
    reset.add_argument("email", help="the account's email")
    for sub in (create, reset):
        sub.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input, not a prompt",
        )
    privacy_commands.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    args = _parser().parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command in IMPORTERS:
        return _import(args.command, args.file, settings, only_good_rows=args.only_good_rows)
    if args.command == "seed-demo":
        return _seed_demo(settings)
    if args.command in ("create-user", "set-password"):
        return _console_user(args, settings)
    if args.command in privacy_commands.COMMANDS:
        return privacy_commands.run(args, settings)
    if args.command in ("migrate", "setup"):
        upgrade(settings.database_url)
        print("Database is up to date.")
    if args.command in ("load-content", "setup"):
        return _load()
    return 0


if __name__ == "__main__":
    sys.exit(main())
