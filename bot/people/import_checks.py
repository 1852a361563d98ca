"""Checking the values of a people import's rows, one column at a time.

:class:`Row` collects the problems of one record as its values are read (text, a choice
from a list, a UK mobile, a date, a yes/no flag); the ``parse_*`` functions read one value
and say what is wrong without repeating it; :func:`mark_duplicates` finds values that must
be unique in a file.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import phonenumbers

from bot import linear_re
from bot.people.import_file import SEPARATORS, Record
from bot.people.import_report import RowError
from bot.people.phones import DRAMA_NUMBERS

MAX_EMAIL = 254


_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"", "n", "no", "false", "0"})
# Patterns for bot.linear_re (RE2): an upload is user text. Python's Unicode \s is
# spelled out (linear_re.SPACE); \d is ASCII digits only.
_ISO_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_UK_DATE = r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"
_EMAIL = f"[^@{linear_re.SPACE}]+@[^@{linear_re.SPACE}]+\\.[^@{linear_re.SPACE}.]+"


class Row:
    """One record being checked: its values, and the problems found so far."""

    def __init__(self, record: Record) -> None:
        self.row = record.row
        self.values = record.values
        self.errors: list[RowError] = []

    def error(self, column: str, problem: str) -> None:
        """Record a problem with ``column`` on this row."""
        self.errors.append(RowError(self.row, column, problem))

    def text(self, column: str, *, required: bool, max_length: int) -> str | None:
        """The column's text, spaces tidied, or ``None`` if empty or wrong."""
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
        """The column's value as spelled in ``allowed``, or ``None`` if empty or wrong."""
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
        """The column's UK mobile in E.164 form, or ``None`` if empty or wrong."""
        raw = self.values[column]
        if not raw:
            return None
        number, problem = parse_uk_mobile(raw)
        if problem:
            self.error(column, f"{column} {problem}")
        return number

    def date(self, column: str, *, required: bool) -> dt.date | None:
        """The column's date, or ``None`` if empty or wrong."""
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
        """The column's yes/no value (blank is no)."""
        raw = self.values[column].lower()
        if raw in _YES:
            return True
        if raw not in _NO:
            self.error(column, f"{column} must be Y or N (or yes/no, true/false, 1/0; blank is N)")
        return False


def snake(value: str) -> str:
    """``value`` lower-cased, with runs of spaces and hyphens as one underscore."""
    return linear_re.compile(SEPARATORS).sub("_", value.strip().lower())


def folded(value: str) -> str:
    """``value`` stripped and case-folded."""
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


Checked = Sequence[tuple["Row", dict[str, Any]]]


def mark_duplicates(checked: Checked, column: str, key: str) -> None:
    """Give every row that shares its ``key`` value with other rows an error on ``column``."""
    by_value: dict[Any, list[Row]] = defaultdict(list)
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
