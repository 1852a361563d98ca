"""Kept vectors are keyed by everything they depend on: weights, vocabulary, tokenizer."""

from __future__ import annotations

import hashlib

import pytest

from bot.safety import semantic
from entitlements import embedding

# What TOKENIZER_VERSION 2 gives for the strings below: if this test fails, the ids changed,
# so TOKENIZER_VERSION must go up (and this digest with it), or kept vectors go stale.
TOKENIZER_FINGERPRINT = {2: "257fd0014a57338f94bfa95e2e401e8e7c5a3168faed9715ed48a10f17908aa7"}
SAMPLES = [
    "This is an example sentence",
    "is the £2000 uni bursary per year or in total",
    "got £0 til friday n no food in, pls help 😭😭",
    "ok👍 thanks!!",
    "café naïve résumé ΟΔΟΣ İstanbul",
    "日本語 한국어 中文",
    "a\u200bb\u200dc\x07d\ufeffe",
    "[SEP] [cls] [MASK",
    "x" * 101,
]


def fingerprint(tokenizer: embedding.WordPieceTokenizer) -> str:
    digest = hashlib.sha256()
    texts = [*SAMPLES, *(f"a{chr(code)}b" for code in range(0x10000) if code < 0xD800)]
    for text in texts:
        digest.update(repr(tokenizer.encode(text, 10**9)).encode())
    return digest.hexdigest()


def test_the_tokenizer_version_names_the_ids_it_gives() -> None:
    tokenizer = embedding.pinned_tokenizer()
    assert fingerprint(tokenizer) == TOKENIZER_FINGERPRINT[embedding.TOKENIZER_VERSION]


def test_the_encoder_id_changes_with_the_weights_the_vocabulary_or_the_tokenizer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = {embedding.encoder_id()}
    monkeypatch.setattr(embedding, "TOKENIZER_VERSION", embedding.TOKENIZER_VERSION + 1)
    seen.add(embedding.encoder_id())
    files = dict(embedding.MODEL_FILES)
    monkeypatch.setattr(embedding, "MODEL_FILES", {**files, "vocab.txt": "0" * 64})
    seen.add(embedding.encoder_id())
    monkeypatch.setattr(embedding, "MODEL_FILES", {**files, "model.safetensors": "1" * 64})
    seen.add(embedding.encoder_id())
    assert len(seen) == 4


@pytest.mark.timeout(900)
def test_the_safety_banks_vectors_are_kept_under_the_encoder_id() -> None:
    """The layer the bot builds keeps the bank's vectors in a file named by encoder_id."""
    layer = semantic.build_layer()
    texts = [semantic.normalise(example.text) for example in layer.bank]
    key = "\n".join([embedding.encoder_id(), *texts]).encode()
    digest = hashlib.sha256(key).hexdigest()[:16]
    kept = semantic.vector_cache_path()
    assert kept.with_name(f"{kept.stem}-{digest}.npy").exists()
