"""The care leaver repository: a record on file as the domain's :class:`CareLeaver`.

One mapping from a row of ``care_leavers`` (with their PA's name) to the dataclass,
used by who-is-talking (:mod:`bot.people.identity`) and by packs
(:mod:`bot.packs.service`), so the two can never disagree about what a record says.
An erased record is nobody's: :func:`select_on_record` leaves it out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from bot.store.tables.people import care_leavers, staff


@dataclasses.dataclass(frozen=True)
class CareLeaver:
    """What the bot may use about an identified young person."""

    id: int
    preferred_name: str
    date_of_birth: dt.date
    status: str
    district: str
    circumstances: frozenset[str]
    adviser_name: str | None
    pathway_last_review: dt.date | None
    pathway_next_review: dt.date | None


def select_on_record(*extra: sa.sql.ColumnElement) -> sa.sql.Select:
    """The columns :func:`care_leaver_from_row` needs (and ``extra``), records not erased.

    The PA is outer-joined (``staff``): a record without one still comes back, with
    ``adviser_name`` NULL. Add ``where``, ``join`` and ``order_by`` as needed.
    """
    return (
        sa.select(
            care_leavers.c.id,
            care_leavers.c.preferred_name,
            care_leavers.c.date_of_birth,
            care_leavers.c.status,
            care_leavers.c.district,
            care_leavers.c.circumstances,
            care_leavers.c.pathway_last_review,
            care_leavers.c.pathway_next_review,
            staff.c.name.label("adviser_name"),
            *extra,
        )
        .select_from(care_leavers.outerjoin(staff, staff.c.id == care_leavers.c.adviser_id))
        .where(care_leavers.c.erased_at.is_(None))
    )


def care_leaver_from_row(row: sa.engine.Row) -> CareLeaver:
    """A :class:`CareLeaver` from a row of :func:`select_on_record`."""
    return CareLeaver(
        id=row.id,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        status=row.status,
        district=row.district,
        circumstances=frozenset(c for c in (row.circumstances or "").split(",") if c),
        adviser_name=row.adviser_name,
        pathway_last_review=row.pathway_last_review,
        pathway_next_review=row.pathway_next_review,
    )
