"""Command line for setting the service up: ``python -m bot <command>``.

Commands:
    migrate        bring the database to the latest schema
    load-content   validate the content files and publish them
    setup          both, in that order (what ``make run`` and ``make test`` do)
"""

from __future__ import annotations

import argparse
import sys

from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.settings import SettingsError, get_settings
from entitlements.loader import ContentError


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


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    parser.add_argument("command", choices=("migrate", "load-content", "setup"))
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command in ("migrate", "setup"):
        upgrade(settings.database_url)
        print("Database is up to date.")
    if args.command in ("load-content", "setup"):
        return _load()
    return 0


if __name__ == "__main__":
    sys.exit(main())
