"""The one ``MetaData`` the project's own tables are declared on (SQLAlchemy 1.4 Core).

The knowledge base's tables live in :mod:`entitlements.store` and Rasa's conversation
events in :mod:`bot.db.rasa_events`; Alembic migrates all three (``bot/db/migrations``).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
