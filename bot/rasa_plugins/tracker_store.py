"""Rasa's SQL tracker store, in the project's database, with a bounded history window.

Rasa rebuilds a conversation from its stored events on every message, and its
policies walk the whole rebuilt history. A plain Rasa 3.6 bot therefore gets
slower with every message (about 19 times slower at the 300th message, measured
here). This store keeps each message equally fast: when a conversation's current
window reaches ``history_window_turns`` user messages, the next message starts a
fresh window. A window starts the way Rasa starts a session (a ``session_started``
event, marked ``{"window": true}`` in its metadata), carrying every slot and any
active form over, so nothing the bot needs is forgotten; the policies only ever
look a few turns back. Every event is still stored; ``retrieve_full_tracker``
returns the whole conversation.

A window is only started while the conversation is live: if it has been quiet
for longer than the session expiry, Rasa starts a real new session itself.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy.exc
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.answering import SENTENCE_VECTOR_KEY
from bot.db.availability import DatabaseUnavailable, database_outages, is_unavailable
from bot.db.engine import create_db_engine, is_sqlite, sqlite_engine_options
from bot.rasa_plugins import speedups
from bot.settings import get_settings

WINDOW_METADATA_KEY = "window"
LOADED_COUNTS_KEPT = 10_000


@contextlib.contextmanager
def _unavailable_raised() -> Iterator[None]:
    """Turn a lost or refused database connection into :class:`DatabaseUnavailable`."""
    try:
        yield
    except sqlalchemy.exc.SQLAlchemyError as error:
        if not is_unavailable(error):
            raise
        database_outages().failed(error)
        raise DatabaseUnavailable("the conversation store could not be reached") from None


class WindowedSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store on ``DATABASE_URL`` that loads a bounded window of each conversation."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        url: str | None = None,
        window_turns: int | None = None,
        **kwargs: Any,
    ) -> None:
        settings = get_settings()
        database_url = url or (host if host and "://" in host else None) or settings.database_url
        self.window_turns = int(window_turns or settings.history_window_turns)
        self._loaded: dict[str, int] = {}
        if is_sqlite(database_url):
            sqlite_engine_options(database_url)  # creates the folder of the database file
        super().__init__(domain=domain, host=database_url, event_broker=event_broker, **kwargs)
        # Rasa's own engine opens a new SQLite connection for every message; ours keeps a
        # small pool, with WAL and a busy timeout (see bot.db.engine).
        self.engine.dispose()
        self.engine: Engine = create_db_engine(database_url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        # The tracker store is built once, as the Rasa server starts: the hook for our
        # one fix to Rasa's hot path.
        speedups.install()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current window of the conversation, starting a new one when it is full.

        Raises:
            DatabaseUnavailable: The database could not be reached (never "no such
                conversation": that would greet the young person as a stranger).
        """
        with _unavailable_raised():
            return await self._retrieve_window(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events added since the tracker was retrieved.

        Raises:
            DatabaseUnavailable: The database could not be reached; nothing was stored.
        """
        with _unavailable_raised():
            await self._save(tracker)

    async def _retrieve_window(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await super().retrieve(sender_id)
        if tracker is None or self.domain is None:
            return tracker
        user_turns = sum(1 for event in tracker.events if isinstance(event, UserUttered))
        if user_turns >= self.window_turns and not self._quiet_too_long(tracker):
            tracker = self._start_window(tracker)
        self._remember_loaded(sender_id, len(tracker.events))
        return tracker

    async def _save(self, tracker: DialogueStateTracker) -> None:
        """Store the events added since the tracker was retrieved.

        As Rasa's own ``save``, except that a user message's sentence vector (passed
        from the NLU pipeline to the action server) is not stored: it can be computed
        again, and it would make every stored message several kilobytes bigger.
        """
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                parse_data = data.get("parse_data")
                if isinstance(parse_data, dict) and SENTENCE_VECTOR_KEY in parse_data:
                    data["parse_data"] = {
                        k: v for k, v in parse_data.items() if k != SENTENCE_VECTOR_KEY
                    }
                intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    def _remember_loaded(self, sender_id: str, count: int) -> None:
        self._loaded[sender_id] = count
        while len(self._loaded) > LOADED_COUNTS_KEPT:
            self._loaded.pop(next(iter(self._loaded)))

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        """The tracker's events not stored yet.

        Rasa counts the stored events with a query on every save; the count is already
        known from the retrieve that began this message (Rasa's lock keeps one worker
        on a conversation at a time, and each message is retrieved before it is saved).
        """
        loaded = self._loaded.pop(tracker.sender_id, None)
        if loaded is None:
            return super()._additional_events(session, tracker)  # type: ignore[no-any-return]
        return itertools.islice(tracker.events, loaded, len(tracker.events))

    def _quiet_too_long(self, tracker: DialogueStateTracker) -> bool:
        config = self.domain.session_config
        if not config.are_sessions_enabled():
            return False
        last = tracker.get_last_event_for(UserUttered)
        return last is not None and (time.time() - last.timestamp) / 60 > (
            config.session_expiration_time
        )

    def _start_window(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        now = time.time()
        events: list[Event] = [SessionStarted(timestamp=now, metadata={WINDOW_METADATA_KEY: True})]
        for name, slot in tracker.slots.items():
            if slot.value != slot.initial_value:
                events.append(SlotSet(name, slot.value, timestamp=now))
        if tracker.active_loop_name:
            events.append(ActiveLoop(tracker.active_loop_name, timestamp=now))
        events.append(ActionExecuted("action_listen", timestamp=now))
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=now,
                        intent_name=None,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        return DialogueStateTracker.from_events(
            tracker.sender_id, events, self.domain.slots, sender_source=tracker.sender_source
        )
