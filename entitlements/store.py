"""Keeps the knowledge base in the database: every version of every entry.

Tables (SQLAlchemy 1.4 Core, created by the project's Alembic migrations):

- ``kb_entitlements``: one row per entry, pointing at its published version;
- ``kb_versions``: every version ever loaded or edited, never deleted;
- ``kb_state``: one row whose ``revision`` goes up on every publish, so a
  running bot can see cheaply that content changed and reload it;
- ``kb_drafts`` and ``kb_draft_events``: changes staff make in the console, on their
  way from draft to published, and every step each took (see
  :mod:`entitlements.workflow`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from entitlements.model import Entitlement

metadata = sa.MetaData()

entitlements_table = sa.Table(
    "kb_entitlements",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("published_version", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

versions_table = sa.Table(
    "kb_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entitlement_id", sa.String(80), sa.ForeignKey("kb_entitlements.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("origin", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(120), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # Why this version was made, in staff's words (console publishes and rollbacks).
    sa.Column("note", sa.Text, nullable=True),
    sa.UniqueConstraint("entitlement_id", "version", name="uq_kb_versions_entry_version"),
)

state_table = sa.Table(
    "kb_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


drafts_table = sa.Table(
    "kb_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Not a foreign key: a new entry has no kb_entitlements row until it is published.
    sa.Column("entitlement_id", sa.String(80), nullable=False, index=True),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("is_new", sa.Boolean, nullable=False),
    # The published version the draft started from (None for a new entry).
    sa.Column("base_version", sa.Integer, nullable=True),
    # The entry as a content file holds it (JSON), without ``scope``.
    sa.Column("document", sa.Text, nullable=False),
    # draft, submitted, approved, published or discarded.
    sa.Column("state", sa.String(16), nullable=False),
    # The entry's id while the draft is open, else NULL: one open draft per entry.
    sa.Column("open_key", sa.String(80), nullable=True, unique=True),
    # Staff ids (the console's); the knowledge base knows nothing else about them.
    sa.Column("author_id", sa.Integer, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("approved_by", sa.Integer, nullable=True),
    sa.Column("published_version", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

draft_events_table = sa.Table(
    "kb_draft_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("draft_id", sa.Integer, sa.ForeignKey("kb_drafts.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    # created, edited, submitted, approved, changes_requested, published, discarded.
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.Integer, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
)


@dataclasses.dataclass(frozen=True)
class PublishReport:
    """What a publish changed."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    retired: tuple[str, ...]
    revision: int

    @property
    def changed(self) -> bool:
        """True if any entry was added, changed or retired."""
        return bool(self.added or self.updated or self.retired)


def _as_stored(moment: dt.datetime) -> dt.datetime:
    """``moment`` as these tables keep times: naive UTC (a naive time is taken as UTC).

    This package must not import ``bot`` (so not ``bot.clock``): the caller passes the
    time in, from the one clock, and this is the one conversion.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def document_hash(document: dict[str, Any]) -> str:
    """A stable fingerprint of an entry's content."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish_entries(
    engine: Engine,
    entries: Iterable[Entitlement],
    *,
    origin: str,
    actor: str | None = None,
    retire_missing: bool = True,
    now: dt.datetime,
) -> PublishReport:
    """Publish a whole set of entries in one transaction.

    An entry whose content is unchanged keeps its version; a changed one gets a
    new version, which becomes the published one. With ``retire_missing``, an
    entry no longer in the set stops being published (its versions are kept).

    Args:
        engine: The project's database.
        entries: The validated entries to publish.
        origin: Where they came from, e.g. ``files`` or ``console``.
        actor: Who published them, if a person did.
        retire_missing: Unpublish entries that are not in ``entries``.
        now: When (aware, from the caller's clock; naive is taken as UTC).

    Returns:
        What changed, and the new content revision.

    """
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    retired: list[str] = []
    now = _as_stored(now)
    with engine.begin() as conn:
        current = _published_hashes(conn)
        existing_ids = {row.id for row in conn.execute(sa.select(entitlements_table.c.id))}
        seen: set[str] = set()
        for entry in entries:
            seen.add(entry.id)
            document = entry.to_document()
            digest = document_hash(document)
            if current.get(entry.id) == digest:
                unchanged.append(entry.id)
                continue
            if entry.id not in existing_ids:
                conn.execute(
                    entitlements_table.insert().values(
                        id=entry.id,
                        scope=entry.scope,
                        title=entry.title,
                        published_version=None,
                        created_at=now,
                        updated_at=now,
                    )
                )
                added.append(entry.id)
            else:
                updated.append(entry.id)
            last = conn.execute(
                sa.select(sa.func.max(versions_table.c.version)).where(
                    versions_table.c.entitlement_id == entry.id
                )
            ).scalar()
            version = (last or 0) + 1
            conn.execute(
                versions_table.insert().values(
                    entitlement_id=entry.id,
                    version=version,
                    document=json.dumps(document, ensure_ascii=False),
                    content_hash=digest,
                    origin=origin,
                    created_by=actor,
                    created_at=now,
                )
            )
            conn.execute(
                entitlements_table.update()
                .where(entitlements_table.c.id == entry.id)
                .values(
                    published_version=version, scope=entry.scope, title=entry.title, updated_at=now
                )
            )
        if retire_missing:
            for entry_id in sorted(set(current) - seen):
                conn.execute(
                    entitlements_table.update()
                    .where(entitlements_table.c.id == entry_id)
                    .values(published_version=None, updated_at=now)
                )
                retired.append(entry_id)
        revision = _current_revision(conn)
        if added or updated or retired:
            revision = _bump_revision(conn, now)
    return PublishReport(
        added=tuple(added),
        updated=tuple(updated),
        unchanged=tuple(unchanged),
        retired=tuple(retired),
        revision=revision,
    )


