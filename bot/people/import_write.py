"""The write step of a people import: every good row inserted or updated in one go.

:func:`write_plan` writes all the checked rows of a :class:`WritePlan`, or none of them if
any has a problem (unless only the good rows are wanted), leaves erased care leavers
erased, and moves the open items of young people whose PA or district changed
(:func:`bot.cases.moves.follow_young_person`). It runs inside the import's transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.cases.moves import follow_young_person
from bot.clock import utcnow
from bot.people.import_checks import Checked
from bot.people.import_report import ImportReport, RowError
from bot.store.tables.people import care_leavers


def existing_records(conn: Connection, table: sa.Table) -> dict[str, Mapping[str, Any]]:
    """Every record of ``table``, by external reference (a council has thousands at most)."""
    columns = [c for c in table.c if c.name not in ("created_at", "updated_at", "active")]
    return {r.external_ref: r._mapping for r in conn.execute(sa.select(*columns))}


@dataclasses.dataclass(frozen=True)
class WritePlan:
    """What to write: the checked rows of one file, for one table, and what is there now."""

    kind: str
    table: sa.Table
    columns: Sequence[str]
    checked: Checked
    row_errors: Sequence[RowError]
    existing: Mapping[str, Mapping[str, Any]]


def write_plan(conn: Connection, plan: WritePlan, *, only_good_rows: bool) -> ImportReport:
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
    now = utcnow()
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
    now = utcnow()
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
