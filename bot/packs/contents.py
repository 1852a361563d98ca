"""What goes in a care leaver's pack: the entitlements that apply, from the published content.

The same rules as the personal answers (:func:`bot.personal.profile_of` and
:func:`entitlements.eligibility.applicable`): only a "yes" goes in the list of what
they can get; an entry the rules cannot decide from the record ("ask your PA") is
named separately as one to ask about, never stated as a yes. Each entry is kept with
its published version, so the page always shows what was sent, and a later content
change can be compared with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.people.identity import CareLeaver
from bot.personal import ordinal, profile_of
from entitlements.eligibility import applicable, evaluate
from entitlements.model import Entitlement
from entitlements.store import entitlements_table, state_table, versions_table


@dataclasses.dataclass(frozen=True)
class Published:
    """The published content at one revision: entries and their version numbers."""

    revision: int
    entries: dict[str, Entitlement]
    versions: dict[str, int]


def read_published(engine: Engine) -> Published:
    """Every published entry with its version, and the revision (one transaction)."""
    query = (
        sa.select(versions_table.c.document, versions_table.c.version)
        .select_from(
            entitlements_table.join(
                versions_table,
                sa.and_(
                    versions_table.c.entitlement_id == entitlements_table.c.id,
                    versions_table.c.version == entitlements_table.c.published_version,
                ),
            )
        )
        .order_by(entitlements_table.c.id)
    )
    with engine.connect() as conn, conn.begin():
        revision = conn.execute(sa.select(state_table.c.revision).where(state_table.c.id == 1))
        number = int(revision.scalar() or 0)
        rows = conn.execute(query).all()
    entries: dict[str, Entitlement] = {}
    versions: dict[str, int] = {}
    for row in rows:
        entry = Entitlement.from_document(json.loads(row.document))
        entries[entry.id] = entry
        versions[entry.id] = int(row.version)
    return Published(number, entries, versions)


@dataclasses.dataclass(frozen=True)
class PackContents:
    """What a pack holds: (id, version, rule number) that apply, and (id, version) to ask about."""

    applies: tuple[tuple[str, int, int], ...]
    ask: tuple[tuple[str, int], ...]
    revision: int

    def fingerprint(self) -> frozenset[tuple[str, int]]:
        """The entries that apply and their versions (what a content change is compared on)."""
        return frozenset((entry_id, version) for entry_id, version, _ in self.applies)

    def to_json(self) -> str:
        """As stored in ``packs.contents``."""
        return json.dumps(
            {
                "applies": [{"id": i, "version": v, "rule": r} for i, v, r in self.applies],
                "ask": [{"id": i, "version": v} for i, v in self.ask],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str, revision: int) -> PackContents:
        """Read ``packs.contents`` back."""
        data: dict[str, Any] = json.loads(text)
        return cls(
            applies=tuple(
                (str(a["id"]), int(a["version"]), int(a["rule"])) for a in data["applies"]
            ),
            ask=tuple((str(a["id"]), int(a["version"])) for a in data["ask"]),
            revision=revision,
        )


def contents_for(person: CareLeaver, published: Published, on: dt.date) -> PackContents:
    """What applies to ``person`` on ``on``, most useful first, and what to ask the PA about."""
    profile = profile_of(person, on)
    entries = list(published.entries.values())
    applies = []
    for entry, verdict in applicable(entries, profile, on):
        rule = entry.eligibility.rules.index(verdict.rule) if verdict.rule is not None else -1
        applies.append((entry.id, published.versions[entry.id], rule))
    ask = [
        (entry.id, published.versions[entry.id])
        for entry in sorted(entries, key=lambda e: e.title)
        if evaluate(entry, profile, on).applies == "unknown"
    ]
    return PackContents(tuple(applies), tuple(ask), published.revision)


@dataclasses.dataclass(frozen=True)
class PackItem:
    """One entitlement as the pack page shows it."""

    id: str
    title: str
    summary: str
    how_to_get: str
    until: str
    note: str


@dataclasses.dataclass(frozen=True)
class PackView:
    """Everything a pack page shows: nothing that says whose pack it is."""

    items: tuple[PackItem, ...]
    ask: tuple[str, ...]
    made_on: dt.date


def _documents(conn: Connection, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    pairs = sorted(set(wanted))
    if not pairs:
        return {}
    rows = conn.execute(
        sa.select(
            versions_table.c.entitlement_id, versions_table.c.version, versions_table.c.document
        ).where(
            sa.or_(
                *(
                    sa.and_(versions_table.c.entitlement_id == i, versions_table.c.version == v)
                    for i, v in pairs
                )
            )
        )
    ).all()
    return {(row.entitlement_id, row.version): json.loads(row.document) for row in rows}


def view_of(conn: Connection, contents: PackContents, made_on: dt.date) -> PackView:
    """The page's view of a pack, from the content versions it was made with."""
    documents = _documents(conn, [(i, v) for i, v, _ in contents.applies] + list(contents.ask))
    items = []
    for entry_id, version, rule_number in contents.applies:
        document = documents.get((entry_id, version))
        if document is None:
            continue
        entry = Entitlement.from_document(document)
        rules = entry.eligibility.rules
        rule = rules[rule_number] if 0 <= rule_number < len(rules) else None
        until = ""
        if rule is not None and rule.below_age:
            until = f"You can get this until your {ordinal(rule.below_age)} birthday."
        note = " ".join(rule.note.split()) if rule is not None and rule.note else ""
        items.append(
            PackItem(
                id=entry.id,
                title=entry.title,
                summary=" ".join(entry.summary.split()),
                how_to_get=" ".join(entry.how_to_get.split()),
                until=until,
                note=note,
            )
        )
    ask = tuple(str(documents[(i, v)]["title"]) for i, v in contents.ask if (i, v) in documents)
    return PackView(tuple(items), ask, made_on)
