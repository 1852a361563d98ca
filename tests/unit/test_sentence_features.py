"""Sentence vectors for the NLU pipeline: from the action server, or computed here."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins import sentence_features
from bot.rasa_plugins.sentence_features import SentenceEmbeddingFeaturizer


@pytest.fixture
def featurizer() -> SentenceEmbeddingFeaturizer:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "scale": 30.0}
    return SentenceEmbeddingFeaturizer("test", config)


def test_features_are_the_scaled_sentence_vector_and_it_is_passed_on(featurizer, encoder):
    message = Message(data={"text": "can i get help with council tax"})
    featurizer.process([message])
    _, sentence = message.get_dense_features("text")
    expected = encoder.encode(["can i get help with council tax"])[0]
    assert np.allclose(sentence.features[0], 30.0 * expected, atol=1e-4)
    assert np.allclose(message.get("sentence_vector"), expected, atol=1e-5)


def test_an_empty_message_gets_a_blank_vector_of_the_right_size(featurizer, encoder):
    # Found by the fuzz tests: an SMS of only spaces (Rasa strips it to "") had no
    # sentence vector, and the classifier failed on too few features.
    message = Message(data={"text": ""})
    featurizer.process([message])
    _, sentence = message.get_dense_features("text")
    assert sentence.features.shape == (1, encoder.dimension)
    assert not sentence.features.any()


async def test_unreachable_action_server_means_encoding_here(monkeypatch, featurizer, encoder):
    async def nobody_answers(_text):
        return None

    monkeypatch.setattr(sentence_features, "_remote", nobody_answers)
    text = "how do i apply for the apprenticeship bursary please"
    await sentence_features.precompute(text)
    vector = sentence_features._precomputed.take(text)
    assert vector is not None
    assert np.allclose(vector, encoder.encode([text])[0], atol=1e-6)


async def test_the_remote_call_gives_up_quietly_when_nothing_listens(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "9")  # discard port: nothing answers
    sentence_features.get_settings.cache_clear()
    try:
        assert await sentence_features._remote("hello") is None
    finally:
        sentence_features.get_settings.cache_clear()


def test_a_precomputed_vector_is_taken_once(featurizer):
    text = "this exact message was encoded ahead"
    sentence_features._precomputed.put(text, np.ones(384, dtype=np.float32) / np.sqrt(384))
    assert sentence_features._precomputed.take(text) is not None
    assert sentence_features._precomputed.take(text) is None


async def test_the_safety_nets_vector_is_used_when_its_tokens_are_the_messages(monkeypatch):
    from entitlements.embedding import shared_encoder

    async def must_not_be_asked(_text):
        raise AssertionError("the action server was asked to encode it again")

    monkeypatch.setattr(sentence_features, "_remote", must_not_be_asked)
    encoder = shared_encoder()
    text = "Can I get help paying for my driving lessons"
    encoder.encode(["can i get help paying for my driving lessons"], max_tokens=64, offer=True)
    await sentence_features.precompute(text)
    vector = sentence_features._precomputed.take(text)
    assert vector is not None
    assert np.array_equal(vector, encoder.encode([text])[0])


async def test_a_message_the_safety_net_read_differently_is_encoded_again(monkeypatch):
    from entitlements.embedding import shared_encoder

    asked: list[str] = []

    async def action_server(text):
        asked.append(text)
        return None  # then encoded here

    monkeypatch.setattr(sentence_features, "_remote", action_server)
    encoder = shared_encoder()
    text = "cant pay my rent whats the help"
    encoder.encode(["cannot pay my rent whats the help"], max_tokens=64, offer=True)
    await sentence_features.precompute(text)
    assert asked == [text]
    vector = sentence_features._precomputed.take(text)
    assert vector is not None
    assert np.allclose(vector, encoder.encode([text])[0], atol=1e-6)
