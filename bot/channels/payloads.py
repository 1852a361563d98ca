"""Text starting with "/" cannot choose an intent or set slots from outside.

Rasa reads a message that starts with "/" as an intent and entities written out
(``/inform{"care_status": "relevant"}``), skipping the NLU. Buttons rely on that:
their payloads are such messages. So anyone typing one could pick any intent, and set
any slot an entity fills, in their own conversation. Every channel passes the text it
is given through :func:`neutralise` first: a payload the bot itself offers (a button in
``domain.yml``'s responses, or an action's choice between entitlements) goes through
as it is; any other text starting with "/" (after spaces) loses its leading slashes, so
the NLU reads it as words like any other message.

No Rasa import; the allowed payloads are read from ``domain.yml`` on first use
(:func:`offered_payloads`), never at import time.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from bot import linear_re
from bot.answering import choice_payload

INTENT_PREFIX = "/"
NO_WORDS = "?"
"""What a message of slashes alone becomes: a message with no intent in it."""

_LEADING = f"^[{linear_re.SPACE}/]+"
"""Leading spaces and slashes, all of them: "/ /greet" must not become "/greet"."""

_CHOICE = r'/ask_entitlement\{"entitlement_id": "([a-z0-9]+(?:-[a-z0-9]+)*)"\}'
"""An action's choice between entitlements (:func:`bot.answering.choice_payload`)."""


@dataclasses.dataclass(frozen=True)
class OfferedPayloads:
    """The payloads of the buttons the bot offers.

    Attributes:
        exact: Every payload of a button in the domain's responses.

    """

    exact: frozenset[str]

    def allows(self, text: str) -> bool:
        """True if ``text`` is, exactly, a payload of a button the bot offers.

        The actions offer a button for each entitlement they might mean, by its id: any
        id in the form the content's ids take is allowed (the action looks it up, and
        an id that is not published gets the usual "I don't know").
        """
        if text in self.exact:
            return True
        choice = linear_re.compile(_CHOICE).fullmatch(text)
        return choice is not None and choice_payload(choice.group(1) or "") == text


def neutralise(text: str, offered: OfferedPayloads) -> str:
    """The text to hand to Rasa: as given, unless it would choose an intent itself.

    Args:
        text: What the person sent (or the payload of the button they pressed).
        offered: The payloads the bot offers.

    Returns:
        ``text`` when it does not start with "/" (after spaces) or is exactly an offered
        payload (outer spaces aside); otherwise the text without any of the spaces and
        slashes it starts with, or ``"?"`` if nothing else is left.

    """
    stripped = text.strip()
    if not stripped.startswith(INTENT_PREFIX):
        return text
    if offered.allows(stripped):
        return stripped
    return linear_re.compile(_LEADING).sub("", stripped) or NO_WORDS


def _buttons(responses: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(responses, dict):
        return
    for variants in responses.values():
        for variant in variants if isinstance(variants, list) else []:
            buttons = variant.get("buttons") if isinstance(variant, dict) else None
            for button in buttons if isinstance(buttons, list) else []:
                if isinstance(button, dict):
                    yield button


def payloads_in_domain(domain: Any) -> frozenset[str]:
    """Every button payload in a domain's responses (a domain.yml, as loaded)."""
    responses = domain.get("responses") if isinstance(domain, dict) else None
    return frozenset(
        str(button["payload"]).strip()
        for button in _buttons(responses)
        if str(button.get("payload", "")).strip().startswith(INTENT_PREFIX)
    )


def load_offered(domain_files: Iterable[Path]) -> OfferedPayloads:
    """The payloads the bot offers, from its domain file(s)."""
    exact: set[str] = set()
    for path in domain_files:
        exact |= payloads_in_domain(yaml.safe_load(path.read_text(encoding="utf-8")))
    return OfferedPayloads(exact=frozenset(exact))


@functools.lru_cache(maxsize=1)
def offered_payloads() -> OfferedPayloads:
    """The payloads this service offers: ``domain.yml`` read once, on first use."""
    from bot.settings import get_settings

    return load_offered([get_settings().project_root / "domain.yml"])
