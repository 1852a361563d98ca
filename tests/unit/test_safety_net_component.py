"""The safety net's NLU component: patterns decide first, the model only with risk words."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.safety_net import SafetyNet


def message(text: str, ranking: list[tuple[str, float]]) -> Message:
    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    return Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})


@pytest.fixture
def net() -> SafetyNet:
    return SafetyNet(SafetyNet.get_default_config())


def intent(msg: Message) -> tuple[str, float]:
    return msg.get("intent")["name"], msg.get("intent")["confidence"]


def test_patterns_make_it_a_crisis_whatever_the_model_said(net):
    msg = message("i have taken all my pills", [("ask_entitlement", 0.99), ("crisis", 0.01)])
    net.process([msg])
    assert intent(msg) == ("crisis", 1.0)
    assert msg.get("intent_ranking")[0]["name"] == "crisis"


def test_a_sure_model_with_words_of_danger_is_trusted(net):
    msg = message(
        "everything feels hopeless and i am scared of myself",
        [("crisis", 0.93), ("ask_entitlement", 0.05)],
    )
    net.process([msg])
    assert intent(msg)[0] == "crisis"


def test_a_sure_model_without_words_of_danger_is_overruled(net):
    msg = message(
        "overdraft fees are doing me in this month", [("crisis", 0.9), ("out_of_scope", 0.08)]
    )
    net.process([msg])
    assert intent(msg)[0] == "nlu_fallback"
    assert [r["name"] for r in msg.get("intent_ranking")][:2] == ["nlu_fallback", "out_of_scope"]


def test_an_overruled_crisis_keeps_a_confident_next_intent(net):
    msg = message(
        "social services messed up my move, i want someone to hold them to account",
        [("crisis", 0.35), ("ask_entitlement", 0.64)],
    )
    msg.set("intent", {"name": "crisis", "confidence": 0.9})
    net.process([msg])
    assert intent(msg) == ("ask_entitlement", 0.64)


def test_a_figure_of_speech_is_overruled(net):
    msg = message("this form is killing me", [("crisis", 0.95), ("ask_entitlement", 0.7)])
    net.process([msg])
    assert intent(msg)[0] == "ask_entitlement"


def test_other_intents_pass_untouched(net):
    msg = message("how much is the setting up home allowance", [("ask_entitlement", 0.97)])
    net.process([msg])
    assert intent(msg) == ("ask_entitlement", 0.97)
