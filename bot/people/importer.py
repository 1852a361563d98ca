"""Imports staff and care leavers from the CSV files councils export from their case system.

``python -m bot import-staff FILE`` and ``python -m bot import-care-leavers FILE`` call
:func:`import_staff` and :func:`import_care_leavers`; ``docs/people-import.md`` describes
the columns and formats for the people who prepare the files.

Every row is checked and every problem collected, as a :class:`RowError` that names the row
(as a spreadsheet numbers it: the header is row 1) and the column. Error messages never
repeat a row's personal values (names, numbers, dates): they say what is wrong, not what
was there.

All or nothing: a file with any problem writes nothing, unless ``only_good_rows`` is given,
in which case the good rows are written and the bad ones reported. Everything happens in
one transaction. A record whose external reference (``staff_id``, ``person_id``) is
already in the database is updated; others are inserted; nothing is ever deleted.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot import linear_re
from bot.cases.moves import follow_young_person
from bot.clock import naive_utcnow
from bot.people.phones import DRAMA_NUMBERS
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
MAX_EMAIL = 254


_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"", "n", "no", "false", "0"})
# Patterns for bot.linear_re (RE2): an upload is user text. Python's Unicode \s is
# spelled out (linear_re.SPACE); \d is ASCII digits only.
_ISO_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_UK_DATE = r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"
_EMAIL = f"[^@{linear_re.SPACE}]+@[^@{linear_re.SPACE}]+\\.[^@{linear_re.SPACE}.]+"
_SEPARATORS = f"[{linear_re.SPACE}\\-]+"
_MAX_SHOWN_COLUMN = 40

if not set(CIRCUMSTANCE_COLUMNS) <= set(CIRCUMSTANCES):  # pragma: no cover - a coding error
    raise RuntimeError("every circumstance column must be a code in entitlements.model")


@dataclasses.dataclass(frozen=True)
class RowError:
    """One problem in an import file.

    Attributes:
        row: Where the problem is, numbered as a spreadsheet shows the file: the header
            is row 1 and the first record row 2. 0 means the file as a whole.
        column: The column the problem is in; empty when it is about the whole row or file.
        problem: What is wrong, in plain words, without the value itself.

    """

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        """The error as staff read it: ``row 3, mobile: mobile is not ...``."""
        if self.row == 0:
            return f"file: {self.problem}"
        if not self.column:
            return f"row {self.row}: {self.problem}"
        return f"row {self.row}, {self.column}: {self.problem}"


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What an import did.

    Attributes:
        kind: ``"staff"`` or ``"care leavers"``.
        rows: Records read from the file (blank lines not counted).
        inserted: New records written.
        updated: Existing records (same external reference) changed.
        unchanged: Existing records the file gave exactly as they were.
        skipped_bad: Records not written because they have problems.
        kept_erased: Care leavers erased on request (``python -m bot erase``): left
            erased, whatever the file says, so an import never brings the data back.
        moved_items: Open cases, handoffs and safety alerts given to a young person's
            new PA (or district's team manager) because the file changed their PA or
            district (:func:`bot.cases.moves.follow_young_person`, audited in each
            item's history).
        errors: Every problem found, in file order.
        written: True if the import's changes were committed (False when nothing was
            imported because of problems).

    """

    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_bad: int = 0
    kept_erased: int = 0
    moved_items: int = 0
    errors: tuple[RowError, ...] = ()
    written: bool = False

    @property
    def ok(self) -> bool:
        """True when the file had no problems at all."""
        return not self.errors

    @property
    def imported(self) -> int:
        """Records now in the database as the file gives them."""
        return self.inserted + self.updated + self.unchanged

    def summary(self) -> str:
        """One line for people: what was imported, or why nothing was."""
        if self.written:
            line = (
                f"Imported {self.kind}: {self.inserted} added, {self.updated} updated, "
                f"{self.unchanged} unchanged"
            )
            if self.skipped_bad:
                rows = "row" if self.skipped_bad == 1 else "rows"
                line += f", {self.skipped_bad} {rows} with problems skipped"
            if self.kept_erased:
                line += f", {self.kept_erased} erased on request and left erased"
            if self.moved_items:
                items = "item" if self.moved_items == 1 else "items"
                line += (
                    f"; {self.moved_items} open {items} moved to young people's new PA "
                    "(cases, handoffs, safety alerts)"
                )
            return line + "."
        if self.rows == 0 or self.skipped_bad == 0:
            count = len(self.errors)
            return (
                f"Nothing was imported: {count} problem{'s' if count > 1 else ''} "
                "with the file itself."
            )
        good = self.rows - self.skipped_bad
        line = (
            f"Nothing was imported: {self.skipped_bad} of {self.rows} rows have problems "
            f"({len(self.errors)} in all). Correct them and import the file again"
        )
        if good:
            line += f", or use --only-good-rows to import the {good} good rows"
        return line + "."


