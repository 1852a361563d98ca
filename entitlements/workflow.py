"""The content workflow: staff change entries in drafts that a second person approves.

A draft holds a whole entry as its content file would (a ``document``), for an entry
that exists or a new one, and moves through these states::

    draft --submit--> submitted --approve--> approved --publish--> published
      ^                  |                      |
      +--request changes-+----------------------+        (draft or submitted --discard--> discarded)

- Only a valid document is saved: it is checked exactly as the YAML loader checks a
  content file (:func:`entitlements.validation.parse_entry`), and its example questions and
  synonyms must not belong to another published entry.
- Nobody who wrote any part of a draft (made it, edited it or submitted it) may approve
  it, ask for changes to it or publish it. That is enforced here, not only in the pages.
- Every state change is a conditional update (``WHERE state = ...``), so when two people
  act at once one succeeds and the other gets :class:`StateError`.
- Publishing writes a new ``kb_versions`` row (origin ``console``) and bumps the content
  revision in one transaction, only if the entry's published version is still the one the
  draft started from (:class:`StaleDraftError` otherwise), so nobody overwrites a change
  they have not seen. The bot picks the revision up within seconds (no retraining).
- A rollback publishes an earlier version's document again as a *new* version (origin
  ``rollback``), with who did it and why: history is never rewritten.

Functions take a :class:`~sqlalchemy.engine.Connection` in a transaction, so the caller
can write its audit log in the same transaction. People are the console's staff ids
(plain integers); this module knows nothing else about them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from entitlements.model import Entitlement
from entitlements.store import (
    PublishConflictError,
    draft_events_table,
    drafts_table,
    entitlements_table,
    publish_one,
    versions_table,
)
from entitlements.validation import Problem, parse_entry

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
PUBLISHED = "published"
DISCARDED = "discarded"
OPEN_STATES: tuple[str, ...] = (DRAFT, SUBMITTED, APPROVED)
STATE_NAMES: dict[str, str] = {
    DRAFT: "Draft",
    SUBMITTED: "Waiting for approval",
    APPROVED: "Approved, not yet published",
    PUBLISHED: "Published",
    DISCARDED: "Discarded",
}
WRITING_ACTIONS = frozenset({"created", "edited", "submitted"})
"""Steps that make someone an author of a draft."""

REVIEW_WINDOW_DAYS = 30
MAX_NOTE = 1000
MAX_ID = 2**31 - 1
"""The largest id or version number the database's integers hold."""
NEW_SCOPE = "local"
"""New entries are the council's own (national ids are fixed by ``topics.yaml``)."""


class WorkflowError(Exception):
    """A change the workflow refuses; the message is plain words for staff."""


class NotFoundError(WorkflowError):
    """No such draft, entry or version."""


class StateError(WorkflowError):
    """The draft is not in a state that allows this (someone may have just changed it)."""


class OwnWorkError(WorkflowError):
    """Someone tried to approve, review or publish a draft they wrote."""


class StaleDraftError(WorkflowError):
    """The published entry changed after the draft was started."""


