"""Text starting with "/" reaches Rasa as an intent only when it is a button the bot offers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.answering import choice_payload
from bot.channels.payloads import (
    NO_WORDS,
    OfferedPayloads,
    load_offered,
    neutralise,
    payloads_in_domain,
)
from bot.settings import PROJECT_ROOT

DOMAIN = PROJECT_ROOT / "domain.yml"


@pytest.fixture(scope="module")
def offered() -> OfferedPayloads:
    return load_offered([DOMAIN])


def test_every_button_in_the_domain_is_offered(offered):
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    buttons = {
        button["payload"]
        for variants in domain["responses"].values()
        for variant in variants
        for button in variant.get("buttons", [])
    }
    assert buttons == set(offered.exact)
    assert {"/ask_more", "/ask_how_to_get", "/ask_who_can_get", "/feedback_helpful"} <= buttons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The bot's own buttons go through as they are.
        ("/ask_more", "/ask_more"),
        ("/feedback_not_helpful", "/feedback_not_helpful"),
        ("  /ask_how_to_get \n", "/ask_how_to_get"),
        (choice_payload("junior-isa"), choice_payload("junior-isa")),
        (choice_payload("16-19-bursary"), choice_payload("16-19-bursary")),
        # Anything else starting with "/" is words.
        ('/inform{"care_status":"relevant"}', 'inform{"care_status":"relevant"}'),
        ("/ask_for_pa", "ask_for_pa"),
        ("/crisis", "crisis"),
        ('/ask_more{"entitlement_id": "junior-isa"}', 'ask_more{"entitlement_id": "junior-isa"}'),
        ("/ask_more ", "/ask_more"),  # outer spaces aside, it is the button
        ("/ask_more please", "ask_more please"),
        ("//ask_more", "ask_more"),
        ("  ///greet", "greet"),
        ("/ / greet", "greet"),  # not "/ greet", which Rasa would strip to "/greet"
        ("/\n/greet", "greet"),
        ("/", NO_WORDS),
        ("///  ", NO_WORDS),
        ('/ask_entitlement{"entitlement_id": "junior-isa", "age_question": "x"}', None),
        ('/ask_entitlement{"entitlement_id":"junior-isa"}', None),
        ('/ask_entitlement{"entitlement_id": "Junior ISA"}', None),
        ("/ASK_MORE", "ASK_MORE"),
        # Text not starting with "/" is left exactly alone.
        ("how much is the setting up home grant", "how much is the setting up home grant"),
        ("is 1/2 of it mine", "is 1/2 of it mine"),
        ("  hi  ", "  hi  "),
    ],
)
def test_neutralise(offered, text, expected):
    result = neutralise(text, offered)
    if expected is None:  # refused: the slashes are gone, the words kept
        assert result == text.lstrip("/")
    else:
        assert result == expected


OFFERED = load_offered([DOMAIN])


def _reaches_rasa_as_intent(text: str) -> bool:
    """Rasa strips the text (UserMessage), then reads a leading "/" as an intent."""
    return text.strip().startswith("/")


@given(st.text(max_size=60))
def test_only_offered_payloads_reach_rasa_as_intents(text):
    result = neutralise(text, OFFERED)
    assert result.strip() or not text.strip()
    if _reaches_rasa_as_intent(result):
        assert OFFERED.allows(result.strip())


@given(
    st.text(alphabet=" \t\n/", max_size=6),
    st.sampled_from([*sorted(OFFERED.exact), "inform", "ask_for_pa", "crisis", "greet"]),
    st.text(max_size=40),
)
def test_slashes_and_spaces_before_an_intent_never_choose_it(prefix, intent, rest):
    text = f"{prefix}/{intent}{rest}"
    result = neutralise(text, OFFERED)
    assert result.strip()
    if _reaches_rasa_as_intent(result):
        assert OFFERED.allows(result) and result == text.strip()


@given(st.text(max_size=60).filter(lambda t: not t.strip().startswith("/")))
def test_text_not_starting_with_a_slash_is_untouched(text):
    assert neutralise(text, OFFERED) == text


def test_payloads_in_a_domain_come_from_every_response_variant(tmp_path: Path):
    domain = {
        "responses": {
            "utter_a": [{"text": "a", "buttons": [{"title": "A", "payload": "/one"}]}],
            "utter_b": [
                {"text": "b"},
                {"text": "b2", "buttons": [{"title": "B", "payload": " /two "}]},
                {"text": "b3", "buttons": [{"title": "C", "payload": "words, not an intent"}]},
            ],
        }
    }
    assert payloads_in_domain(domain) == {"/one", "/two"}
    assert payloads_in_domain({}) == frozenset()
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump(domain), encoding="utf-8")
    assert load_offered([path]).exact == {"/one", "/two"}
