"""Does this message ask for a person? The reviewed rules, then the meaning-based layer.

The patterns (:mod:`bot.person_request.rules`) go first: when one fires, that is the
answer. Otherwise the meaning-based layer (:mod:`bot.person_request.semantic`) compares
the message's sentence vector with the example bank. The layer is built once per
process (:func:`warm_up`); if it cannot be built, the patterns alone decide, and that is
logged as an alert.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from typing import Any

from bot.person_request import rules as rules_module
from bot.person_request import semantic

logger = logging.getLogger(__name__)

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
        rule: Which rule said so (``<kind>.<name>``, or ``semantic.<kind>`` for the
            meaning-based layer), or None. Never any of the message.
        kind: The kind of request (:data:`bot.person_request.rules.KINDS`), or None.

    """

    asks: bool
    rule: str | None = None
    kind: str | None = None


NO = Finding(asks=False)


@functools.cache
def _rules() -> rules_module.Rules:
    return rules_module.load()


@functools.cache
def _layer() -> semantic.Layer | None:
    try:
        return semantic.build()
    except Exception:
        logger.exception("ALERT: the person-request bank could not be loaded; patterns only")
        return None


def warm_up() -> bool:
    """Load the patterns and the meaning-based layer now, not on the first message.

    Returns:
        False when the layer could not be built (the patterns alone then decide).
    """
    _rules()
    return _layer() is not None


def asks_for_person(
    text: str,
    rules: rules_module.Rules | None = None,
    layer: semantic.Layer | None = None,
    vector: Any = None,
    patterns_only: bool = False,
) -> Finding:
    """Whether ``text`` asks for a person.

    That is: to speak to someone, a complaint about a PA, a PA who is away or not
    answering, or whether anyone is there.

    Args:
        text: The message as typed.
        rules: The rules to use (the reviewed data file, loaded once, by default).
        layer: The meaning-based layer (the process's, built once, by default).
        vector: The message's sentence vector, when the caller has it already (the Rasa
            pipeline does); otherwise the layer encodes the message once.
        patterns_only: Ask the patterns alone.

    Returns:
        The :class:`Finding`.

    """
    if not text or not text.strip():
        return NO
    whole = text
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS // 2] + " . " + text[-MAX_CHARS // 2 :]
    views = rules_module.views(text)
    for rule in (rules or _rules()).rules:
        if rule.fires(views):
            return Finding(asks=True, rule=f"{rule.kind}.{rule.name}", kind=rule.kind)
    if patterns_only or whole.startswith("/"):  # "/intent" is a button's payload
        return NO
    layer = layer or _layer()
    if layer is None or not layer.judges(text):
        return NO
    kind = layer.asks(layer.vector(whole) if vector is None else vector)
    if kind is None:
        return NO
    return Finding(asks=True, rule=f"semantic.{kind}", kind=kind)
