"""Imports staff and care leavers from the CSV files councils export from their case system.

``python -m bot import-staff FILE`` and ``python -m bot import-care-leavers FILE`` call
:func:`import_staff` and :func:`import_care_leavers`; ``docs/people-import.md`` describes
the columns and formats for the people who prepare the files.

Every row is checked and every problem collected, as a
:class:`~bot.people.import_report.RowError` that names the row (as a spreadsheet numbers
it: the header is row 1) and the column. Error messages never
repeat a row's personal values (names, numbers, dates): they say what is wrong, not what
was there.

All or nothing: a file with any problem writes nothing, unless ``only_good_rows`` is given,
in which case the good rows are written and the bad ones reported. Everything happens in
one transaction. A record whose external reference (``staff_id``, ``person_id``) is
already in the database is updated; others are inserted; nothing is ever deleted.

This module holds the two files' columns and their row checks; the parts they share live
in :mod:`bot.people.import_file` (reading the file and its header),
:mod:`bot.people.import_checks` (checking values), :mod:`bot.people.import_write` (the
write step) and :mod:`bot.people.import_report` (:class:`~bot.people.import_report.RowError`
and :class:`~bot.people.import_report.ImportReport`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.people.import_checks import (
    Checked,
    Row,
    age_on,
    folded,
    mark_duplicates,
    parse_email,
    snake,
)
from bot.people.import_file import FileProblem, Record, parse_records, read_text
from bot.people.import_report import ImportReport
from bot.people.import_write import WritePlan, existing_records, write_plan
from bot.settings import Settings
from bot.store.tables.people import care_leavers, staff
from entitlements.model import CIRCUMSTANCES, STATUSES

ROLES: tuple[str, ...] = (
    "personal_adviser",
    "team_manager",
    "duty_worker",
    "content_editor",
    "content_approver",
    "safeguarding_approver",
    "admin",
)
"""What a member of staff does; decides what they may see and do."""

ROLE_ALIASES: Mapping[str, str] = {"personal_advisor": "personal_adviser"}
"""Common spellings accepted for a role, after case and spaces are normalised."""

STAFF_COLUMNS: tuple[str, ...] = ("staff_id", "name", "role", "district", "mobile", "email")
"""The columns of a staff file, every one required in the header (in any order)."""

CIRCUMSTANCE_COLUMNS: tuple[str, ...] = (
    "in_higher_education",
    "apprenticeship",
    "parent",
    "uasc",
    "staying_put",
    "out_of_area",
)
"""The circumstances a care leavers file gives, one yes/no column each."""

CARE_LEAVER_COLUMNS: tuple[str, ...] = (
    "person_id",
    "preferred_name",
    "date_of_birth",
    "mobile",
    "legal_status",
    "district",
    "pa_staff_id",
    "pathway_plan_last_review",
    "pathway_plan_next_review",
    *CIRCUMSTANCE_COLUMNS,
)
"""The columns of a care leavers file, every one required in the header (in any order)."""

MIN_AGE = 14
MAX_AGE = 30
"""A care leaver's age today must be between these (inclusive): anything else is a typo."""

MAX_REF = 64
MAX_STAFF_NAME = 120
MAX_PREFERRED_NAME = 80

if not set(CIRCUMSTANCE_COLUMNS) <= set(CIRCUMSTANCES):  # pragma: no cover - a coding error
    raise RuntimeError("every circumstance column must be a code in entitlements.model")


def _today(settings: Settings) -> dt.date:
    return utcnow().astimezone(ZoneInfo(settings.timezone)).date()


# ---------------------------------------------------------------------------------------
# Staff


def _check_staff(record: Record, settings: Settings) -> tuple[Row, dict[str, Any]]:
    row = Row(record)
    ref = row.text("staff_id", required=True, max_length=MAX_REF)
    name = row.text("name", required=True, max_length=MAX_STAFF_NAME)
    role = row.choice("role", ROLES, snake, ROLE_ALIASES)
    district = row.choice("district", settings.districts, folded)
    mobile = row.mobile("mobile")
    email = None
    if row.values["email"]:
        email, problem = parse_email(row.values["email"])
        if problem:
            row.error("email", f"email {problem}")
    values = {
        "external_ref": ref,
        "name": name,
        "role": role,
        "district": district,
        "mobile": mobile,
        "email": email,
    }
    return row, values


def import_staff(
    engine: Engine,
    source: Path | str,
    *,
    settings: Settings,
    only_good_rows: bool = False,
) -> ImportReport:
    """Import a staff file: check every row, then write all of them or none.

    Args:
        engine: The project's database (migrated).
        source: A CSV file's path, or the CSV text itself (a ``str`` with no line break
            that names an existing file is read as a path).
        settings: Gives the council's districts.
        only_good_rows: Write the good rows even if some rows have problems (the bad
            ones are skipped and reported). Problems with the file itself or its header
            still stop everything.

    Returns:
        What was done and every problem found.

    """
    kind = "staff"
    try:
        records, row_errors = parse_records(read_text(source), STAFF_COLUMNS)
    except FileProblem as problem:
        return ImportReport(kind, errors=problem.errors)
    checked = [_check_staff(record, settings) for record in records]
    mark_duplicates(checked, "staff_id", "external_ref")
    with engine.begin() as conn:
        existing = existing_records(conn, staff)
        return write_plan(
            conn,
            WritePlan(kind, staff, STAFF_COLUMNS, checked, row_errors, existing),
            only_good_rows=only_good_rows,
        )


# ---------------------------------------------------------------------------------------
# Care leavers


