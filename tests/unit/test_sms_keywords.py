"""STOP, START and HELP as Twilio answers them, and GOT IT for a pack (issue 15, item 12)."""

from __future__ import annotations

import pytest

from bot.channels.sms.keywords import (
    Keyword,
    KeywordAction,
    KeywordMode,
    is_got_it,
    keyword,
    keyword_action,
)

DEMO, NUMBER, SERVICE = KeywordMode.DEMO, KeywordMode.NUMBER, KeywordMode.MESSAGING_SERVICE


@pytest.mark.parametrize(
    "word", ["STOP", "stopall", "Unsubscribe", "cancel", "END", "quit", "REVOKE", "optout"]
)
def test_every_current_twilio_opt_out_keyword_stops(word):
    assert keyword(word) is Keyword.STOP
    assert keyword_action(word, None, NUMBER) == KeywordAction(Keyword.STOP, True)
    assert keyword_action(word, None, DEMO) == KeywordAction(Keyword.STOP, False)


@pytest.mark.parametrize("word", ["START", "unstop"])
def test_twilios_opt_in_keywords_start(word):
    assert keyword_action(word, None, NUMBER) == KeywordAction(Keyword.START, True)
    assert keyword_action(word, None, DEMO) == KeywordAction(Keyword.START, False)


@pytest.mark.parametrize("word", ["HELP", "info"])
def test_twilios_help_keywords(word):
    assert keyword_action(word, None, NUMBER) == KeywordAction(Keyword.HELP, True)


def test_yes_is_twilios_opt_in_on_a_plain_number_and_words_for_the_bot_otherwise():
    assert keyword_action("YES", None, NUMBER) == KeywordAction(Keyword.START, True)
    assert keyword_action("yes", None, DEMO) is None
    assert keyword_action("Yes", None, SERVICE) is None  # the service's own keywords rule


@pytest.mark.parametrize("word", ["resume", "optin"])
def test_words_twilio_does_not_treat_as_opt_in_are_not_ours_either(word):
    """They would lift our block while Twilio kept its own: every text refused (21610)."""
    assert keyword_action(word, None, NUMBER) is None
    assert keyword_action(word, None, DEMO) is None


def test_with_a_messaging_service_optouttype_says_what_twilio_did():
    assert keyword_action("Arret", "STOP", SERVICE) == KeywordAction(Keyword.STOP, True)
    assert keyword_action("START", "start", SERVICE) == KeywordAction(Keyword.START, True)
    assert keyword_action("help", "HELP", SERVICE) == KeywordAction(Keyword.HELP, True)
    # Without it, Twilio did not treat the message as a keyword: the service answers.
    assert keyword_action("STOP", None, SERVICE) == KeywordAction(Keyword.STOP, False)
    assert keyword_action("STOP", "SOMETHING-NEW", SERVICE) == KeywordAction(Keyword.STOP, False)


def test_a_keyword_twilio_did_not_see_exactly_is_answered_by_the_service():
    assert keyword_action("Stop.", None, NUMBER) == KeywordAction(Keyword.STOP, False)
    assert keyword_action(" stop ", None, NUMBER) == KeywordAction(Keyword.STOP, True)


@pytest.mark.parametrize("body", ["stop it he's hurting me", "help me please", "please stop"])
def test_a_keyword_inside_a_sentence_is_a_message(body):
    for mode in KeywordMode:
        assert keyword_action(body, None, mode) is None


@pytest.mark.parametrize(
    ("body", "got"),
    [
        ("GOT IT", True),
        ("got it!", True),
        (" Got ", True),
        ("gotit", True),
        ("YES", False),
        ("y", False),
        ("I got it", False),
        ("got it thanks", False),
        ("", False),
    ],
)
def test_a_pack_is_acknowledged_with_got_it_not_yes(body, got):
    assert is_got_it(body) is got
