"""The request-for-a-person NLU component, after the safety net as in config.yml."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.person_request import PersonRequest
from bot.rasa_plugins.safety_net import SafetyNet
from bot.safety.screen import Tier, Verdict, remember

pytestmark = pytest.mark.timeout(120)


def message(text: str, ranking: list[tuple[str, float]]) -> Message:
    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    return Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})


def intent(msg: Message) -> tuple[str, float]:
    return msg.get("intent")["name"], msg.get("intent")["confidence"]


def both(msg: Message) -> Message:
    SafetyNet(SafetyNet.get_default_config()).process([msg])
    PersonRequest().process([msg])
    return msg


def test_a_request_for_a_person_becomes_ask_for_pa_whatever_the_model_said():
    msg = message(
        "my pa is off sick and nobody is answering the phone",
        [("ask_entitlement", 0.91), ("ask_for_pa", 0.05)],
    )
    PersonRequest().process([msg])
    assert intent(msg) == ("ask_for_pa", 1.0)
    assert [r["name"] for r in msg.get("intent_ranking")] == ["ask_for_pa", "ask_entitlement"]
    assert msg.get("person_request") == "pa_away.worker_away"


def test_nlu_fallback_becomes_ask_for_pa_for_a_request():
    msg = message("hello??", [("nlu_fallback", 0.6), ("greet", 0.4)])
    PersonRequest().process([msg])
    assert intent(msg) == ("ask_for_pa", 1.0)


def test_a_near_miss_keeps_the_models_intent():
    msg = message("can my PA help with rent", [("ask_entitlement", 0.8), ("ask_for_pa", 0.1)])
    PersonRequest().process([msg])
    assert intent(msg) == ("ask_entitlement", 0.8)
    assert msg.get("person_request") is None


def test_a_crisis_is_never_overruled():
    msg = message("is anyone there i am scared", [("crisis", 0.85), ("ask_for_pa", 0.1)])
    PersonRequest().process([msg])
    assert intent(msg) == ("crisis", 0.85)


def test_a_models_crisis_the_safety_net_overrules_becomes_a_request_for_a_person():
    # The model calls it a crisis; the safety net sees no risk and makes it nlu_fallback;
    # it asks for a person, so it reaches one instead of "I don't know".
    msg = both(
        message(
            "left loads of voicemails and nobody calls back",
            [("crisis", 0.7), ("ask_entitlement", 0.2)],
        )
    )
    assert intent(msg) == ("ask_for_pa", 1.0)


def test_a_models_crisis_the_safety_net_keeps_stays_a_crisis():
    msg = both(
        message(
            "is anyone there, everything feels hopeless and i am scared of myself",
            [("crisis", 0.93), ("ask_for_pa", 0.05)],
        )
    )
    assert intent(msg)[0] == "crisis"


def test_a_crisis_the_patterns_see_still_wins_over_a_request_for_a_person():
    msg = both(
        message(
            "my pa isnt answering and i have taken all my tablets",
            [("ask_for_pa", 0.7), ("crisis", 0.2)],
        )
    )
    assert intent(msg) == ("crisis", 1.0)


def test_an_empty_message_is_left_alone():
    msg = Message(data={"text": "", "intent": {"name": "greet", "confidence": 0.9}})
    PersonRequest().process([msg])
    assert msg.get("intent") == {"name": "greet", "confidence": 0.9}


def test_a_request_in_a_crisis_the_semantic_layer_alone_saw_reaches_a_person():
    # The channel sent the crisis reply to what the semantic layer alone read as risk;
    # the young person asked for someone, so they are handed to a person as well.
    text = "rang leaving care 3 times today, nobody answered"
    remember(text, Verdict(Tier.CRISIS, categories=("suicide",), detected_by="semantic"))
    msg = both(message(text, [("crisis", 0.6), ("ask_for_pa", 0.3)]))
    assert intent(msg) == ("ask_for_pa", 1.0)


def test_a_semantic_crisis_that_asks_for_nobody_stays_a_crisis():
    text = "everything is pointless lately"
    remember(text, Verdict(Tier.CRISIS, categories=("suicide",), detected_by="semantic"))
    msg = both(message(text, [("crisis", 0.6), ("ask_entitlement", 0.3)]))
    assert intent(msg) == ("crisis", 1.0)


def test_a_request_the_model_calls_a_crisis_after_a_check_in_reaches_a_person():
    # The channel sent the check-in (possible risk, semantic layer); the model says crisis
    # and the message has a word of distress, so the crisis intent stands, but it asks
    # for a person: they are handed to one.
    text = "trying to get through to my pa for two weeks and nobody has got back to me"
    remember(text, Verdict(Tier.POSSIBLE, detected_by="semantic", mentions_risk=True))
    msg = both(message(text, [("crisis", 0.9), ("ask_for_pa", 0.05)]))
    assert intent(msg) == ("ask_for_pa", 1.0)