class InvalidDocumentError(WorkflowError):
    """The document has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(str(p) for p in problems))


@dataclasses.dataclass(frozen=True)
class Draft:
    """A change to one entry on its way to being published."""

    id: int
    entitlement_id: str
    scope: str
    is_new: bool
    base_version: int | None
    document: dict[str, Any]
    state: str
    author_id: int
    note: str
    comment: str | None
    approved_by: int | None
    published_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def is_open(self) -> bool:
        """True until it is published or discarded."""
        return self.state in OPEN_STATES


@dataclasses.dataclass(frozen=True)
class DraftEvent:
    """One step of a draft: who did what, when, and any comment."""

    at: dt.datetime
    action: str
    actor_id: int | None
    comment: str | None


@dataclasses.dataclass(frozen=True)
class Version:
    """One version of an entry, as it was published."""

    entitlement_id: str
    version: int
    document: dict[str, Any]
    origin: str
    created_by: str | None
    created_at: dt.datetime
    note: str | None

    @property
    def actor_id(self) -> int | None:
        """The staff id of who published it from the console, if one did."""
        return staff_id_of(self.created_by)


@dataclasses.dataclass(frozen=True)
class EntryRow:
    """One entry in the list: what is published and any open draft."""

    id: str
    title: str
    scope: str
    published_version: int | None
    review_due: dt.date | None
    draft_id: int | None
    draft_state: str | None


@dataclasses.dataclass(frozen=True)
class DueEntry:
    """A published entry whose review date is past or near."""

    id: str
    title: str
    review_due: dt.date
    days_left: int
    owner_id: int | None

    @property
    def overdue(self) -> bool:
        """True if the review date has passed."""
        return self.days_left < 0


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """One field of two documents, side by side."""

    field: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        """True if the two differ."""
        return self.old != self.new


def actor_label(staff_id: int) -> str:
    """How a staff id is written in ``kb_versions.created_by``."""
    return f"staff:{staff_id}"


def staff_id_of(created_by: str | None) -> int | None:
    """The staff id in a ``created_by`` written by :func:`actor_label`, if any."""
    if created_by and created_by.startswith("staff:") and created_by[6:].isdigit():
        return int(created_by[6:])
    return None


def editable(document: Mapping[str, Any]) -> dict[str, Any]:
    """A stored document as a content file holds it (``scope`` is where the file lives)."""
    return {key: value for key, value in document.items() if key != "scope"}


# ---- checking ------------------------------------------------------------------------------


def check(
    conn: Connection,
    document: Mapping[str, Any],
    *,
    scope: str,
    topics: Mapping[str, str],
    today: dt.date,
    expected_id: str | None = None,
) -> tuple[Entitlement | None, list[Problem]]:
    """Check a document exactly as the loader checks a content file, and against the rest.

    Args:
        conn: The database (to compare with the other published entries).
        document: The entry, as a content file holds it.
        scope: ``national`` or ``local``.
        topics: Known ids and their exact titles.
        today: The date review dates are checked against.
        expected_id: The id it must have (an existing entry's), if any.

    Returns:
        The entry (``None`` if there is any problem) and every problem found.

    """
    file = f"{scope}/{expected_id or document.get('id') or 'new'}.yaml"
    entry, problems = parse_entry(
        dict(document),
        file=file,
        scope=scope,
        topics=topics,
        today=today,
        expected_id=expected_id,
    )
    if entry is None:
        return None, problems
    owners: dict[str, str] = {}
    for other in _published_entries(conn):
        if other.id == entry.id:
            continue
        for phrase in (*other.examples, *other.synonyms):
            owners.setdefault(_key(phrase), other.id)
    for field, phrases in (("examples", entry.examples), ("synonyms", entry.synonyms)):
        for index, phrase in enumerate(phrases, start=1):
            other_id = owners.get(_key(phrase))
            if other_id:
                problems.append(
                    Problem(
                        file,
                        f"{field}[{index}]",
                        f"{phrase!r} is also an example or synonym of {other_id}; "
                        "a question can only point to one entry",
                    )
                )
    return (None, problems) if problems else (entry, [])


def _key(phrase: str) -> str:
    return " ".join(phrase.casefold().split())


def _published_entries(conn: Connection) -> list[Entitlement]:
    rows = conn.execute(
        sa.select(versions_table.c.document).select_from(
            entitlements_table.join(
                versions_table,
                sa.and_(
                    versions_table.c.entitlement_id == entitlements_table.c.id,
                    versions_table.c.version == entitlements_table.c.published_version,
                ),
            )
        )
    ).all()
    return [Entitlement.from_document(json.loads(row.document)) for row in rows]


def _valid(
    conn: Connection,
    document: Mapping[str, Any],
    *,
    scope: str,
    topics: Mapping[str, str],
    today: dt.date,
    expected_id: str | None,
) -> Entitlement:
    entry, problems = check(
        conn, document, scope=scope, topics=topics, today=today, expected_id=expected_id
    )
    if entry is None:
        raise InvalidDocumentError(problems)
    return entry


# ---- reading -------------------------------------------------------------------------------


def _draft(row: Any) -> Draft:
    return Draft(
        id=row.id,
        entitlement_id=row.entitlement_id,
        scope=row.scope,
        is_new=bool(row.is_new),
        base_version=row.base_version,
        document=json.loads(row.document),
        state=row.state,
        author_id=row.author_id,
        note=row.note or "",
        comment=row.comment,
        approved_by=row.approved_by,
        published_version=row.published_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def get_draft(conn: Connection, draft_id: int) -> Draft:
    """The draft with this id.

    Raises:
        NotFoundError: There is none.

    """
    if not 0 < draft_id <= MAX_ID:
        raise NotFoundError("There is no such draft.")
    row = conn.execute(sa.select(drafts_table).where(drafts_table.c.id == draft_id)).first()
    if row is None:
        raise NotFoundError("There is no such draft.")
    return _draft(row)


def open_draft(conn: Connection, entitlement_id: str) -> Draft | None:
    """The entry's open draft, if it has one."""
    row = conn.execute(
        sa.select(drafts_table).where(drafts_table.c.open_key == entitlement_id)
    ).first()
    return _draft(row) if row is not None else None


def drafts_of(conn: Connection, entitlement_id: str) -> list[Draft]:
    """Every draft of an entry, newest first."""
    rows = conn.execute(
        sa.select(drafts_table)
        .where(drafts_table.c.entitlement_id == entitlement_id)
        .order_by(drafts_table.c.id.desc())
    ).all()
    return [_draft(row) for row in rows]


def draft_events(conn: Connection, draft_id: int) -> list[DraftEvent]:
    """The steps of a draft, oldest first."""
    rows = conn.execute(
        sa.select(draft_events_table)
        .where(draft_events_table.c.draft_id == draft_id)
        .order_by(draft_events_table.c.id)
    ).all()
    return [DraftEvent(row.at, row.action, row.actor_id, row.comment) for row in rows]


def authors(conn: Connection, draft_id: int) -> frozenset[int]:
    """Everyone who made, edited or submitted the draft."""
    rows = conn.execute(
        sa.select(draft_events_table.c.actor_id).where(
            draft_events_table.c.draft_id == draft_id,
            draft_events_table.c.action.in_(sorted(WRITING_ACTIONS)),
        )
    ).all()
    return frozenset(row.actor_id for row in rows if row.actor_id is not None)


def entries(conn: Connection) -> list[EntryRow]:
    """Every entry (published, retired or only drafted), by id, with any open draft."""
    published = {
        e.id: e for e in _published_entries(conn)
    }  # for review dates: one read of the documents
    rows = conn.execute(sa.select(entitlements_table).order_by(entitlements_table.c.id)).all()
    drafts = {
        row.open_key: row
        for row in conn.execute(
            sa.select(
                drafts_table.c.id,
                drafts_table.c.open_key,
                drafts_table.c.state,
                drafts_table.c.document,
            ).where(drafts_table.c.open_key.is_not(None))
        )
    }
    found: list[EntryRow] = []
    for row in rows:
        draft = drafts.pop(row.id, None)
        entry = published.get(row.id)
        found.append(
            EntryRow(
                id=row.id,
                title=row.title,
                scope=row.scope,
                published_version=row.published_version,
                review_due=entry.review_due if entry else None,
                draft_id=draft.id if draft else None,
                draft_state=draft.state if draft else None,
            )
        )
    for key, draft in drafts.items():
        document = json.loads(draft.document)
        found.append(
            EntryRow(
                id=key,
                title=str(document.get("title") or key),
                scope=NEW_SCOPE,
                published_version=None,
                review_due=None,
                draft_id=draft.id,
                draft_state=draft.state,
            )
        )
    return sorted(found, key=lambda e: e.id)


def versions(conn: Connection, entitlement_id: str) -> list[Version]:
    """Every version of an entry, newest first.

    Raises:
        NotFoundError: The entry has no versions.

    """
    rows = conn.execute(
        sa.select(versions_table)
        .where(versions_table.c.entitlement_id == entitlement_id)
        .order_by(versions_table.c.version.desc())
    ).all()
    if not rows:
        raise NotFoundError("There is no such entry.")
    return [_version(row) for row in rows]


def get_version(conn: Connection, entitlement_id: str, version: int) -> Version:
    """One version of an entry.

    Raises:
        NotFoundError: There is no such version.

    """
    if not 0 < version <= MAX_ID:
        raise NotFoundError(f"{entitlement_id} has no version {version}.")
    row = conn.execute(
        sa.select(versions_table).where(
            versions_table.c.entitlement_id == entitlement_id,
            versions_table.c.version == version,
        )
    ).first()
    if row is None:
        raise NotFoundError(f"{entitlement_id} has no version {version}.")
    return _version(row)


def published_version(conn: Connection, entitlement_id: str) -> int | None:
    """The entry's published version number (None if it is not published)."""
    value = conn.execute(
        sa.select(entitlements_table.c.published_version).where(
            entitlements_table.c.id == entitlement_id
        )
    ).scalar()
    return int(value) if value is not None else None


def scope_of(conn: Connection, entitlement_id: str) -> str | None:
    """The scope of an entry in the knowledge base (None if it has never been published)."""
    value = conn.execute(
        sa.select(entitlements_table.c.scope).where(entitlements_table.c.id == entitlement_id)
    ).scalar()
    return str(value) if value is not None else None


def _version(row: Any) -> Version:
    return Version(
        entitlement_id=row.entitlement_id,
        version=row.version,
        document=json.loads(row.document),
        origin=row.origin,
        created_by=row.created_by,
        created_at=row.created_at,
        note=row.note,
    )


def due_for_review(
    conn: Connection, today: dt.date, within_days: int = REVIEW_WINDOW_DAYS
) -> list[DueEntry]:
    """Published entries whose review date is past or within ``within_days``, soonest first.

    The owner is whoever last published the entry from the console (the approver of its
    last change, or who rolled it back); ``None`` for entries only ever loaded from files.
    """
    limit = today + dt.timedelta(days=within_days)
    owners: dict[str, int] = {}
    rows = conn.execute(
        sa.select(versions_table.c.entitlement_id, versions_table.c.created_by)
        .where(versions_table.c.created_by.like("staff:%"))
        .order_by(versions_table.c.version)
    ).all()
    for row in rows:
        staff_id = staff_id_of(row.created_by)
        if staff_id is not None:
            owners[row.entitlement_id] = staff_id
    due = [
        DueEntry(
            id=entry.id,
            title=entry.title,
            review_due=entry.review_due,
            days_left=(entry.review_due - today).days,
            owner_id=owners.get(entry.id),
        )
        for entry in _published_entries(conn)
        if entry.review_due <= limit
    ]
    return sorted(due, key=lambda d: (d.review_due, d.id))


# ---- comparing -----------------------------------------------------------------------------


def _flatten(value: Any, path: str, into: dict[str, str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), into)
    elif isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
        for index, item in enumerate(value, start=1):
            _flatten(item, f"{path}[{index}]", into)
        if not value:
            into[path] = ""
    elif isinstance(value, list):
        into[path] = "\n".join(str(item) for item in value)
    elif isinstance(value, bool):
        into[path] = "yes" if value else "no"
    elif value is None:
        into[path] = ""
    else:
        into[path] = str(value)


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Two documents field by field (nested fields as ``amounts[1].amount``), in order.

    Lists of text (examples, synonyms, sources, statuses) are one field each, an item a line.
    """
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    _flatten(editable(old), "", before)
    _flatten(editable(new), "", after)
    fields = list(before) + [field for field in after if field not in before]
    return [FieldChange(field, before.get(field, ""), after.get(field, "")) for field in fields]


# ---- changing ------------------------------------------------------------------------------


def _event(
    conn: Connection,
    draft_id: int,
    action: str,
    actor: int,
    now: dt.datetime,
    comment: str | None = None,
) -> None:
    conn.execute(
        draft_events_table.insert().values(
            draft_id=draft_id, at=now, action=action, actor_id=actor, comment=comment
        )
    )


def clean_note(note: str | None) -> str:
    """Staff's words on one line, without control characters, at most MAX_NOTE long."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (note or ""))
    return " ".join(printable.split())[:MAX_NOTE]


def start_draft(
    conn: Connection,
    document: Mapping[str, Any],
    *,
    actor: int,
    now: dt.datetime,
    topics: Mapping[str, str],
    today: dt.date,
    entitlement_id: str | None = None,
    note: str = "",
) -> Draft:
    """Start a draft: of the existing entry ``entitlement_id``, or of a new entry.

    Args:
        conn: A connection in a transaction.
        document: The entry as it should be, as a content file holds it.
        actor: Who is making it (staff id).
        now: When (naive UTC).
        topics: Known ids and their exact titles.
        today: The date review dates are checked against.
        entitlement_id: The existing entry it changes; None for a new entry.
        note: What the change is and why, for the approver.

    Returns:
        The new draft, in state ``draft``.

    Raises:
        InvalidDocumentError: The document has problems (nothing was written).
        StateError: The entry already has an open draft, or a new entry's id is taken.
        NotFoundError: ``entitlement_id`` is not in the knowledge base.

    """
    if entitlement_id is not None:
        scope = scope_of(conn, entitlement_id)
        if scope is None:
            raise NotFoundError("There is no such entry.")
        base = published_version(conn, entitlement_id)
        entry = _valid(
            conn, document, scope=scope, topics=topics, today=today, expected_id=entitlement_id
        )
    else:
        scope = NEW_SCOPE
        base = None
        entry = _valid(conn, document, scope=scope, topics=topics, today=today, expected_id=None)
        if scope_of(conn, entry.id) is not None or open_draft(conn, entry.id) is not None:
            raise StateError(
                f"There is already an entry called {entry.id}: change that one, or choose "
                "another id."
            )
    if open_draft(conn, entry.id) is not None:
        raise StateError(
            f"{entry.id} already has a draft in progress: work on that one, or discard it first."
        )
    try:
        new_id = conn.execute(
            drafts_table.insert().values(
                entitlement_id=entry.id,
                scope=scope,
                is_new=entitlement_id is None,
                base_version=base,
                document=json.dumps(editable(entry.to_document()), ensure_ascii=False),
                state=DRAFT,
                open_key=entry.id,
                author_id=actor,
                note=clean_note(note),
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
    except sa.exc.IntegrityError as exc:  # someone opened a draft of it at the same moment
        raise StateError(f"{entry.id} already has a draft in progress.") from exc
    _event(conn, new_id, "created", actor, now)
    return get_draft(conn, new_id)


def _move(
    conn: Connection,
    draft_id: int,
    *,
    from_states: Iterable[str],
    values: dict[str, Any],
    refused: str,
) -> None:
    """Change a draft only from ``from_states`` (compare and set); else StateError."""
    allowed = list(from_states)
    if not 0 < draft_id <= MAX_ID:
        raise NotFoundError("There is no such draft.")
    changed = conn.execute(
        drafts_table.update()
        .where(drafts_table.c.id == draft_id, drafts_table.c.state.in_(allowed))
        .values(**values)
    )
    if changed.rowcount != 1:
        get_draft(conn, draft_id)  # NotFoundError if there is none
        raise StateError(refused)


def _not_an_author(conn: Connection, draft_id: int, actor: int, doing: str) -> None:
    if actor in authors(conn, draft_id):
        raise OwnWorkError(
            f"You cannot {doing} a draft you wrote or changed: another content approver must."
        )


def update_draft(
    conn: Connection,
    draft_id: int,
    document: Mapping[str, Any],
    *,
    actor: int,
    now: dt.datetime,
    topics: Mapping[str, str],
    today: dt.date,
    note: str | None = None,
) -> Draft:
    """Save a new document in a draft (only in state ``draft``).

    Raises:
        InvalidDocumentError: The document has problems (nothing was written).
        StateError: The draft is not in state ``draft``.
        NotFoundError: There is no such draft.

    """
    current = get_draft(conn, draft_id)
    entry = _valid(
        conn,
        document,
        scope=current.scope,
        topics=topics,
        today=today,
        expected_id=None if current.is_new else current.entitlement_id,
    )
    if current.is_new and entry.id != current.entitlement_id:
        taken = scope_of(conn, entry.id) is not None or open_draft(conn, entry.id) is not None
        if taken:
            raise StateError(f"There is already an entry called {entry.id}: choose another id.")
    values: dict[str, Any] = {
        "document": json.dumps(editable(entry.to_document()), ensure_ascii=False),
        "entitlement_id": entry.id,
        "open_key": entry.id,
        "updated_at": now,
    }
    if note is not None:
        values["note"] = clean_note(note)
    try:
        _move(
            conn,
            draft_id,
            from_states=[DRAFT],
            values=values,
            refused="This draft can no longer be edited: it has been submitted, or someone "
            "has just changed it. Ask for changes to edit it again.",
        )
    except sa.exc.IntegrityError as exc:
        raise StateError(f"{entry.id} already has a draft in progress.") from exc
    _event(conn, draft_id, "edited", actor, now)
    return get_draft(conn, draft_id)


def submit(
    conn: Connection,
    draft_id: int,
    *,
    actor: int,
    now: dt.datetime,
    topics: Mapping[str, str],
    today: dt.date,
) -> Draft:
    """Send a draft for approval (it is checked again first).

    Raises:
        InvalidDocumentError: The document no longer passes the checks.
        StateError: The draft is not in state ``draft``.

    """
    _move(
        conn,
        draft_id,
        from_states=[DRAFT],
        values={"state": SUBMITTED, "updated_at": now, "comment": None},
        refused="This draft is not waiting to be submitted: someone may have just done it.",
    )
    draft = get_draft(conn, draft_id)
    _valid(
        conn,
        draft.document,
        scope=draft.scope,
        topics=topics,
        today=today,
        expected_id=None if draft.is_new else draft.entitlement_id,
    )
    _event(conn, draft_id, "submitted", actor, now)
    return get_draft(conn, draft_id)


def approve(conn: Connection, draft_id: int, *, actor: int, now: dt.datetime) -> Draft:
    """Approve a submitted draft: only someone who wrote none of it may.

    Raises:
        OwnWorkError: ``actor`` made, edited or submitted the draft.
        StateError: The draft is not waiting for approval.

    """
    get_draft(conn, draft_id)
    _not_an_author(conn, draft_id, actor, "approve")
    _move(
        conn,
        draft_id,
        from_states=[SUBMITTED],
        values={"state": APPROVED, "approved_by": actor, "updated_at": now},
        refused="This draft is not waiting for approval: someone may have just approved it "
        "or asked for changes.",
    )
    _event(conn, draft_id, "approved", actor, now)
    return get_draft(conn, draft_id)


def request_changes(
    conn: Connection, draft_id: int, *, actor: int, comment: str, now: dt.datetime
) -> Draft:
    """Send a submitted or approved draft back to its authors, saying what to change.

    Raises:
        WorkflowError: No comment.
        OwnWorkError: ``actor`` wrote the draft.
        StateError: The draft is not submitted or approved.

    """
    words = clean_note(comment)
    if not words:
        raise WorkflowError("Say what needs to change.")
    get_draft(conn, draft_id)
    _not_an_author(conn, draft_id, actor, "review")
    _move(
        conn,
        draft_id,
        from_states=[SUBMITTED, APPROVED],
        values={"state": DRAFT, "approved_by": None, "comment": words, "updated_at": now},
        refused="This draft is not waiting for approval or publishing: someone may have just "
        "changed it.",
    )
    _event(conn, draft_id, "changes_requested", actor, now, words)
    return get_draft(conn, draft_id)


def discard(conn: Connection, draft_id: int, *, actor: int, now: dt.datetime) -> Draft:
    """Give up a draft that is not approved (its steps are kept).

    Raises:
        StateError: The draft is approved, published or already discarded.

    """
    _move(
        conn,
        draft_id,
        from_states=[DRAFT, SUBMITTED],
        values={"state": DISCARDED, "open_key": None, "updated_at": now},
        refused="Only a draft that is not yet approved can be discarded.",
    )
    _event(conn, draft_id, "discarded", actor, now)
    return get_draft(conn, draft_id)


def publish(
    conn: Connection,
    draft_id: int,
    *,
    actor: int,
    now: dt.datetime,
    topics: Mapping[str, str],
    today: dt.date,
) -> tuple[Draft, int]:
    """Publish an approved draft: a new version, live at the next content revision.

    Returns:
        The draft and the content revision it is in.

    Raises:
        OwnWorkError: ``actor`` wrote the draft.
        StateError: The draft is not approved (or someone published it just now).
        StaleDraftError: The entry was changed after the draft was started.
        InvalidDocumentError: The document no longer passes the checks.

    """
    get_draft(conn, draft_id)
    _not_an_author(conn, draft_id, actor, "publish")
    _move(
        conn,
        draft_id,
        from_states=[APPROVED],
        values={"state": PUBLISHED, "open_key": None, "updated_at": now},
        refused="This draft is not approved and waiting to be published: someone may have "
        "just published it or asked for changes.",
    )
    draft = get_draft(conn, draft_id)
    entry = _valid(
        conn,
        draft.document,
        scope=draft.scope,
        topics=topics,
        today=today,
        expected_id=None if draft.is_new else draft.entitlement_id,
    )
    try:
        version, revision = publish_one(
            conn,
            entry,
            origin="console",
            actor=actor_label(actor),
            note=draft.note or None,
            expected_version=draft.base_version,
            now=now,
        )
    except PublishConflictError as exc:
        raise StaleDraftError(
            f"{entry.id} was published by someone else after this draft was started. "
            "Discard this draft and start again from what is published now."
        ) from exc
    conn.execute(
        drafts_table.update().where(drafts_table.c.id == draft_id).values(published_version=version)
    )
    _event(conn, draft_id, "published", actor, now)
    return get_draft(conn, draft_id), revision


def rollback(
    conn: Connection,
    entitlement_id: str,
    to_version: int,
    *,
    actor: int,
    reason: str,
    now: dt.datetime,
    topics: Mapping[str, str],
    today: dt.date,
) -> tuple[int, int]:
    """Publish an earlier version's document again, as a new version saying who and why.

    An approver does this directly (no draft): it puts back content that was approved and
    published before. A draft started before the rollback can then no longer be published
    (:class:`StaleDraftError`): it was made against content that is no longer live.

    Returns:
        The new version number and the content revision it is in.

    Raises:
        WorkflowError: No reason given, or the version is the one published now.
        NotFoundError: No such entry or version.
        StateError: The entry changed just now.
        InvalidDocumentError: The old version does not pass today's checks.

    """
    words = clean_note(reason)
    if not words:
        raise WorkflowError("Say why you are rolling it back.")
    old = get_version(conn, entitlement_id, to_version)
    current = published_version(conn, entitlement_id)
    if current == to_version:
        raise WorkflowError(f"Version {to_version} is the one published now.")
    scope = scope_of(conn, entitlement_id) or str(old.document.get("scope") or NEW_SCOPE)
    entry = _valid(
        conn,
        editable(old.document),
        scope=scope,
        topics=topics,
        today=today,
        expected_id=entitlement_id,
    )
    try:
        version, revision = publish_one(
            conn,
            entry,
            origin="rollback",
            actor=actor_label(actor),
            note=f"Rolled back to version {to_version}: {words}",
            expected_version=current,
            now=now,
        )
    except PublishConflictError as exc:
        raise StateError(f"{entitlement_id} was changed just now: look again.") from exc
    return version, revision
