"""The meaning-based layer of "does this message ask for a person?" (bot/person_request).

Patterns first, then the example bank's nearest neighbours with a margin against near
misses: the dev sets' figures, near misses left alone, a crisis still a crisis, and one
sentence vector per message at most.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from bot.answering import SENTENCE_VECTOR_KEY
from bot.person_request import bank as bank_module
from bot.person_request import recogniser, semantic
from bot.person_request.recogniser import NO, asks_for_person
from bot.rasa_plugins.person_request import PersonRequest
from bot.rasa_plugins.safety_net import SafetyNet
from bot.settings import PROJECT_ROOT

DEV_SETS = [
    PROJECT_ROOT / "tests" / "dev_set" / "person_requests.yml",
    PROJECT_ROOT / "tests" / "dev_set" / "person_requests_more.yml",
]
# Floors measured on the dev sets with the bank's settings (docs/matching.md), not
# wished for: a change that loses a request, or hands over another near miss, fails.
RECALL_FLOOR = 0.96  # 320 of 333 when set
NEAR_MISS_FLOOR = 0.96  # 166 of 172 when set

pytestmark = pytest.mark.timeout(300)


def dev(expected: str) -> list[str]:
    return [
        m["text"]
        for path in DEV_SETS
        for m in yaml.safe_load(path.read_text())["messages"]
        if m["expected"] == expected
    ]


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode and how far it reads."""

    def __init__(self) -> None:
        from entitlements.embedding import shared_encoder

        self.encoder = shared_encoder()
        self.calls: list[tuple[int, int]] = []

    def __call__(self, texts, max_tokens: int = 128):
        self.calls.append((len(texts), max_tokens))
        return self.encoder.encode(texts, max_tokens=max_tokens)


@pytest.fixture(scope="module")
def layer() -> semantic.Layer:
    recogniser.warm_up()
    built = recogniser._layer()
    assert built is not None
    return built


def test_the_second_dev_set_has_every_kind():
    counts = Counter(m["expected"] for m in yaml.safe_load(DEV_SETS[1].read_text())["messages"])
    assert counts["handoff"] >= 100 and counts["not"] >= 50 and counts["crisis"] >= 4


def test_requests_for_a_person_on_the_dev_sets(layer):
    requests = dev("handoff")
    found = sum(asks_for_person(t, layer=layer).asks for t in requests)
    assert found / len(requests) >= RECALL_FLOOR, f"{found} of {len(requests)}"


def test_the_layer_finds_what_the_patterns_miss(layer):
    requests = dev("handoff")
    patterns = sum(asks_for_person(t, patterns_only=True).asks for t in requests)
    both = sum(asks_for_person(t, layer=layer).asks for t in requests)
    assert both - patterns >= 30, f"patterns {patterns}, with the layer {both}"


def test_near_misses_on_the_dev_sets_are_not_requests(layer):
    near = dev("not")
    right = sum(not asks_for_person(t, layer=layer).asks for t in near)
    assert right / len(near) >= NEAR_MISS_FLOOR, f"{right} of {len(near)}"


@pytest.mark.parametrize(
    "text",
    [
        "what does a personal adviser do for someone leaving care",
        "can i still have a PA when im 22",
        "is there help with council tax for care leavers",
        "my PA mentioned the setting up home allowance, how much is it",
        "how long does the council have to reply to my complaint",
        "who can i talk to about feeling low all the time",
        "are you a bot",
        "hi",
    ],
)
def test_questions_about_pas_and_entitlements_do_not_route(layer, text):
    assert asks_for_person(text, layer=layer) == NO


@pytest.mark.parametrize(
    "text",
    [
        "would a member of the team be able to phone me",
        "im owed a call from leaving care",
        "my worker keeps letting me down",
        "is there an actual worker on this chat",
    ],
)
def test_requests_the_patterns_miss_are_found_by_meaning(layer, text):
    assert not asks_for_person(text, patterns_only=True).asks
    finding = asks_for_person(text, layer=layer)
    assert finding.asks and finding.rule == f"semantic.{finding.kind}"


def test_one_message_is_encoded_once_and_read_to_the_limit(layer):
    encode = CountingEncoder()
    counting = semantic.Layer(
        layer.settings, layer.requests, layer.kinds, layer.near_misses, encode
    )
    asks_for_person("word " * 5000 + "how much is the bursary", layer=counting)
    assert encode.calls == [(1, layer.settings.max_tokens)]


def test_a_message_with_its_vector_is_not_encoded_again(layer):
    encode = CountingEncoder()
    counting = semantic.Layer(
        layer.settings, layer.requests, layer.kinds, layer.near_misses, encode
    )
    vector = encode.encoder.encode(["id love a real person to ring me back"])[0]
    encode.calls.clear()
    assert asks_for_person(
        "id love a real person to ring me back", layer=counting, vector=vector
    ).asks
    assert encode.calls == []


def test_short_messages_and_button_payloads_are_left_to_the_patterns(layer):
    encode = CountingEncoder()
    counting = semantic.Layer(
        layer.settings, layer.requests, layer.kinds, layer.near_misses, encode
    )
    assert asks_for_person("hello there", layer=counting) == NO
    assert asks_for_person('/ask_more{"entitlement": "x"}', layer=counting) == NO
    assert encode.calls == []


def test_the_decision_is_threshold_and_margin():
    settings = bank_module.Settings(
        threshold=0.5, margin=0.1, neighbours=1, max_tokens=16, min_words=1
    )
    requests = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
    near = np.array([[0.0, 1.0, 0.0]], dtype=np.float32)
    layer = semantic.Layer(settings, requests, ["complaint"], near)
    assert layer.asks(np.array([0.9, 0.1, 0.0])) == "complaint"
    assert layer.asks(np.array([0.45, 0.0, 0.9])) is None  # below the threshold
    assert layer.asks(np.array([0.6, 0.55, 0.0])) is None  # not clear of the near miss


def test_a_content_question_a_pattern_fires_on_is_not_a_near_miss():
    bank = bank_module.load()
    near = semantic.near_miss_texts(
        bank,
        recogniser._rules(),
        ["want to complain about my PA", "how much is the bursary"],
    )
    assert "how much is the bursary" in near
    assert "want to complain about my PA" not in near


def component_message(text: str, ranking: list[tuple[str, float]], vector=None) -> Message:
    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    data = {"text": text, "intent": ranked[0], "intent_ranking": ranked}
    if vector is not None:
        data[SENTENCE_VECTOR_KEY] = [round(float(x), 5) for x in vector]
    return Message(data=data)


def test_the_component_uses_the_pipelines_vector_for_a_request_the_patterns_miss(layer):
    from entitlements.embedding import shared_encoder

    text = "would a member of the team be able to phone me"
    vector = shared_encoder().encode([text])[0]
    msg = component_message(text, [("ask_entitlement", 0.7), ("greet", 0.1)], vector)
    PersonRequest().process([msg])
    assert msg.get("intent") == {"name": "ask_for_pa", "confidence": 1.0}
    assert str(msg.get("person_request")).startswith("semantic.")


@pytest.mark.parametrize("text", dev("crisis"))
def test_a_crisis_stays_a_crisis_after_both_components(layer, text):
    msg = component_message(text, [("ask_for_pa", 0.7), ("ask_entitlement", 0.2)])
    SafetyNet(SafetyNet.get_default_config()).process([msg])
    PersonRequest().process([msg])
    assert msg.get("intent")["name"] == "crisis"
