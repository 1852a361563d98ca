"""The knowledge base as the bot uses it: published entries and their search index.

:class:`LiveKnowledgeBase` keeps a built index and checks the database's content
revision at most every ``refresh_seconds``. When staff publish a change it builds
the new index in the background and swaps it in when ready (a few seconds), so
answers change with no retraining, no restart, and no pause for anyone chatting.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from entitlements.embedding import SentenceEncoder
from entitlements.model import Entitlement
from entitlements.search import Decision, SearchIndex, Thresholds
from entitlements.store import current_revision, read_published

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class KnowledgeBase:
    """A consistent snapshot: the entries of one content revision and their index."""

    revision: int
    entries: dict[str, Entitlement]
    index: SearchIndex

    @classmethod
    def build(
        cls,
        revision: int,
        entries: Sequence[Entitlement],
        encoder: SentenceEncoder | None = None,
        previous: KnowledgeBase | None = None,
    ) -> KnowledgeBase:
        """Index ``entries`` (the published content of ``revision``).

        ``previous`` is the knowledge base being replaced: what did not change is reused
        (see :class:`SearchIndex`).
        """
        index = SearchIndex(entries, encoder, previous.index if previous else None)
        return cls(revision, {e.id: e for e in entries}, index)

    def get(self, entitlement_id: str | None) -> Entitlement | None:
        """The entry with this id, if it is published."""
        return self.entries.get(entitlement_id) if entitlement_id else None

    def decide(
        self,
        text: str,
        thresholds: Thresholds | None = None,
        vector: Sequence[float] | None = None,
    ) -> Decision:
        """Which entry (or entries) a question is about; see :meth:`SearchIndex.decide`."""
        return self.index.decide(text, thresholds, vector)


class ContentNotLoadedError(RuntimeError):
    """The database has no published content (run ``make run`` or ``python -m bot setup``)."""


class LiveKnowledgeBase:
    """The published knowledge base, rebuilt in the background when its revision changes."""

    def __init__(
        self,
        engine: Engine,
        *,
        refresh_seconds: float = 2.0,
        encoder: Callable[[], SentenceEncoder | None] = SentenceEncoder,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._refresh_seconds = refresh_seconds
        self._make_encoder = encoder
        self._encoder: SentenceEncoder | None = None
        self._encoder_lock = threading.Lock()
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: KnowledgeBase | None = None
        self._checked_at = float("-inf")
        self._rebuilding: threading.Thread | None = None

    def current(self) -> KnowledgeBase:
        """The latest knowledge base that is built (the first call builds it, and waits).

        Raises:
            ContentNotLoadedError: Nothing has ever been published.

        """
        snapshot = self._snapshot
        now = self._clock()
        if snapshot is not None and now - self._checked_at < self._refresh_seconds:
            return snapshot
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self._build()
                self._checked_at = now
                return self._snapshot
            if now - self._checked_at >= self._refresh_seconds:
                self._checked_at = now
                self._start_rebuild_if_changed()
            return self._snapshot

    def _start_rebuild_if_changed(self) -> None:
        if self._rebuilding is not None and self._rebuilding.is_alive():
            return
        try:
            revision = current_revision(self._engine)
        except SQLAlchemyError:
            logger.exception("Cannot check the content revision; answering from what is loaded")
            return
        assert self._snapshot is not None
        if revision != self._snapshot.revision:
            self._rebuilding = threading.Thread(
                target=self._rebuild, name="knowledge-base-rebuild", daemon=True
            )
            self._rebuilding.start()

    def _rebuild(self) -> None:
        try:
            snapshot = self._build()
        except (SQLAlchemyError, ContentNotLoadedError):
            logger.exception("Rebuilding the knowledge base failed; keeping the one loaded")
            return
        self._snapshot = snapshot
        logger.info("Knowledge base now at content revision %s", snapshot.revision)

    def encoder(self) -> SentenceEncoder | None:
        """The sentence encoder the index uses (loaded on first use)."""
        with self._encoder_lock:
            if self._encoder is None:
                self._encoder = self._make_encoder()
            return self._encoder

    def _build(self) -> KnowledgeBase:
        revision, entries = read_published(self._engine)
        if not entries:
            raise ContentNotLoadedError("no entitlement content is published")
        return KnowledgeBase.build(revision, entries, self.encoder(), previous=self._snapshot)

    def wait_for_rebuild(self, timeout: float = 60.0) -> None:
        """Wait for a background rebuild to finish (for tests and benchmarks)."""
        thread = self._rebuilding
        if thread is not None:
            thread.join(timeout)
