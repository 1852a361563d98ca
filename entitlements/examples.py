"""Adds example questions to a published entry, as a new published version.

Example questions change which questions find an entry, never what the bot says to
a young person, so adding one is published at once (see ``docs/content.md`` for why
it needs no second person). Everything else about the entry is kept as published.

The change is made in the caller's transaction, and the entry's row is written
first, so two people adding examples to the same entry at once are done one after
the other: neither loses the other's example.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from entitlements.model import Entitlement
from entitlements.store import entitlements_table, publish_one, versions_table

MAX_EXAMPLE = 200
"""Longest example question taken, in characters (a long SMS is about 160)."""

ORIGIN = "example"
"""``kb_versions.origin`` of a version made by adding example questions."""
NOTE = "Example questions added from the unanswered questions."
"""``kb_versions.note`` of such a version."""


class ExampleError(ValueError):
    """An example question cannot be added; the message says why, in plain words."""


@dataclasses.dataclass(frozen=True)
class ExamplesAdded:
    """What adding example questions did."""

    entry_id: str
    title: str
    version: int
    added: tuple[str, ...]
    revision: int


def clean_example(text: str) -> str:
    """An example as it is stored: runs of white space made one space, ends trimmed."""
    return " ".join(text.split())


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _published_entries(conn: Connection) -> dict[str, Entitlement]:
    query = sa.select(versions_table.c.entitlement_id, versions_table.c.document).select_from(
        entitlements_table.join(
            versions_table,
            sa.and_(
                versions_table.c.entitlement_id == entitlements_table.c.id,
                versions_table.c.version == entitlements_table.c.published_version,
            ),
        )
    )
    return {
        row.entitlement_id: Entitlement.from_document(json.loads(row.document))
        for row in conn.execute(query)
    }


def add_examples(
    conn: Connection,
    entry_id: str,
    examples: Iterable[str],
    *,
    actor: str | None,
    now: dt.datetime,
) -> ExamplesAdded:
    """Publish a new version of ``entry_id`` with ``examples`` added to its examples.

    Examples the entry already has (ignoring case and spacing) are left out; if that
    leaves none, nothing changes and :class:`ExampleError` says so.

    Args:
        conn: A connection in a transaction (the caller commits).
        entry_id: The published entry to add to.
        examples: The example questions, as staff worded them.
        actor: Who added them (stored as the version's ``created_by``).
        now: When (naive UTC).

    Returns:
        The new version, what was added, and the new content revision.

    Raises:
        ExampleError: The entry is not published, an example is empty or too long, or
            it is already an example or synonym of another entry (a question can point
            to one entry only), or the entry already has them all.

    """
    wanted: list[str] = []
    for raw in examples:
        example = clean_example(raw)
        if not example:
            raise ExampleError("The example question is empty.")
        if len(example) > MAX_EXAMPLE:
            raise ExampleError(
                f"The example question is {len(example)} characters long; "
                f"the most allowed is {MAX_EXAMPLE}. Shorten it."
            )
        if _key(example) not in {_key(w) for w in wanted}:
            wanted.append(example)
    if not wanted:
        raise ExampleError("Give at least one example question.")

    # Write the entry's row first: this takes its lock (PostgreSQL) or the database's
    # write lock (SQLite) before anything is read, so concurrent additions queue up.
    locked = conn.execute(
        entitlements_table.update()
        .where(entitlements_table.c.id == entry_id)
        .where(entitlements_table.c.published_version.isnot(None))
        .values(updated_at=now)
    )
    if locked.rowcount != 1:
        raise ExampleError(f"There is no published entry {entry_id!r}.")

    entries = _published_entries(conn)
    entry = entries[entry_id]
    owners: dict[str, str] = {}
    for other in entries.values():
        if other.id != entry_id:
            owners.update({_key(phrase): other.id for phrase in (*other.examples, *other.synonyms)})
    own = {_key(phrase) for phrase in (*entry.examples, *entry.synonyms)}
    added: list[str] = []
    for example in wanted:
        owner = owners.get(_key(example))
        if owner is not None:
            raise ExampleError(
                f"{example!r} is already an example or synonym of {owner}; "
                "a question can only point to one entry."
            )
        if _key(example) not in own:
            added.append(example)
    if not added:
        raise ExampleError(f"{entry.title} already has that example question.")

    published = conn.execute(
        sa.select(entitlements_table.c.published_version).where(entitlements_table.c.id == entry_id)
    ).scalar_one()
    version, revision = publish_one(
        conn,
        dataclasses.replace(entry, examples=(*entry.examples, *added)),
        origin=ORIGIN,
        actor=actor,
        note=NOTE,
        expected_version=published,
        now=now,
    )
    return ExamplesAdded(
        entry_id=entry_id,
        title=entry.title,
        version=version,
        added=tuple(added),
        revision=revision,
    )
