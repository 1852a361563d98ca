"""A message's sentence vector, kept briefly so its second reader need not encode it again.

The safety net reads a message first, as normalised text (:mod:`bot.safety.semantic`);
the NLU reads it next, as sent. When the two come to the same tokens the model gives the
same vector, so the NLU takes the safety net's (about 12 ms of a core for a short
message) instead of encoding the message again. Keyed by token ids (which, like the words,
say what the message was), each vector is taken once; one not taken (the NLU read other
tokens) is dropped when the next is offered or taken after ``seconds``, and at most
``limit`` wait, so no message lingers in memory much beyond its own handling.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]

KEPT_SECONDS = 60.0
KEPT_LIMIT = 256


class RecentVectors:
    """Vectors by the token ids they were made from: each taken once, soon forgotten.

    Thread-safe: the safety net puts from its worker threads, channels take on the
    event loop.
    """

    def __init__(
        self,
        limit: int = KEPT_LIMIT,
        seconds: float = KEPT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep at most ``limit`` vectors, each for at most ``seconds`` by ``clock``."""
        self._limit = limit
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: collections.OrderedDict[tuple[int, ...], tuple[float, Array]] = (
            collections.OrderedDict()
        )

    def _forget_old(self) -> None:
        oldest = self._clock() - self._seconds
        while self._kept and next(iter(self._kept.values()))[0] < oldest:
            self._kept.popitem(last=False)

    def put(self, ids: Sequence[int], vector: Array) -> None:
        """Keep ``vector``, made from exactly the tokens ``ids``."""
        key = tuple(ids)
        with self._lock:
            self._kept.pop(key, None)
            self._kept[key] = (self._clock(), vector)
            self._forget_old()
            while len(self._kept) > self._limit:
                self._kept.popitem(last=False)

    def take(self, ids: Sequence[int]) -> Array | None:
        """The vector made from ``ids`` (and forget it), or None if there is none."""
        with self._lock:
            self._forget_old()
            found = self._kept.pop(tuple(ids), None)
        return found[1] if found is not None else None

    def __len__(self) -> int:
        """How many vectors are waiting (expired ones are not counted)."""
        with self._lock:
            self._forget_old()
            return len(self._kept)
