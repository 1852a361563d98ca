"""Every table the project's migrations manage, gathered in one place.

The project's own tables are declared in :mod:`bot.store.tables` (one module per area);
importing it registers them all on :data:`bot.store.metadata.metadata`, for Alembic and
for the tests that compare the tables with the migrations.
"""

from __future__ import annotations

from bot.db import rasa_events
from bot.store import tables  # noqa: F401  (registers every table of the project's own)
from bot.store.metadata import metadata
from entitlements import store

ALL_METADATA = [store.metadata, metadata, rasa_events.metadata]
