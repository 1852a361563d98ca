"""The shared services the actions use, created on first use (never at import time).

Tests replace them with :func:`set_services`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.db.engine import create_db_engine
from bot.people.identity import CareLeaver, identify
from bot.settings import Settings, get_settings
from entitlements.embedding import SentenceEncoder
from entitlements.knowledge_base import LiveKnowledgeBase


@dataclasses.dataclass
class Services:
    """Everything an action needs from outside itself."""

    settings: Settings
    engine: Engine
    knowledge: LiveKnowledgeBase

    @classmethod
    def create(
        cls,
        settings: Settings,
        encoder: Callable[[], SentenceEncoder | None] = SentenceEncoder,
    ) -> Services:
        """Open the database engine and the live knowledge base for ``settings``."""
        engine = create_db_engine(settings.database_url)
        knowledge = LiveKnowledgeBase(
            engine, refresh_seconds=settings.content_refresh_seconds, encoder=encoder
        )
        return cls(settings=settings, engine=engine, knowledge=knowledge)


_lock = threading.Lock()
_services: Services | None = None


def get_services() -> Services:
    """The services of this process, created from the environment's settings on first use."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = Services.create(get_settings())
    return _services


def set_services(services: Services | None) -> None:
    """Replace the services (tests), or forget them so the next use creates new ones."""
    global _services
    with _lock:
        _services = services


async def who_is_talking(conversation_id: str) -> CareLeaver | None:
    """The care leaver a conversation is linked to, if the server has verified one."""
    return await asyncio.to_thread(identify, get_services().engine, conversation_id)