def _check_care_leaver(
    record: Record, settings: Settings, today: dt.date, staff_ids: Mapping[str, int]
) -> tuple[Row, dict[str, Any]]:
    row = Row(record)
    ref = row.text("person_id", required=True, max_length=MAX_REF)
    name = row.text("preferred_name", required=True, max_length=MAX_PREFERRED_NAME)
    date_of_birth = row.date("date_of_birth", required=True)
    if date_of_birth is not None:
        if date_of_birth > today:
            row.error("date_of_birth", "date_of_birth is in the future")
        elif not MIN_AGE <= age_on(date_of_birth, today) <= MAX_AGE:
            row.error(
                "date_of_birth",
                f"date_of_birth gives an age outside {MIN_AGE} to {MAX_AGE} "
                "(check the year, and that it is written day/month/year)",
            )
    mobile = row.mobile("mobile")
    status = row.choice("legal_status", STATUSES, snake)
    district = row.choice("district", settings.districts, folded)
    adviser_id = None
    if row.values["pa_staff_id"]:
        adviser_id = staff_ids.get(row.values["pa_staff_id"])
        if adviser_id is None:
            row.error(
                "pa_staff_id",
                "pa_staff_id is not the staff_id of anyone in the staff records "
                "(import the staff file first)",
            )
    last_review = row.date("pathway_plan_last_review", required=False)
    next_review = row.date("pathway_plan_next_review", required=False)
    if last_review and last_review > today:
        row.error("pathway_plan_last_review", "pathway_plan_last_review is in the future")
    if last_review and next_review and next_review <= last_review:
        row.error(
            "pathway_plan_next_review",
            "pathway_plan_next_review must be after pathway_plan_last_review",
        )
    flags = {column: row.flag(column) for column in CIRCUMSTANCE_COLUMNS}
    values = {
        "external_ref": ref,
        "preferred_name": name,
        "date_of_birth": date_of_birth,
        "mobile": mobile,
        "status": status,
        "district": district,
        "adviser_id": adviser_id,
        "pathway_last_review": last_review,
        "pathway_next_review": next_review,
        "circumstances": ",".join(sorted(code for code, yes in flags.items() if yes)),
    }
    return row, values


def _merge_circumstances(new: str, old: str) -> str:
    """The file's circumstances, keeping any code the file has no column for."""
    kept = {code for code in old.split(",") if code and code not in CIRCUMSTANCE_COLUMNS}
    return ",".join(sorted(kept | {code for code in new.split(",") if code}))


def import_care_leavers(
    engine: Engine,
    source: Path | str,
    *,
    settings: Settings,
    only_good_rows: bool = False,
    today: dt.date | None = None,
) -> ImportReport:
    """Import a care leavers file: check every row, then write all of them or none.

    A mobile number must be unique in the file and must not belong to anyone else in
    the database; ``pa_staff_id`` must be a member of staff already imported.

    Args:
        engine: The project's database (migrated).
        source: A CSV file's path, or the CSV text itself (a ``str`` with no line break
            that names an existing file is read as a path).
        settings: Gives the council's districts and the time zone ages are reckoned in.
        only_good_rows: Write the good rows even if some rows have problems (the bad
            ones are skipped and reported). Problems with the file itself or its header
            still stop everything.
        today: The date ages are reckoned on; today in ``settings.timezone`` if not given.

    Returns:
        What was done and every problem found.

    """
    kind = "care leavers"
    try:
        records, row_errors = parse_records(read_text(source), CARE_LEAVER_COLUMNS)
    except FileProblem as problem:
        return ImportReport(kind, errors=problem.errors)
    today = today or _today(settings)
    with engine.begin() as conn:
        staff_ids = {
            r.external_ref: r.id for r in conn.execute(sa.select(staff.c.id, staff.c.external_ref))
        }
        existing = existing_records(conn, care_leavers)
        checked = [_check_care_leaver(r, settings, today, staff_ids) for r in records]
        mark_duplicates(checked, "person_id", "external_ref")
        mark_duplicates(checked, "mobile", "mobile")
        _check_mobiles_against_database(checked, existing, only_good_rows=only_good_rows)
        for _, values in checked:
            old = existing.get(values["external_ref"])
            if old is not None:
                values["circumstances"] = _merge_circumstances(
                    values["circumstances"], old["circumstances"]
                )
        return write_plan(
            conn,
            WritePlan(kind, care_leavers, CARE_LEAVER_COLUMNS, checked, row_errors, existing),
            only_good_rows=only_good_rows,
        )


def _check_mobiles_against_database(
    checked: Checked, existing: Mapping[str, Mapping[str, Any]], *, only_good_rows: bool
) -> None:
    """Give an error to every row whose mobile belongs to someone the import leaves alone.

    The people left alone are those not in the file and, when only the good rows are
    written, those whose rows have problems: their records keep their mobile. Skipping
    a row can make another good row clash, so that part repeats until nothing changes.
    """

    def clash(rows: Checked, written: set[Any]) -> bool:
        holders = {
            old["mobile"]: ref
            for ref, old in existing.items()
            if old["mobile"] and ref not in written
        }
        found = False
        for row, values in rows:
            if values["mobile"] in holders:
                holder = holders[values["mobile"]]
                row.error(
                    "mobile", f"mobile is already recorded for another person (person_id {holder})"
                )
                found = True
        return found

    clash(checked, {values["external_ref"] for _, values in checked})
    if only_good_rows:
        while True:
            good = [(row, values) for row, values in checked if not row.errors]
            if not clash(good, {values["external_ref"] for _, values in good}):
                return
