"""Sentence-meaning features for Rasa's intent classifier, from all-MiniLM-L6-v2.

Word and letter counts alone tell "who won the football" from a question about
entitlements poorly when the words are new to the model; a sentence vector
(:mod:`entitlements.embedding`, NumPy only, nothing downloaded) carries meaning the
counts do not. Added as a dense sentence feature, which Rasa's
LogisticRegressionClassifier uses beside the sparse counts.
"""

from __future__ import annotations

import asyncio
import collections
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.answering import SENTENCE_VECTOR_KEY
from bot.settings import get_settings
from entitlements.embedding import shared_encoder

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None

PRECOMPUTED_LIMIT = 256
PRECOMPUTED_SECONDS = 60.0
SHORT_MESSAGE_WORDS = 4
SHORT_MESSAGES_KEPT = 2048


class _Precomputed:
    """Vectors computed ahead by a channel, each taken once by the featurizer.

    A message's vector waits here for at most ``PRECOMPUTED_SECONDS``; taking it
    removes it, so no message text stays in memory longer than its own handling.
    Only short messages of a few words ("more", "thanks", "how do I get it"), which
    young people send again and again, are kept longer, to be reused.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vectors: collections.OrderedDict[str, tuple[float, np.ndarray[Any, Any]]] = (
            collections.OrderedDict()
        )

    def put(self, text: str, vector: np.ndarray[Any, Any]) -> None:
        with self._lock:
            self._vectors[text] = (time.monotonic(), vector)
            while len(self._vectors) > PRECOMPUTED_LIMIT:
                self._vectors.popitem(last=False)

    def take(self, text: str) -> np.ndarray[Any, Any] | None:
        with self._lock:
            found = self._vectors.pop(text, None)
            limit = time.monotonic() - PRECOMPUTED_SECONDS
            while self._vectors and next(iter(self._vectors.values()))[0] < limit:
                self._vectors.popitem(last=False)
        return found[1] if found else None


_precomputed = _Precomputed()
_short_lock = threading.Lock()
_short: collections.OrderedDict[str, np.ndarray[Any, Any]] = collections.OrderedDict()


def _short_key(text: str) -> str | None:
    """A key for a short, common message ("more", "thanks", "how do i get it")."""
    words = text.lower().split()
    return " ".join(words) if 0 < len(words) <= SHORT_MESSAGE_WORDS else None


def _remember_short(key: str | None, vector: np.ndarray[Any, Any]) -> None:
    if key is None:
        return
    with _short_lock:
        _short[key] = vector
        _short.move_to_end(key)
        while len(_short) > SHORT_MESSAGES_KEPT:
            _short.popitem(last=False)


def _recall_short(key: str | None) -> np.ndarray[Any, Any] | None:
    if key is None:
        return None
    with _short_lock:
        vector = _short.get(key)
        if vector is not None:
            _short.move_to_end(key)
        return vector


_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
# The header of the action server's shared secret (actions/guard.py).
SECRET_HEADER = "X-Action-Server-Secret"  # noqa: S105 (a header's name)
REMOTE_TIMEOUT_SECONDS = 1.0
# After the action server failed to answer, vectors are made here for this long, so a
# hung action server costs one message a second's wait, not every message.
REMOTE_RESTING_SECONDS = 30.0
_remote_resting_until = 0.0


async def _remote(text: str) -> np.ndarray[Any, Any] | None:
    """Ask the action server (``POST /embed``) for the vector; None if it does not answer."""
    global _remote_resting_until
    if time.monotonic() < _remote_resting_until:
        return None
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        session = _sessions[loop] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=REMOTE_TIMEOUT_SECONDS)
        )
    settings = get_settings()
    url = f"{settings.action_server_url()}/embed"
    headers = {SECRET_HEADER: settings.action_server_secret or ""}
    try:
        async with session.post(url, json={"texts": [text]}, headers=headers) as reply:
            if reply.status != 200:
                return None
            vector = np.asarray((await reply.json())["vectors"][0], dtype=np.float32)
    except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, IndexError, ValueError):
        _remote_resting_until = time.monotonic() + REMOTE_RESTING_SECONDS
        return None
    return vector if vector.shape == (shared_encoder().dimension,) else None


async def precompute(text: str) -> None:
    """Get ``text``'s vector ready before the NLU pipeline needs it.

    Channels call this after the safety net's check and before handing a message to
    Rasa. When the safety net read the message in one window that came to the same
    tokens as the message itself, its vector is the one needed, and is used: the
    message is encoded once. Otherwise the action server encodes it (its core is
    mostly idle); if it cannot, a worker thread here does, while the event loop serves
    other messages (see docs/performance.md).
    """
    global _executor
    if not text or text.startswith("/") or _recall_short(_short_key(text)) is not None:
        return
    encoder = shared_encoder()
    offered = encoder.take_offered(text)  # the safety net's, when its tokens were these
    if offered is not None:
        _precomputed.put(text, offered)
        return
    remote = await _remote(text)
    if remote is not None:
        _precomputed.put(text, remote)
        return
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding")
    local = await asyncio.get_running_loop().run_in_executor(
        _executor, lambda: encoder.encode([text])[0]
    )
    _precomputed.put(text, local)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):  # type: ignore[misc]
    """Adds a 384-number sentence vector to each message's text.

    ``scale`` multiplies the unit-length vector so that it weighs as much, in a
    regularised linear classifier, as the raw word and letter counts beside it.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``scale``: how much the sentence vector counts beside word counts."""
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Create the featurizer (it has nothing to train)."""
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to check: the model is fixed."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurize messages as they arrive, and pass their vectors on to the actions."""
        self._featurize([m for m in messages if m.get(TEXT)], share=True)
        for message in messages:
            if not message.get(TEXT):  # e.g. an SMS of only spaces: Rasa strips it to ""
                blank = np.zeros((1, shared_encoder().dimension), dtype=np.float32)
                self.add_features_to_message(None, blank, TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize the training examples, in batches."""
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def _featurize(self, messages: list[Message], share: bool = False) -> None:
        texts = [str(m.get(TEXT)) for m in messages]
        keys = [_short_key(text) for text in texts]
        ready = [
            _precomputed.take(text) if (known := _recall_short(key)) is None else known
            for text, key in zip(texts, keys, strict=True)
        ]
        missing = [text for text, vector in zip(texts, ready, strict=True) if vector is None]
        computed = iter(shared_encoder().encode(missing)) if missing else iter(())
        scale = float(self._config.get("scale", 1.0))
        for message, key, vector in zip(messages, keys, ready, strict=True):
            found = vector if vector is not None else next(computed)
            _remember_short(key, found)
            sentence = (np.asarray(found, dtype=np.float32) * scale).reshape(1, -1)
            self.add_features_to_message(None, sentence, TEXT, message)
            if share:
                rounded = [round(float(x), 5) for x in found]
                message.set(SENTENCE_VECTOR_KEY, rounded, add_to_output=True)
