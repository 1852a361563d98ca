"""STOP, START and HELP, as UK mobile users expect them.

Only a message that is nothing but the keyword counts ("STOP", "stop.", " Stop "):
"stop it he's hurting me" is a message for the bot, and its safety net, not an
opt-out. Pure functions, no I/O.
"""

from __future__ import annotations

import enum

from bot import linear_re

_CLEAN = r"[^a-z]+"  # runs, not single characters: the same result, fewer matches


class Keyword(str, enum.Enum):
    """What a keyword message asks for."""

    STOP = "stop"
    START = "start"
    HELP = "help"


_KEYWORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout"), Keyword.STOP
    ),
    **dict.fromkeys(("start", "unstop", "resume", "optin"), Keyword.START),
    **dict.fromkeys(("help", "info"), Keyword.HELP),
}


def keyword(body: str) -> Keyword | None:
    """The keyword a message is, if it is nothing else.

    Args:
        body: The SMS as received.

    Returns:
        The keyword, or None for any other message.
    """
    words = body.split()
    if len(words) != 1:
        return None
    return _KEYWORDS.get(linear_re.compile(_CLEAN).sub("", words[0].lower()))


_YES = frozenset({"yes", "y", "yeah"})


def is_yes(body: str) -> bool:
    """True if a message is nothing but a yes ("YES", "y", " Yeah. "), in any case.

    A pack's text asks "Reply YES if you got it"; the channel checks this before
    the bot, and only acts on it when the sender has a pack waiting for that answer.
    """
    words = body.split()
    return len(words) == 1 and linear_re.compile(_CLEAN).sub("", words[0].lower()) in _YES
