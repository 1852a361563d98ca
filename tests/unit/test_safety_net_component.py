"""The safety net's NLU component: patterns decide first, the model only with risk words."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_plugins.safety_net import SEMANTIC_REPLY_KEY, SafetyNet
from bot.safety.categories import ANSWERED_BY_ENTRY, ENTRY_EXTRACTOR
from bot.safety.screen import Tier, Verdict, check_now, remember


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


# -- after the channel's crisis reply (its verdict is remembered for the NLU) -----------


def test_nowhere_safe_tonight_after_the_crisis_reply_asks_for_the_entry(net):
    text = "i got nowhere to sleep tonight"
    remember(text, check_now(text))
    msg = message(text, [("crisis", 0.9), ("ask_entitlement", 0.05)])
    net.process([msg])
    assert intent(msg) == ("ask_entitlement", 1.0)
    assert [r["name"] for r in msg.get("intent_ranking")] == ["ask_entitlement"]
    entities = msg.get("entities")
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("entitlement_id", ANSWERED_BY_ENTRY["nowhere_safe_tonight"], ENTRY_EXTRACTOR)
    ]


def test_nowhere_safe_tonight_nobody_has_answered_stays_a_crisis(net):
    # Checked here, not by a channel: no crisis reply has gone, so the crisis stands.
    msg = message("i got nowhere to sleep tonight", [("ask_entitlement", 0.9)])
    net.process([msg])
    assert intent(msg) == ("crisis", 1.0)
    assert not msg.get("entities")


def test_nowhere_safe_tonight_with_a_risk_to_life_stays_a_crisis(net):
    text = "nowhere to sleep tonight and i want to kill myself"
    verdict = check_now(text)
    assert set(verdict.categories) >= {"suicide", "nowhere_safe_tonight"}
    remember(text, verdict)
    msg = message(text, [("ask_entitlement", 0.9)])
    net.process([msg])
    assert intent(msg) == ("crisis", 1.0)
    assert not msg.get("entities")


def test_a_crisis_the_semantic_layer_alone_saw_is_marked_once_replied(net):
    text = "rang them three times today and nobody picked up"
    remember(text, Verdict(Tier.CRISIS, categories=("suicide",), detected_by="semantic"))
    msg = message(text, [("ask_for_pa", 0.5), ("crisis", 0.3)])
    net.process([msg])
    assert intent(msg) == ("crisis", 1.0)
    assert msg.get(SEMANTIC_REPLY_KEY) is True


def test_a_crisis_the_patterns_saw_is_not_marked(net):
    text = "i have taken all my pills"
    remember(text, check_now(text))
    msg = message(text, [("ask_for_pa", 0.9)])
    net.process([msg])
    assert intent(msg) == ("crisis", 1.0)
    assert not msg.get(SEMANTIC_REPLY_KEY)


def test_a_semantic_crisis_is_answered_too_only_after_the_channels_reply(net, monkeypatch):
    text = "how do i get the setting up home allowance, im not coping"
    semantic = Verdict(Tier.CRISIS, categories=("suicide",), detected_by="semantic")
    sure = [("ask_entitlement", 0.95), ("crisis", 0.02)]
    # Checked here (no channel replied): the crisis reply has not gone, so it stands.
    monkeypatch.setattr("bot.rasa_plugins.safety_net.check_now", lambda _text: semantic)
    net.process([unreplied := message(text, sure)])
    assert intent(unreplied) == ("crisis", 1.0)
    assert not unreplied.get(SEMANTIC_REPLY_KEY)
    # The channel replied: the answer follows its crisis reply.
    remember(text, semantic)
    net.process([replied := message(text, sure)])
    assert intent(replied) == ("ask_entitlement", 0.95)
