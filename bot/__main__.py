"""Command line for setting the service up: ``python -m bot <command>``.

Commands:
    migrate                    bring the database to the latest schema
    load-content               validate the content files and publish them
    setup                      both, in that order (what ``make run`` and ``make test`` do)
    export-content DIR         write all published content to DIR/national and DIR/local
    import-content DIR         validate every content file in DIR, then publish them all
                               in one transaction (or nothing); see docs/content.md
    import-staff FILE          import staff from a CSV file (see docs/people-import.md)
    import-care-leavers FILE   import care leavers from a CSV file
    seed-demo                  put the invented demo staff and care leavers in the database
    create-user EMAIL --roles R,R   give the staff record with EMAIL a console account, and
                               a password (asked for, or --password-stdin)
    set-password EMAIL         set a console account's password (asked for, or
                               --password-stdin); unlocks it and ends its sessions
    send-packs [--district D] [--dry-run] [--every N]
                               text a first entitlements pack to every care leaver who
                               has had none (docs/packs-and-nudges.md)
    retention [--dry-run]      delete transcripts older than RETENTION_MONTHS
    subject-access REF --out FILE --by EMAIL   everything held about one young person
    erase REF --reason TEXT --by EMAIL [--yes]   erase their personal data on request
                               (the three: docs/data-protection.md)
    clear-identity-lock REF --by EMAIL   after checking with the young person, let their
                               texts and web chat use their records again (docs/security.md)

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
from bot.people import commands as people_commands
from bot.people.demo import DemoDataError, seed_demo
from bot.people.import_report import ImportReport
from bot.people.importer import import_care_leavers, import_staff
from bot.privacy import commands as privacy_commands
from bot.private_files import secure_var_dir
from bot.settings import Settings, SettingsError, get_settings
from entitlements.loader import ContentError
from entitlements.store import changed_outside_files

IMPORTERS = {"import-staff": import_staff, "import-care-leavers": import_care_leavers}


def _load(show: bool = True, *, setting_up: bool = False) -> int:
    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    try:
        if setting_up and changed_outside_files(engine):
            print(
                "Content files not loaded: staff have changed the content in the console, "
                "so the database keeps it. To replace it with the files on purpose, run "
                f"`python -m bot import-content {settings.content_dir}`."
            )
            return 0
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


def _content_files(command: str, folder: Path, settings: Settings) -> int:
    from bot.content_files import ExportError, export_content, import_content

    engine = create_db_engine(settings.database_url)
    try:
        if command == "export-content":
            written = export_content(engine, folder)
            print(f"Wrote {len(written)} content files to {folder}.")
            return 0
        content, report = import_content(engine, folder, settings, actor="command line")
    except (ContentError, ExportError) as exc:
        print(exc, file=sys.stderr)
        if command == "import-content":
            print("Nothing was imported.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for warning in content.warnings:
        print(f"warning: {warning}")
    print(
        f"Imported {len(content.entries)} entries: content revision {report.revision}, "
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.retired)} retired."
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
    from bot.clock import utcnow
    from bot.console import accounts
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


def _send_packs(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import utcnow
    from bot.packs.service import send_first_packs

    engine = create_db_engine(settings.database_url)
    try:
        if not sa.inspect(engine).has_table("packs"):
            print(
                "The database has no packs table yet: run `python -m bot migrate`.", file=sys.stderr
            )
            return 1
        if args.district is not None and args.district not in settings.districts:
            print(
                f"{args.district!r} is not a district; the districts are: "
                f"{', '.join(settings.districts)}. Nothing was sent.",
                file=sys.stderr,
            )
            return 1
        summary = send_first_packs(
            engine,
            settings,
            utcnow(),
            district=args.district,
            dry_run=args.dry_run,
            progress=lambda done, total: print(f"{done} of {total} care leavers done", flush=True),
            every=args.every,
        )
    finally:
        engine.dispose()
    if args.dry_run:
        print("Dry run: nothing was sent or recorded.")
    for line in summary.lines(args.dry_run):
        print(line)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    commands.add_parser("migrate", help="bring the database to the latest schema")
    commands.add_parser("load-content", help="validate the content files and publish them")
    commands.add_parser("setup", help="migrate, then load the content")
    export = commands.add_parser(
        "export-content",
        help="write all published content to YAML files (docs/content.md)",
        description="Write every published entry to DIR/national/<id>.yaml or "
        "DIR/local/<id>.yaml, in the content files' format. DIR must be new or empty.",
    )
    export.add_argument("dir", type=Path, help="a new or empty folder")
    imported = commands.add_parser(
        "import-content",
        help="validate content files and publish them all, or nothing (docs/content.md)",
        description="Check every file in DIR/national and DIR/local as load-content does, "
        "then publish the whole set in one transaction. Nothing is published if any file "
        "has a problem; entries not in DIR stop being published.",
    )
    imported.add_argument("dir", type=Path, help="a folder with national/ and local/")
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
    packs = commands.add_parser(
        "send-packs",
        help="text a first entitlements pack to every care leaver who has had none",
        description="Text a first entitlements pack to every care leaver on record who has "
        "never had one (docs/packs-and-nudges.md). Numbers that replied STOP get nothing; "
        "they are counted as not sent.",
    )
    packs.add_argument("--district", help="only care leavers in this district")
    packs.add_argument(
        "--dry-run", action="store_true", help="count what would be sent; send and record nothing"
    )
    packs.add_argument(
        "--every",
        type=int,
        default=100,
        metavar="N",
        help="print a progress line every N care leavers (default 100)",
    )
    for sub in (create, reset):
        sub.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input, not a prompt",
        )
    privacy_commands.add_parsers(commands)
    people_commands.add_parsers(commands)
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
    if args.command in ("export-content", "import-content"):
        return _content_files(args.command, args.dir, settings)
    if args.command in ("create-user", "set-password"):
        return _console_user(args, settings)
    if args.command == "send-packs":
        if args.every < 1:
            print("--every must be 1 or more.", file=sys.stderr)
            return 2
        return _send_packs(args, settings)
    if args.command in privacy_commands.COMMANDS:
        return privacy_commands.run(args, settings)
    if args.command in people_commands.COMMANDS:
        return people_commands.run(args, settings)
    if args.command in ("migrate", "setup"):
        secure_var_dir(settings.var_dir)
        upgrade(settings.database_url)
        print("Database is up to date.")
    if args.command in ("load-content", "setup"):
        return _load(setting_up=args.command == "setup")
    return 0


if __name__ == "__main__":
    sys.exit(main())
