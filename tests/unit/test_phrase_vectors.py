"""Content phrases' vectors kept between starts (entitlements/phrase_vectors.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from entitlements.embedding import SentenceEncoder, encoder_id
from entitlements.phrase_vectors import PhraseVectorFile, phrase_key

pytestmark = pytest.mark.timeout(120)

PHRASES = ["setting up home allowance", "can i get money for a sofa", "help with rent"]


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _file(tmp_path: Path, encoder: str = "encoder-1", dimension: int = 4) -> PhraseVectorFile:
    return PhraseVectorFile(tmp_path / "phrase-vectors.npz", encoder, dimension, _write)


def test_vectors_come_back_as_they_were_saved_and_the_file_holds_no_words(
    tmp_path: Path,
) -> None:
    vectors = {phrase_key(p): np.arange(4, dtype=np.float32) + i for i, p in enumerate(PHRASES)}
    _file(tmp_path).save(vectors)

    loaded = _file(tmp_path).load()

    assert loaded.keys() == vectors.keys()
    for key, vector in vectors.items():
        assert np.array_equal(loaded[key], vector)
    raw = (tmp_path / "phrase-vectors.npz").read_bytes()
    assert not [p for p in PHRASES if p.encode() in raw]


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: None, "missing"),
        (lambda p: p.write_bytes(b"not numpy at all"), "unreadable"),
        (lambda p: _file(p.parent, encoder="encoder-0").save({b"k" * 32: np.ones(4)}), "encoder"),
        (lambda p: _file(p.parent, dimension=3).save({b"k" * 32: np.ones(3)}), "shape"),
    ],
)
def test_a_file_this_encoder_cannot_use_is_ignored(tmp_path: Path, make, why: str) -> None:
    make(tmp_path / "phrase-vectors.npz")

    assert _file(tmp_path).load() == {}, why


def test_a_restart_encodes_only_new_phrases_and_drops_removed_ones(tmp_path: Path) -> None:
    path = tmp_path / "phrase-vectors.npz"
    first = SentenceEncoder()
    first.keep_phrases_in(PhraseVectorFile(path, encoder_id(), first.dimension, _write))
    before = first.encode_phrases(PHRASES)

    second = SentenceEncoder()
    second.keep_phrases_in(PhraseVectorFile(path, encoder_id(), second.dimension, _write))
    encoded: list[str] = []
    real_encode = second.encode

    def counting(texts, *args, **kwargs):
        encoded.extend(texts)
        return real_encode(texts, *args, **kwargs)

    second.encode = counting  # type: ignore[method-assign]
    after = second.encode_phrases([*PHRASES[1:], "council tax"])

    assert encoded == ["council tax"]
    assert np.array_equal(after[:2], before[1:])
    assert np.allclose(after[2], first.encode(["council tax"])[0], atol=1e-6)
    kept = PhraseVectorFile(path, encoder_id(), second.dimension, _write).load()
    assert kept.keys() == {phrase_key(p) for p in [*PHRASES[1:], "council tax"]}