# ---------------------------------------------------------------------------------------
# Reading the file


class _FileProblem(Exception):
    """The file cannot be read as CSV at all, or its header is wrong (rows are not checked)."""

    def __init__(self, *errors: RowError) -> None:
        super().__init__(errors[0].problem)
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class _Record:
    row: int
    values: dict[str, str]


def _read_text(source: Path | str) -> str:
    """The file's text: a path's content decoded as UTF-8, or ``source`` itself."""
    if isinstance(source, str) and "\n" not in source and os.path.isfile(source):
        source = Path(source)
    if isinstance(source, str):
        text = source.removeprefix("\ufeff")
        if "\x00" in text:
            raise _FileProblem(RowError(0, "", "this is not a CSV file (it has binary data)"))
        return text
    try:
        data = source.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise _FileProblem(RowError(0, "", f"the file cannot be read ({reason})")) from None
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _FileProblem(
            RowError(
                0,
                "",
                "this is an Excel workbook, not a CSV file: in Excel use "
                "File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _FileProblem(
            RowError(
                0,
                "",
                "the file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8: in Excel use "
                "File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        )
    if b"\x00" in data:
        raise _FileProblem(RowError(0, "", "this is not a CSV file (it has binary data)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _FileProblem(
            RowError(
                line,
                "",
                "the file is not UTF-8 text (the first character that is not is on this "
                "line): in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        ) from None


def _column_key(name: str) -> str:
    return linear_re.compile(_SEPARATORS).sub("_", name.strip().lower())


def _shown(name: str) -> str:
    name = name.strip()
    return name if len(name) <= _MAX_SHOWN_COLUMN else name[: _MAX_SHOWN_COLUMN - 1] + "…"


def _csv_rows(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    while True:
        row += 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _FileProblem(
                RowError(row, "", f"the file is not valid CSV here ({exc})")
            ) from None
        yield fields


def _parse(text: str, columns: Sequence[str]) -> tuple[list[_Record], list[RowError]]:
    """Split the file into records keyed by column name.

    Returns:
        The records, and problems with rows that cannot be read as records (too many or
        too few values): those rows are left out.

    Raises:
        _FileProblem: The file is empty, is not CSV, or its header is wrong.

    """
    if not text.strip():
        raise _FileProblem(RowError(0, "", "the file is empty"))
    rows = _csv_rows(text)
    header = next(rows)
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        raise _FileProblem(
            RowError(
                1,
                "",
                f"the columns are separated by {separator}, not commas: in Excel use "
                "File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        )
    keys = [_column_key(name) for name in header]
    if not set(keys) & set(columns):
        # Perhaps the header is missing and this is a record: do not repeat its values.
        raise _FileProblem(
            RowError(
                1,
                "",
                "row 1 must be the header, with the column names "
                f"({', '.join(columns)}); none of them was found",
            )
        )
    header_errors: list[RowError] = []
    unnamed: list[int] = []
    seen: set[str] = set()
    for index, (key, name) in enumerate(zip(keys, header, strict=True)):
        if not key:
            unnamed.append(index)
        elif key not in columns:
            header_errors.append(
                RowError(1, _shown(name), f"unknown column; the columns are {', '.join(columns)}")
            )
        elif key in seen:
            header_errors.append(RowError(1, key, "column appears more than once in the header"))
        seen.add(key)
    header_errors.extend(
        RowError(1, column, "column is missing from the header")
        for column in columns
        if column not in seen
    )
    if header_errors:
        raise _FileProblem(*header_errors)
    records: list[_Record] = []
    errors: list[RowError] = []
    for row, fields in enumerate(rows, start=2):
        if not any(field.strip() for field in fields):
            continue  # a blank line, or an empty spreadsheet row (",,,,")
        extra = fields[len(header) :]
        if len(fields) < len(header) or any(field.strip() for field in extra):
            errors.append(
                RowError(
                    row,
                    "",
                    f"row has {len(fields)} values but the header has {len(header)} "
                    "columns (a comma missing or one too many?)",
                )
            )
        elif any(fields[index].strip() for index in unnamed):
            first = next(index for index in unnamed if fields[index].strip())
            errors.append(
                RowError(row, "", f"column {first + 1} has a value but no name in the header")
            )
        else:
            values = {key: fields[i].strip() for i, key in enumerate(keys) if key}
            records.append(_Record(row, values))
    if not records and not errors:
        raise _FileProblem(RowError(0, "", "the file has a header but no records under it"))
    return records, errors


# ---------------------------------------------------------------------------------------
# Checking values


class _Row:
    """One record being checked: its values, and the problems found so far."""

    def __init__(self, record: _Record) -> None:
        self.row = record.row
        self.values = record.values
        self.errors: list[RowError] = []

    def error(self, column: str, problem: str) -> None:
        self.errors.append(RowError(self.row, column, problem))

    def text(self, column: str, *, required: bool, max_length: int) -> str | None:
        value = unicodedata.normalize("NFC", self.values[column])
        value = " ".join(value.split())
        if not value:
            if required:
                self.error(column, f"{column} is required")
            return None
        if any(unicodedata.category(char) == "Cc" for char in value):
            self.error(column, f"{column} contains a control character")
            return None
        if len(value) > max_length:
            self.error(column, f"{column} is longer than {max_length} characters")
            return None
        return value

    def choice(
        self,
        column: str,
        allowed: Sequence[str],
        normalise: Callable[[str], str],
        aliases: Mapping[str, str] | None = None,
    ) -> str | None:
        raw = self.values[column]
        if not raw:
            self.error(column, f"{column} is required; it is one of: {', '.join(allowed)}")
            return None
        key = normalise(raw)
        key = (aliases or {}).get(key, key)
        by_key = {normalise(option): option for option in allowed}
        if key not in by_key:
            self.error(column, f"{column} is not one of: {', '.join(allowed)}")
            return None
        return by_key[key]

    def mobile(self, column: str) -> str | None:
        raw = self.values[column]
        if not raw:
            return None
        number, problem = parse_uk_mobile(raw)
        if problem:
            self.error(column, f"{column} {problem}")
        return number

    def date(self, column: str, *, required: bool) -> dt.date | None:
        raw = self.values[column]
        if not raw:
            if required:
                self.error(column, f"{column} is required (YYYY-MM-DD or DD/MM/YYYY)")
            return None
        value, problem = parse_date(raw)
        if problem:
            self.error(column, f"{column} {problem}")
        return value

    def flag(self, column: str) -> bool:
        raw = self.values[column].lower()
        if raw in _YES:
            return True
        if raw not in _NO:
            self.error(column, f"{column} must be Y or N (or yes/no, true/false, 1/0; blank is N)")
        return False


def _snake(value: str) -> str:
    return linear_re.compile(_SEPARATORS).sub("_", value.strip().lower())


def _folded(value: str) -> str:
    return value.strip().casefold()


def parse_uk_mobile(raw: str) -> tuple[str | None, str | None]:
    """Read a UK mobile number written in any common way.

    Args:
        raw: The number as typed: ``07700 900123``, ``+44 (0)7700 900123``,
            ``0044 7700 900123``, ``7700900123`` (Excel drops the leading 0)...

    Returns:
        The number in E.164 form (``+447700900123``) and ``None``, or ``None`` and what is
        wrong, worded to follow the column name and without the number itself.

    """
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None, "is not a valid UK mobile number"
    if number.country_code != 44:
        return None, "is not a UK number (UK mobiles start 07 or +44 7)"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.national_number in DRAMA_NUMBERS and not number.italian_leading_zero:
        return e164, None
    if not phonenumbers.is_valid_number(number):
        return None, "is not a valid UK mobile number"
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return e164, None
    if kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None, "is a landline number, not a mobile"
    return None, "is not a mobile number (UK mobiles start 07 or +44 7)"


def parse_date(raw: str) -> tuple[dt.date | None, str | None]:
    """Read a date written ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

    Returns:
        The date and ``None``, or ``None`` and what is wrong (to follow the column name).

    """
    raw = raw.strip()
    iso = linear_re.compile(_ISO_DATE).fullmatch(raw)
    uk = linear_re.compile(_UK_DATE).fullmatch(raw)
    if iso:
        year, month, day = (int(part or 0) for part in iso.groups())
    elif uk:
        day, month, year = (int(part or 0) for part in uk.groups())
    else:
        return None, "is not a date written YYYY-MM-DD or DD/MM/YYYY"
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, "is not a real date (check the day and month)"


def parse_email(raw: str) -> tuple[str | None, str | None]:
    """Check an email address loosely (one ``@``, a dot in the domain, no spaces)."""
    if len(raw) > MAX_EMAIL:
        return None, f"is longer than {MAX_EMAIL} characters"
    if not linear_re.compile(_EMAIL).fullmatch(raw):
        return None, "is not a valid email address"
    return raw, None


def age_on(date_of_birth: dt.date, today: dt.date) -> int:
    """Age in whole years on ``today``."""
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - int(before_birthday)


def _today(settings: Settings) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


_Checked = Sequence[tuple["_Row", dict[str, Any]]]


def _mark_duplicates(checked: _Checked, column: str, key: str) -> None:
    """Give every row that shares its ``key`` value with other rows an error on ``column``."""
    by_value: dict[Any, list[_Row]] = defaultdict(list)
    for row, values in checked:
        if values[key]:
            by_value[values[key]].append(row)
    for rows in by_value.values():
        if len(rows) < 2:
            continue
        for row in rows:
            others = ", ".join(str(other.row) for other in rows if other is not row)
            plural = "s" if len(rows) > 2 else ""
            row.error(
                column, f"{column} is the same as on row{plural} {others}; each must be unique"
            )


# ---------------------------------------------------------------------------------------
# Staff


def _check_staff(record: _Record, settings: Settings) -> tuple[_Row, dict[str, Any]]:
    row = _Row(record)
    ref = row.text("staff_id", required=True, max_length=MAX_REF)
    name = row.text("name", required=True, max_length=MAX_STAFF_NAME)
    role = row.choice("role", ROLES, _snake, ROLE_ALIASES)
    district = row.choice("district", settings.districts, _folded)
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
        records, row_errors = _parse(_read_text(source), STAFF_COLUMNS)
    except _FileProblem as problem:
        return ImportReport(kind, errors=problem.errors)
    checked = [_check_staff(record, settings) for record in records]
    _mark_duplicates(checked, "staff_id", "external_ref")
    with engine.begin() as conn:
        existing = _existing(conn, staff)
        return _write(
            conn,
            _Plan(kind, staff, STAFF_COLUMNS, checked, row_errors, existing),
            only_good_rows=only_good_rows,
        )


# ---------------------------------------------------------------------------------------
# Care leavers


def _check_care_leaver(
    record: _Record, settings: Settings, today: dt.date, staff_ids: Mapping[str, int]
) -> tuple[_Row, dict[str, Any]]:
    row = _Row(record)
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
    status = row.choice("legal_status", STATUSES, _snake)
    district = row.choice("district", settings.districts, _folded)
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
        records, row_errors = _parse(_read_text(source), CARE_LEAVER_COLUMNS)
    except _FileProblem as problem:
        return ImportReport(kind, errors=problem.errors)
    today = today or _today(settings)
    with engine.begin() as conn:
        staff_ids = {
            r.external_ref: r.id for r in conn.execute(sa.select(staff.c.id, staff.c.external_ref))
        }
        existing = _existing(conn, care_leavers)
        checked = [_check_care_leaver(r, settings, today, staff_ids) for r in records]
        _mark_duplicates(checked, "person_id", "external_ref")
        _mark_duplicates(checked, "mobile", "mobile")
        _check_mobiles_against_database(checked, existing, only_good_rows=only_good_rows)
        for _, values in checked:
            old = existing.get(values["external_ref"])
            if old is not None:
                values["circumstances"] = _merge_circumstances(
                    values["circumstances"], old["circumstances"]
                )
        return _write(
            conn,
            _Plan(kind, care_leavers, CARE_LEAVER_COLUMNS, checked, row_errors, existing),
            only_good_rows=only_good_rows,
        )


def _check_mobiles_against_database(
    checked: _Checked, existing: Mapping[str, Mapping[str, Any]], *, only_good_rows: bool
) -> None:
    """Give an error to every row whose mobile belongs to someone the import leaves alone.

    The people left alone are those not in the file and, when only the good rows are
    written, those whose rows have problems: their records keep their mobile. Skipping
    a row can make another good row clash, so that part repeats until nothing changes.
    """

    def clash(rows: _Checked, written: set[Any]) -> bool:
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


# ---------------------------------------------------------------------------------------
# Writing


def _existing(conn: Connection, table: sa.Table) -> dict[str, Mapping[str, Any]]:
    """Every record of ``table``, by external reference (a council has thousands at most)."""
    columns = [c for c in table.c if c.name not in ("created_at", "updated_at", "active")]
    return {r.external_ref: r._mapping for r in conn.execute(sa.select(*columns))}


@dataclasses.dataclass(frozen=True)
class _Plan:
    kind: str
    table: sa.Table
    columns: Sequence[str]
    checked: _Checked
    row_errors: Sequence[RowError]
    existing: Mapping[str, Mapping[str, Any]]


def _write(conn: Connection, plan: _Plan, *, only_good_rows: bool) -> ImportReport:
    """Write the good rows: all rows, or none if any is bad and not ``only_good_rows``."""
    order = {column: index for index, column in enumerate(plan.columns)}
    errors = sorted(
        [*plan.row_errors, *(e for row, _ in plan.checked for e in row.errors)],
        key=lambda e: (e.row, order.get(e.column, -1)),
    )
    bad_rows = {e.row for e in errors}
    rows = len(plan.checked) + len({e.row for e in plan.row_errors})
    good = [values for row, values in plan.checked if not row.errors]
    if (errors and not only_good_rows) or not good:
        return ImportReport(
            plan.kind, rows=rows, skipped_bad=len(bad_rows), errors=tuple(errors), written=False
        )
    table = plan.table
    now = naive_utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    moving: list[int] = []
    unchanged = 0
    kept_erased = 0
    for values in good:
        old = plan.existing.get(values["external_ref"])
        if old is None:
            inserts.append({**values, "created_at": now, "updated_at": now})
        elif old.get("erased_at") is not None:
            kept_erased += 1
        elif all(old[key] == value for key, value in values.items()):
            unchanged += 1
        else:
            updates.append((old["id"], {**values, "updated_at": now}))
            if old["mobile"] and old["mobile"] != values["mobile"]:
                moving.append(old["id"])
    if table is care_leavers:
        # A care leaver's mobile is unique: clear the ones changing first, so that two
        # people swapping numbers do not clash half-way through.
        for start in range(0, len(moving), 500):
            chunk = moving[start : start + 500]
            conn.execute(table.update().where(table.c.id.in_(chunk)).values(mobile=None))
    for record_id, values in updates:
        conn.execute(table.update().where(table.c.id == record_id).values(**values))
    moved = 0
    if table is care_leavers:
        moved = _move_open_items(conn, updates, plan.existing)
    if inserts:
        conn.execute(table.insert(), inserts)
    return ImportReport(
        plan.kind,
        rows=rows,
        inserted=len(inserts),
        updated=len(updates),
        unchanged=unchanged,
        skipped_bad=len(bad_rows),
        kept_erased=kept_erased,
        moved_items=moved,
        errors=tuple(errors),
        written=True,
    )


MOVE_REASON = "their PA or district changed in the care leavers import"


def _move_open_items(
    conn: Connection,
    updates: Sequence[tuple[int, Mapping[str, Any]]],
    existing: Mapping[str, Mapping[str, Any]],
) -> int:
    """Give the open items of everyone whose PA or district changed to their PA now."""
    by_id = {old["id"]: old for old in existing.values()}
    now = dt.datetime.now(dt.timezone.utc)
    moved = 0
    for record_id, values in updates:
        old = by_id[record_id]
        if old["adviser_id"] == values["adviser_id"] and old["district"] == values["district"]:
            continue
        moved += follow_young_person(
            conn,
            record_id,
            adviser_id=values["adviser_id"],
            district=values["district"],
            now=now,
            reason=MOVE_REASON,
        ).total
    return moved
