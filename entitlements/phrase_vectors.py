"""Content phrases' sentence vectors, kept on disk so a restart does not encode them again.

Building the knowledge base's search index encodes every title, synonym and example
question (about 2,100 phrases: 9 s of the action server's start on 2 cores). The vectors
depend only on the phrase and the encoder (:func:`entitlements.embedding.encoder_id`),
so they are kept in one file and read back at the next start; only phrases new since
then are encoded.

The file holds no words: each vector is keyed by the SHA-256 of its phrase, and only the
phrases of the latest index are kept, so a phrase removed from the content (an example
question a young person wrote, say) leaves the file at the next save. A file that is
missing, unreadable or made by another encoder is ignored (logged) and written anew: it
can only save time, never change an answer.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, Any]
KEY_BYTES = 32


def phrase_key(text: str) -> bytes:
    """The key of a phrase's vector: the SHA-256 of its UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).digest()


class PhraseVectorFile:
    """One file of phrase vectors for one encoder.

    Args:
        path: The file (its folder must exist).
        encoder: The encoder's identity; vectors made by another are never used.
        dimension: The length of each vector.
        write: Writes bytes to a path whole (a reader never sees part of a file).
    """

    def __init__(
        self,
        path: Path,
        encoder: str,
        dimension: int,
        write: Callable[[Path, bytes], None],
    ) -> None:
        self.path = path
        self.encoder = encoder
        self.dimension = dimension
        self._write = write

    def load(self) -> dict[bytes, Array]:
        """The kept vectors by phrase key; empty if there are none this encoder can use."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                encoder = str(data["encoder"])
                keys = data["keys"]
                vectors = data["vectors"]
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError) as error:
            logger.warning("Phrase vectors in %s unreadable (%s): encoding again", self.path, error)
            return {}
        if encoder != self.encoder:
            logger.info("Phrase vectors in %s are another encoder's: encoding again", self.path)
            return {}
        if (
            keys.dtype != np.uint8
            or keys.ndim != 2
            or keys.shape[1] != KEY_BYTES
            or vectors.dtype != np.float32
            or vectors.shape != (len(keys), self.dimension)
        ):
            logger.warning("Phrase vectors in %s have the wrong shape: encoding again", self.path)
            return {}
        return {bytes(key): vector for key, vector in zip(keys, vectors, strict=True)}

    def save(self, vectors: Mapping[bytes, Array]) -> None:
        """Replace the file with ``vectors`` (phrase key to vector)."""
        keys = list(vectors)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            encoder=np.asarray(self.encoder),
            keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, KEY_BYTES),
            vectors=np.asarray([vectors[k] for k in keys], dtype=np.float32).reshape(
                -1, self.dimension
            ),
        )
        try:
            self._write(self.path, buffer.getvalue())
        except OSError as error:
            logger.warning("Phrase vectors not kept in %s: %s", self.path, error)
