"""STOP, START and HELP, as Twilio and UK mobile users expect them.

Twilio itself answers the opt-out, opt-in and help keywords on a long-code number, and
blocks texts to a number that opted out (its error 21610) until it opts back in:

- opt-out: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT;
- opt-in: START, YES, UNSTOP;
- help: HELP, INFO.

Only a message that is nothing but the keyword counts, in any case ("stop it he's
hurting me" is a message for the bot, and its safety net, not an opt-out).

So the channel must not answer those a second time, and must record what Twilio did.
:func:`keyword_action` says, for one inbound text, which keyword it is (if any) and
whether Twilio has already answered it:

- with a Messaging Service and Advanced Opt-Out (``TWILIO_MESSAGING_SERVICE_SID``),
  Twilio says so in the webhook's ``OptOutType`` (``STOP``, ``START`` or ``HELP``): the
  council sets the keywords and the words of Twilio's replies there (docs/sms-setup.md);
  a message without it is not one of Twilio's keywords;
- with a plain number (``TWILIO_FROM_NUMBER``), Twilio applies its default keywords
  above, exactly as typed (spaces around aside);
- in demo mode there is no Twilio: the service answers the keywords itself.

A keyword Twilio did not answer (``Stop.``, say) is answered by the service. YES is
one of Twilio's opt-in keywords, so the service never asks anyone to reply YES (an
entitlements pack asks for GOT IT: :func:`is_got_it`); the service's own reading of a
message leaves YES to the bot. Pure functions, no I/O.
"""

from __future__ import annotations

import dataclasses
import enum


class Keyword(str, enum.Enum):
    """What a keyword message asks for."""

    STOP = "stop"
    START = "start"
    HELP = "help"


class KeywordMode(str, enum.Enum):
    """Who answers keywords: how the service sends its texts."""

    DEMO = "demo"
    """No Twilio: the service answers every keyword itself."""
    NUMBER = "number"
    """A plain Twilio number: Twilio answers its default keywords."""
    MESSAGING_SERVICE = "messaging_service"
    """A Messaging Service with Advanced Opt-Out: Twilio says what it did (OptOutType)."""


TWILIO_OPT_OUT = ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout")
"""Twilio's default opt-out keywords."""
TWILIO_OPT_IN = ("start", "yes", "unstop")
"""Twilio's default opt-in keywords."""
TWILIO_HELP = ("help", "info")
"""Twilio's default help keywords."""

_TWILIO: dict[str, Keyword] = {
    **dict.fromkeys(TWILIO_OPT_OUT, Keyword.STOP),
    **dict.fromkeys(TWILIO_OPT_IN, Keyword.START),
    **dict.fromkeys(TWILIO_HELP, Keyword.HELP),
}
# The service's own reading: Twilio's words, with any punctuation, but not YES, which
# people say in conversation (Twilio may still treat it as an opt-in: see above).
_OWN: dict[str, Keyword] = {word: kind for word, kind in _TWILIO.items() if word != "yes"}
_OPT_OUT_TYPES = {"STOP": Keyword.STOP, "START": Keyword.START, "HELP": Keyword.HELP}


def _letters(word: str) -> str:
    return "".join(char for char in word.lower() if "a" <= char <= "z")


def keyword(body: str) -> Keyword | None:
    """The keyword a message is, if it is nothing else ("STOP", "stop.", " Stop ").

    Args:
        body: The SMS as received.

    Returns:
        The keyword, or None for any other message (YES included).
    """
    words = body.split()
    if len(words) != 1:
        return None
    return _OWN.get(_letters(words[0]))


def twilio_keyword(body: str) -> Keyword | None:
    """The keyword Twilio's default handling sees in a message: the exact word, any case."""
    return _TWILIO.get(body.strip().casefold())


@dataclasses.dataclass(frozen=True)
class KeywordAction:
    """A keyword message, and whether Twilio has already answered it (then: record only)."""

    keyword: Keyword
    answered_by_twilio: bool


def keyword_action(body: str, opt_out_type: str | None, mode: KeywordMode) -> KeywordAction | None:
    """Which keyword an inbound text is, and whether Twilio already answered it.

    Args:
        body: The SMS as received.
        opt_out_type: The webhook's ``OptOutType`` (Advanced Opt-Out), if it had one.
        mode: How the service sends texts (see :class:`KeywordMode`).

    Returns:
        The keyword and who answered it; None for a message that is no keyword.
    """
    told = _OPT_OUT_TYPES.get((opt_out_type or "").strip().upper())
    if told is not None:
        return KeywordAction(told, answered_by_twilio=mode is not KeywordMode.DEMO)
    if mode is KeywordMode.NUMBER:
        default = twilio_keyword(body)
        if default is not None:
            return KeywordAction(default, answered_by_twilio=True)
    own = keyword(body)
    return KeywordAction(own, answered_by_twilio=False) if own is not None else None


_GOT_IT = frozenset({"got", "gotit", "got it"})


def is_got_it(body: str) -> bool:
    """True if a message is nothing but "GOT IT" (or "got", "Got it!"), in any case.

    A pack's text asks "Reply GOT IT when you have it"; the channel checks this before
    the bot, and only acts on it when the sender has a pack waiting for that answer.
    Not YES: that is one of Twilio's opt-in keywords.
    """
    words = [_letters(word) for word in body.split()]
    return " ".join(word for word in words if word) in _GOT_IT and len(words) <= 2
