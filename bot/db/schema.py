"""Every table the project's migrations manage, gathered in one place.

The tables are declared next to the code that owns them; importing this module
registers them all, for Alembic and for tests that compare models and migrations.
"""

from __future__ import annotations

from bot.cases import tables as cases_tables  # noqa: F401  (registers its tables)
from bot.channels.sms import tables as sms_tables  # noqa: F401  (registers its tables)
from bot.channels.web import tables as web_tables  # noqa: F401  (registers its tables)
from bot.console import tables as console_tables  # noqa: F401  (registers its tables)
from bot.db import rasa_events, tables
from bot.notify import tables as notify_tables  # noqa: F401  (registers its tables)
from bot.packs import tables as pack_tables  # noqa: F401  (registers its tables)
from bot.people import tables as people_tables  # noqa: F401  (registers its tables)
from bot.reports import quality_tables  # noqa: F401  (registers its tables)
from bot.reports import tables as report_tables  # noqa: F401  (registers its tables)
from entitlements import store

ALL_METADATA = [store.metadata, tables.metadata, rasa_events.metadata]
