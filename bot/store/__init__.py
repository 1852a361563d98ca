"""The store layer: every table the project's migrations manage, and how rows are read.

- :mod:`bot.store.metadata`: the one ``MetaData`` all the project's tables are on.
- :mod:`bot.store.tables`: the tables, one module per area (cases, people, sms, ...).
- :mod:`bot.store.types`: :class:`~bot.store.types.UtcDateTime`, aware UTC in and out
  (so far on ``safety_marks`` and ``safety_phrases``; the other tables still give
  naive UTC, see :mod:`bot.clock` for the converters).
- :mod:`bot.store.care_leavers`: a record as the domain's ``CareLeaver``.
- :mod:`bot.store.audit`: the audit log (who did what, and when; rows only added),
  written by the console and by the domain packages (privacy, people).

The knowledge base's tables stay in :mod:`entitlements.store` (that package must not
import ``bot``) and Rasa's conversation events in :mod:`bot.db.rasa_events`; Alembic
migrates all three (``bot/db/migrations``, through :mod:`bot.db.schema`).

Domain packages (cases, people, packs, reports, privacy, notify) take their tables from
here, never from the console or the channels. This package imports nothing of theirs.
"""
