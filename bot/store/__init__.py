"""The store layer: every table the project's migrations manage, and how rows are read.

- :mod:`bot.store.metadata`: the one ``MetaData`` all the project's tables are on.
- :mod:`bot.store.tables`: the tables, one module per area (cases, people, sms, ...).

The knowledge base's tables stay in :mod:`entitlements.store` (that package must not
import ``bot``) and Rasa's conversation events in :mod:`bot.db.rasa_events`; Alembic
migrates all three (``bot/db/migrations``, through :mod:`bot.db.schema`).

Domain packages (cases, people, packs, reports, privacy, notify) take their tables from
here, never from the console or the channels. This package imports nothing of theirs.
"""
