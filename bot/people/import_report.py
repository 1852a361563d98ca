"""What a people import did: the problems it found and the counts it reports.

:class:`RowError` is one problem, named by row and column without repeating the row's
values; :class:`ImportReport` is what :func:`bot.people.importer.import_staff` and
:func:`bot.people.importer.import_care_leavers` return, with the one-line summary staff
read.
"""

from __future__ import annotations

import dataclasses


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