class PublishConflictError(Exception):
    """The entry's published version is not the one the change was made against."""


def publish_one(
    conn: Connection,
    entry: Entitlement,
    *,
    origin: str,
    actor: str | None,
    note: str | None,
    expected_version: int | None,
    now: dt.datetime,
) -> tuple[int, int]:
    """Publish one entry as a new version, in the caller's transaction.

    The entry's published version is changed only if it is still
    ``expected_version`` (``None``: the entry must not be published, or not exist),
    so two people publishing at once cannot both succeed, and nobody overwrites a
    change they have not seen. The content revision goes up, so the bot reloads.

    Args:
        conn: A connection in a transaction (committed or rolled back by the caller).
        entry: The validated entry.
        origin: Where it came from, e.g. ``console`` or ``rollback``.
        actor: Who published it.
        note: Why, in staff's words.
        expected_version: The published version the change was made against.
        now: When (naive UTC).

    Returns:
        The new version number and the new content revision.

    Raises:
        PublishConflictError: The published version is no longer ``expected_version``.

    """
    current = (
        entitlements_table.c.published_version.is_(None)
        if expected_version is None
        else entitlements_table.c.published_version == expected_version
    )
    # The first write of the transaction: it takes the row's lock, and compares and sets.
    claimed = conn.execute(
        entitlements_table.update()
        .where(entitlements_table.c.id == entry.id, current)
        .values(scope=entry.scope, title=entry.title, updated_at=now)
    )
    if claimed.rowcount != 1:
        exists = conn.execute(
            sa.select(entitlements_table.c.id).where(entitlements_table.c.id == entry.id)
        ).first()
        if exists is not None or expected_version is not None:
            raise PublishConflictError(f"{entry.id} was changed by someone else just now")
        conn.execute(
            entitlements_table.insert().values(
                id=entry.id,
                scope=entry.scope,
                title=entry.title,
                published_version=None,
                created_at=now,
                updated_at=now,
            )
        )
    last = conn.execute(
        sa.select(sa.func.max(versions_table.c.version)).where(
            versions_table.c.entitlement_id == entry.id
        )
    ).scalar()
    version = int(last or 0) + 1
    conn.execute(
        entitlements_table.update()
        .where(entitlements_table.c.id == entry.id)
        .values(published_version=version)
    )
    document = entry.to_document()
    conn.execute(
        versions_table.insert().values(
            entitlement_id=entry.id,
            version=version,
            document=json.dumps(document, ensure_ascii=False),
            content_hash=document_hash(document),
            origin=origin,
            created_by=actor,
            created_at=now,
            note=note,
        )
    )
    return version, _bump_revision(conn, now)


def _published_hashes(conn: Connection) -> dict[str, str]:
    query = sa.select(entitlements_table.c.id, versions_table.c.content_hash).select_from(
        entitlements_table.join(
            versions_table,
            sa.and_(
                versions_table.c.entitlement_id == entitlements_table.c.id,
                versions_table.c.version == entitlements_table.c.published_version,
            ),
        )
    )
    return {row.id: row.content_hash for row in conn.execute(query)}


def _current_revision(conn: Connection) -> int:
    value = conn.execute(sa.select(state_table.c.revision).where(state_table.c.id == 1)).scalar()
    return int(value or 0)


def _bump_revision(conn: Connection, now: dt.datetime) -> int:
    updated = conn.execute(
        state_table.update()
        .where(state_table.c.id == 1)
        .values(revision=state_table.c.revision + 1, updated_at=now)
    )
    if updated.rowcount == 0:
        conn.execute(state_table.insert().values(id=1, revision=1, updated_at=now))
    return _current_revision(conn)


def current_revision(engine: Engine) -> int:
    """The content revision: it changes whenever published content changes."""
    with engine.connect() as conn:
        return _current_revision(conn)


def read_published(engine: Engine) -> tuple[int, list[Entitlement]]:
    """Read every published entry, and the revision they belong to.

    Returns:
        The revision and the entries, sorted by id.

    """
    query = (
        sa.select(versions_table.c.document)
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
    # One transaction: the revision and the entries it describes agree.
    with engine.connect() as conn, conn.begin():
        revision = _current_revision(conn)
        documents = [json.loads(row.document) for row in conn.execute(query)]
    return revision, [Entitlement.from_document(doc) for doc in documents]


def changed_outside_files(engine: Engine) -> bool:
    """True once any version came from somewhere other than the content files.

    That is, staff published, rolled back, attached an example or imported content
    in the console. From then on the database, not the files, is the content's
    record: ``make run`` stops loading the files over it.
    """
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(versions_table.c.id).where(versions_table.c.origin != "files").limit(1)
        ).first()
    return found is not None
