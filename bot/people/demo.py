"""Demo staff and care leavers, for trying the service without real people's records.

``python -m bot seed-demo`` calls :func:`seed_demo`. The records are invented (names such
as "Demo Jordan" and "Pat Example-Adviser"), their mobiles are in Ofcom's drama range
(07700 900000 to 900999, never given to anyone) and their emails at ``example.org``.
``docs/people-import.md`` lists them.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from bot.people.import_report import ImportReport
from bot.people.importer import import_care_leavers, import_staff
from bot.settings import Settings

DEMO_DIR = Path(__file__).resolve().parent / "demo"
STAFF_FILE = DEMO_DIR / "staff.csv"
CARE_LEAVERS_FILE = DEMO_DIR / "care_leavers.csv"


class DemoDataError(RuntimeError):
    """The demo files did not import (for example, ``DISTRICTS`` has other districts)."""


def _check(report: ImportReport, path: Path) -> None:
    if report.errors:
        problems = "\n".join(f"  {error}" for error in report.errors)
        raise DemoDataError(f"{path.name} did not import:\n{problems}")


def seed_demo(engine: Engine, settings: Settings) -> None:
    """Put the demo staff and care leavers in the database, or bring them back to the files.

    Idempotent: the records are upserted through the importer, by their ``DEMO-``
    references, so running it again changes nothing (or undoes edits to demo records).

    Args:
        engine: The project's database (migrated).
        settings: Its districts must include North, East and Central (the defaults).

    Raises:
        DemoDataError: ``APP_ENV=production`` (fake people would be texted, counted in
            the weekly figures and offered to staff as real), or a demo file did not
            import; nothing from that file was written.

    """
    if settings.production:
        raise DemoDataError(
            "APP_ENV=production: the demo staff and care leavers are not loaded into a "
            "live service (import the real records: docs/people-import.md)"
        )
    _check(import_staff(engine, STAFF_FILE, settings=settings), STAFF_FILE)
    _check(import_care_leavers(engine, CARE_LEAVERS_FILE, settings=settings), CARE_LEAVERS_FILE)
