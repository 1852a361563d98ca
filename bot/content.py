"""Loads the content files into the database: validate everything, then publish.

``python -m bot load-content`` (and ``make run``) call :func:`load_content_files`.
All or nothing: a set with any bad file publishes nothing and says what is wrong.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.settings import Settings
from entitlements.loader import ContentSet, load_content, load_topics
from entitlements.store import PublishReport, publish_entries


def read_content(settings: Settings, today: dt.date | None = None) -> ContentSet:
    """Read and validate the content files named by ``settings``.

    Raises:
        entitlements.loader.ContentError: Any file has any problem.

    """
    topics = load_topics(settings.topics_file)
    return load_content(settings.content_dir, topics, today=today)


def load_content_files(
    engine: Engine, settings: Settings, *, actor: str | None = None
) -> tuple[ContentSet, PublishReport]:
    """Validate the content files and publish them in one transaction.

    Returns:
        The content set (with its warnings) and what the publish changed.

    """
    content = read_content(settings)
    report = publish_entries(engine, content.entries, origin="files", actor=actor, now=utcnow())
    return content, report
