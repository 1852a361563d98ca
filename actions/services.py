"""The shared services the actions use, created on first use (never at import time).

Tests replace them with :func:`set_services`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.db.engine import create_db_engine
from bot.people import sms_check
from bot.private_files import private_dir, replace_private_file
from bot.settings import Settings, get_settings
from entitlements.embedding import SentenceEncoder, encoder_id
from entitlements.knowledge_base import LiveKnowledgeBase
from entitlements.phrase_vectors import PhraseVectorFile


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
        encoder: Callable[[], SentenceEncoder | None] | None = None,
    ) -> Services:
        """Open the database engine and the live knowledge base for ``settings``.

        Args:
            settings: The service's settings.
            encoder: Makes the sentence encoder; by default one that keeps content
                phrases' vectors under ``var/cache/`` between starts
                (:mod:`entitlements.phrase_vectors`).
        """
        engine = create_db_engine(settings.database_url)
        knowledge = LiveKnowledgeBase(
            engine,
            refresh_seconds=settings.content_refresh_seconds,
            encoder=encoder or (lambda: encoder_keeping_phrases(settings)),
        )
        return cls(settings=settings, engine=engine, knowledge=knowledge)


def encoder_keeping_phrases(settings: Settings) -> SentenceEncoder:
    """The sentence encoder, with content phrases' vectors kept in ``var/cache/``."""
    encoder = SentenceEncoder()
    folder = private_dir(settings.var_dir / "cache")
    encoder.keep_phrases_in(
        PhraseVectorFile(
            folder / "phrase-vectors.npz", encoder_id(), encoder.dimension, replace_private_file
        )
    )
    return encoder


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


async def talking(conversation_id: str) -> sms_check.Talking:
    """Who a conversation belongs to, and whether personal answers may be given.

    A number on record is checked with the young person's date of birth once in a while
    (:mod:`bot.people.sms_check`); a web chat linked with a code is checked.
    """
    services = get_services()
    return await asyncio.to_thread(
        sms_check.who_is_talking,
        services.engine,
        conversation_id,
        utcnow(),
        services.settings.sms_identity_check_days,
    )


async def ask_who_they_are(conversation_id: str, care_leaver_id: int, text: str) -> None:
    """Note that the date of birth is asked for, and the question to answer once it is given."""
    await asyncio.to_thread(
        sms_check.ask, get_services().engine, conversation_id, care_leaver_id, text, utcnow()
    )
