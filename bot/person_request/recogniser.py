"""Does this message ask for a person? The reviewed rules applied to one message."""

from __future__ import annotations

import dataclasses
import functools

from bot.person_request import rules as rules_module

# Where the Rasa component puts the rule that fired in a message's parse data (its name
# only, never the text), so the action knows the recogniser, not only the model, saw a
# request for a person.
PARSE_KEY = "person_request"

# Longer messages are read in their first and last parts: a request for a person is
# said near the start or the end, and the work per message stays bounded.
MAX_CHARS = 2000


@dataclasses.dataclass(frozen=True)
class Finding:
    """The recogniser's verdict on one message.

    Attributes:
        asks: The message asks for a person.
        rule: Which rule said so (``<kind>.<name>``), or None. Never any of the message.
        kind: The kind of request (:data:`bot.person_request.rules.KINDS`), or None.

    """

    asks: bool
    rule: str | None = None
    kind: str | None = None


NO = Finding(asks=False)


@functools.cache
def _rules() -> rules_module.Rules:
    return rules_module.load()


def asks_for_person(text: str, rules: rules_module.Rules | None = None) -> Finding:
    """Whether ``text`` asks for a person.

    That is: to speak to someone, a complaint about a PA, a PA who is away or not
    answering, or whether anyone is there.

    Args:
        text: The message as typed.
        rules: The rules to use (the reviewed data file, loaded once, by default).

    Returns:
        The :class:`Finding`.

    """
    if not text or not text.strip():
        return NO
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS // 2] + " . " + text[-MAX_CHARS // 2 :]
    views = rules_module.views(text)
    for rule in (rules or _rules()).rules:
        if rule.fires(views):
            return Finding(asks=True, rule=f"{rule.kind}.{rule.name}", kind=rule.kind)
    return NO
