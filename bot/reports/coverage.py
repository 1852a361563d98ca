"""Coverage of the entitlements pack, for the weekly report: who has had theirs.

Counted as of a moment, from the records alone (``care_leavers`` and ``packs``), so
the figures for an ended week do not change: a care leaver counts once they are on
record by then, a pack once it was sent (or given on paper) by then, an
acknowledgement once it came by then. The ids of those with no pack are listed so
managers can act on them; the report shows them to staff only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.reports.figures import COUNCIL
from bot.store.tables.packs import packs
from bot.store.tables.people import care_leavers


@dataclasses.dataclass(frozen=True)
class Coverage:
    """One scope's pack coverage.

    Attributes:
        scope: ``"council"`` or a district.
        care_leavers: Care leavers on record.
        sent: Of them, how many have been sent (or given) a pack.
        acknowledged: Of them, how many said they got one (replied GOT IT).
        without_pack: The ids of those who have had no pack, in id order.
    """

    scope: str
    care_leavers: int
    sent: int
    acknowledged: int
    without_pack: tuple[int, ...]


def pack_coverage(engine: Engine, as_of: dt.datetime) -> dict[str, Coverage]:
    """Pack coverage at ``as_of`` (aware UTC), for the council and for each district.

    Returns:
        By scope: ``"council"`` first, then each district on record, sorted.
    """
    with engine.connect() as conn:
        people = conn.execute(
            sa.select(care_leavers.c.id, care_leavers.c.district)
            .where(care_leavers.c.created_at <= as_of, care_leavers.c.erased_at.is_(None))
            .order_by(care_leavers.c.id)
        ).all()
        sent = {
            row[0]
            for row in conn.execute(
                sa.select(packs.c.care_leaver_id).where(
                    packs.c.sent_at.is_not(None), packs.c.sent_at <= as_of
                )
            )
        }
        acknowledged = {
            row[0]
            for row in conn.execute(
                sa.select(packs.c.care_leaver_id).where(
                    packs.c.acknowledged_at.is_not(None), packs.c.acknowledged_at <= as_of
                )
            )
        }
    scopes: dict[str, list[int]] = {COUNCIL: []}
    for person_id, district in people:
        scopes[COUNCIL].append(person_id)
        scopes.setdefault(district, []).append(person_id)
    ordered = [COUNCIL, *sorted(s for s in scopes if s != COUNCIL)]
    return {
        scope: Coverage(
            scope=scope,
            care_leavers=len(scopes[scope]),
            sent=sum(1 for i in scopes[scope] if i in sent),
            acknowledged=sum(1 for i in scopes[scope] if i in acknowledged),
            without_pack=tuple(i for i in scopes[scope] if i not in sent),
        )
        for scope in ordered
    }
