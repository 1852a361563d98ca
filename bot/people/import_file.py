"""Reading a people import file: its text, its CSV rows and its header.

:func:`read_text` turns a path (or the CSV text itself) into text, refusing Excel
workbooks, UTF-16 and binary files with a plain word on how to save the file properly;
:func:`parse_records` checks the header against the expected columns and splits the rows
into :class:`Record` values keyed by column name. A file that cannot be read at all, or
whose header is wrong, raises :class:`FileProblem` (its rows are then not checked).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot import linear_re
from bot.people.import_report import RowError

# Patterns for bot.linear_re (RE2): an upload is user text. Python's Unicode \s is
# spelled out (linear_re.SPACE).
SEPARATORS = f"[{linear_re.SPACE}\\-]+"
_MAX_SHOWN_COLUMN = 40


class FileProblem(Exception):
    """The file cannot be read as CSV at all, or its header is wrong (rows are not checked)."""

    def __init__(self, *errors: RowError) -> None:
        super().__init__(errors[0].problem)
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class Record:
    """One record of the file: its row number and its values by column name."""

    row: int
    values: dict[str, str]


def read_text(source: Path | str) -> str:
    """The file's text: a path's content decoded as UTF-8, or ``source`` itself."""
    if isinstance(source, str) and "\n" not in source and os.path.isfile(source):
        source = Path(source)
    if isinstance(source, str):
        text = source.removeprefix("\ufeff")
        if "\x00" in text:
            raise FileProblem(RowError(0, "", "this is not a CSV file (it has binary data)"))
        return text
    try:
        data = source.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise FileProblem(RowError(0, "", f"the file cannot be read ({reason})")) from None
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            RowError(
                0,
                "",
                "this is an Excel workbook, not a CSV file: in Excel use "
                "File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(
            RowError(
                0,
                "",
                "the file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8: in Excel use "
                "File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        )
    if b"\x00" in data:
        raise FileProblem(RowError(0, "", "this is not a CSV file (it has binary data)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            RowError(
                line,
                "",
                "the file is not UTF-8 text (the first character that is not is on this "
                "line): in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'",
            )
        ) from None


def _column_key(name: str) -> str:
    return linear_re.compile(SEPARATORS).sub("_", name.strip().lower())


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
            raise FileProblem(
                RowError(row, "", f"the file is not valid CSV here ({exc})")
            ) from None
        yield fields


def parse_records(text: str, columns: Sequence[str]) -> tuple[list[Record], list[RowError]]:
    """Split the file into records keyed by column name.

    Returns:
        The records, and problems with rows that cannot be read as records (too many or
        too few values): those rows are left out.

    Raises:
        FileProblem: The file is empty, is not CSV, or its header is wrong.

    """
    if not text.strip():
        raise FileProblem(RowError(0, "", "the file is empty"))
    rows = _csv_rows(text)
    header = next(rows)
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        raise FileProblem(
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
        raise FileProblem(
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
        raise FileProblem(*header_errors)
    records: list[Record] = []
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
            records.append(Record(row, values))
    if not records and not errors:
        raise FileProblem(RowError(0, "", "the file has a header but no records under it"))
    return records, errors
