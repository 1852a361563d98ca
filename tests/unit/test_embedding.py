"""The NumPy sentence encoder gives the published all-MiniLM-L6-v2 vectors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from entitlements.embedding import (
    MODEL_FILES,
    MODEL_SHA256,
    ModelNotInstalledError,
    SentenceEncoder,
    model_dir,
    pinned_tokenizer,
)


def test_reference_sentence_matches_sentence_transformers(encoder):
    # First six numbers of sentence-transformers' own all-MiniLM-L6-v2 output for this
    # sentence (from its documentation), to 4 decimal places.
    vector = encoder.encode(["This is an example sentence"])[0]
    assert np.allclose(vector[:6], [0.0677, 0.0635, 0.0487, 0.0793, 0.0374, 0.0027], atol=1e-4)
    assert vector.shape == (384,)
    assert np.isclose(np.linalg.norm(vector), 1.0)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder):
    a, b, c = encoder.encode(
        [
            "money for furniture for my first flat",
            "got nothing in my new place not even a bed",
            "who won the football",
        ]
    )
    assert a @ b > a @ c


def test_batches_give_the_same_vectors_as_one_at_a_time(encoder):
    texts = ["council tax", "can i stay with my foster carers after i turn 18", "uc"]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_an_offered_vector_is_exactly_the_vector_of_any_text_with_its_tokens(encoder):
    # The safety net encodes the normalised message; the NLU needs the message as sent.
    normalised = "can i get help with my rent"
    sent = "Can I get help with my RENT"
    assert encoder.tokenizer.encode(normalised) == encoder.tokenizer.encode(sent)
    offered = encoder.encode([normalised], max_tokens=64, offer=True)
    assert encoder.take_offered("can i get help with my deposit") is None
    taken = encoder.take_offered(sent)
    assert taken is not None
    assert np.array_equal(taken, offered[0])
    assert np.array_equal(taken, encoder.encode([sent])[0])
    assert encoder.take_offered(sent) is None  # once only


def test_nothing_is_offered_when_the_text_was_cut_or_encoded_in_a_batch(encoder):
    long = "i need help with money for college and my rent and my bills " * 8
    encoder.encode([long], max_tokens=16, offer=True)  # cut at 16 tokens
    assert encoder.take_offered(long) is None
    cut = encoder.tokenizer.encode(long, 16)
    assert len(cut) == 16
    encoder.encode(["rent help", "council tax"], offer=True)  # a batch: padded
    assert encoder.take_offered("rent help") is None
    encoder.encode(["rent help"])  # not offered unless asked
    assert encoder.take_offered("rent help") is None


def test_phrase_cache_returns_the_same_vectors(encoder):
    first = encoder.encode_phrases(["junior isa", "staying put"])
    again = encoder.encode_phrases(["staying put", "junior isa"])
    assert np.allclose(first[::-1], again)


def test_tokenizer_splits_words_into_known_pieces():
    tokenizer = pinned_tokenizer()
    assert tokenizer.encode("This is an example sentence") == [
        101,
        2023,
        2003,
        2019,
        2742,
        6251,
        102,
    ]
    assert len(tokenizer.encode("word " * 500)) == 128


def test_every_file_of_the_model_is_pinned():
    directory = model_dir()
    shipped = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    assert sorted(MODEL_FILES) == shipped
    assert MODEL_FILES["model.safetensors"] == MODEL_SHA256
    assert all(len(digest) == 64 for digest in MODEL_FILES.values())


def copy_of_the_model(tmp_path: Path) -> Path:
    """The installed model's files, linked into ``tmp_path`` (each can then be replaced)."""
    directory = model_dir()
    for name in MODEL_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).symlink_to(directory / name)
    return tmp_path


def test_the_model_linked_elsewhere_loads(tmp_path):
    encoder = SentenceEncoder(copy_of_the_model(tmp_path))
    assert encoder.tokenizer.encode("council tax") == [101, 2473, 4171, 102]


def test_wrong_weights_are_refused(tmp_path):
    directory = copy_of_the_model(tmp_path)
    (directory / "model.safetensors").unlink()
    (directory / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelNotInstalledError, match=r"model\.safetensors"):
        SentenceEncoder(directory)


def test_a_changed_vocabulary_is_refused(tmp_path):
    directory = copy_of_the_model(tmp_path)
    vocab = (model_dir() / "vocab.txt").read_text(encoding="utf-8")
    (directory / "vocab.txt").unlink()
    # Two tokens swapped: the same words, different ids, so different vectors.
    (directory / "vocab.txt").write_text(
        vocab.replace("\nthe\n", "\nTMP\n")
        .replace("\nand\n", "\nthe\n")
        .replace("\nTMP\n", "\nand\n"),
        encoding="utf-8",
    )
    with pytest.raises(ModelNotInstalledError, match=r"vocab\.txt"):
        SentenceEncoder(directory)
    with pytest.raises(ModelNotInstalledError, match=r"vocab\.txt"):
        pinned_tokenizer(directory)


@pytest.mark.parametrize("name", ["config.json", "1_Pooling/config.json", "README.md"])
def test_every_other_file_of_the_model_is_checked_too(tmp_path, name):
    directory = copy_of_the_model(tmp_path)
    (directory / name).unlink()
    with pytest.raises(ModelNotInstalledError, match=re.escape(name)):
        SentenceEncoder(directory)
    (directory / name).write_text("{}")
    with pytest.raises(ModelNotInstalledError, match=re.escape(name)):
        SentenceEncoder(directory)


def test_the_weights_are_safetensors_own_reading_of_the_file(encoder):
    from safetensors.numpy import load_file

    published = load_file(str(model_dir() / "model.safetensors"))
    assert np.array_equal(encoder.word, published["embeddings.word_embeddings.weight"])
    assert np.array_equal(
        encoder.layers[5].norm2[1], published["encoder.layer.5.output.LayerNorm.bias"]
    )


def test_the_shared_encoder_runs_matrix_products_on_one_thread() -> None:
    from threadpoolctl import threadpool_info

    from entitlements.embedding import shared_encoder

    shared_encoder()
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    assert blas
    assert all(info["num_threads"] == 1 for info in blas)


def plain_greedy_pieces(vocab: dict[str, int], unk: int, word: str) -> list[int]:
    """BERT's WordPiece as published: the longest match from each point, no shortcut."""
    if len(word) > 100:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def test_the_tokenizers_shortcut_gives_the_same_pieces_as_the_plain_search():
    """Trying no piece longer than the vocabulary's longest changes no result."""
    import random

    tokenizer = pinned_tokenizer()
    rng = random.Random(7)
    words = [w for w in tokenizer.vocab if w.isalpha()]
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789éß"
    for _ in range(5000):
        shape = rng.random()
        if shape < 0.4:  # real words run together
            word = "".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        elif shape < 0.8:  # junk of any length up to past the 100-character limit
            word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 110)))
        else:
            word = rng.choice(words) + "".join(rng.choice(alphabet) for _ in range(3))
        word = word.lower()
        expected = plain_greedy_pieces(tokenizer.vocab, tokenizer.unk, word)
        assert tokenizer._pieces(word) == expected, word


def test_reading_to_fewer_tokens_gives_the_same_prefix():
    tokenizer = pinned_tokenizer()
    text = "i have been trying to sort out my council tax and bursary " * 10
    whole = tokenizer.encode(text)
    assert tokenizer.encode(text, 20) == [*whole[:19], tokenizer.sep]
