"""The safety net's verdict on one message: crisis, possible risk, or none.

Three tiers, from two layers:

- the patterns (:mod:`bot.safety.detector`): a clear statement of risk is a crisis,
  whatever anything else says;
- the semantic layer (:mod:`bot.safety.semantic`), over the sentence vector: what the
  patterns have no rule for, a crisis when it is sure, possible risk when it is not.

A check that cannot finish in time, or gives up on a message built to make it work too
hard, is possible risk: the young person gets the check-in with 999 and Samaritans, and
staff are told. Never silence. (When only the semantic layer is late, that holds for a
message using a word of danger or distress; see :func:`screen`.)

:func:`screen` runs the check on a thread of its own with a hard deadline, so no message,
however long or strange, holds the event loop that other conversations share.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import enum
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.safety.detector import RiskAssessment, assess, lexicon

logger = logging.getLogger(__name__)

# The check's hard deadline. Patterns take about 5 ms on the longest SMS; the rest of the
# second is for a busy machine.
DEADLINE_SECONDS = 0.8


class Tier(enum.Enum):
    """How the safety net answers a message."""

    CRISIS = "crisis"  # the signposting for the kind of risk, at once; urgent alert
    POSSIBLE = "possible"  # a kind, direct check-in with 999 and Samaritans; alert
    NONE = "none"  # the normal answer


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The safety net's verdict on one message. Never holds any of the message's words.

    Attributes:
        tier: How to answer.
        categories: Kinds of risk found, most important first (may be empty).
        detected_by: ``pattern``, ``semantic``, ``unchecked`` or ``none``.
        rules: Names of the rules and layers that decided.
        figure_of_speech: The danger words were used as a figure of speech.
        mentions_risk: Some word of danger or distress is used in earnest (gates the
            Rasa model's own crisis intent).
    """

    tier: Tier
    categories: tuple[str, ...] = ()
    detected_by: str = "none"
    rules: tuple[str, ...] = ()
    figure_of_speech: bool = False
    mentions_risk: bool = False

    @property
    def needs_alert(self) -> bool:
        """True when staff must be told."""
        return self.tier is not Tier.NONE


NO_RISK = Verdict(Tier.NONE)
UNCHECKED = Verdict(
    Tier.POSSIBLE, detected_by="unchecked", rules=("ctx.unchecked",), mentions_risk=True
)


SemanticLayer = Callable[[str, RiskAssessment], "Verdict | None"]


class Screen:
    """The two layers together. Thread-safe; one per process (:func:`shared`)."""

    def __init__(self, semantic: SemanticLayer | None = None) -> None:
        self.semantic = semantic

    def check(self, text: str) -> Verdict:
        """The verdict on ``text`` (blocking: call :func:`screen` from async code)."""
        found, verdict = self.patterns(text)
        return verdict if verdict is not None else self.meaning(text, found)

    @staticmethod
    def patterns(text: str) -> tuple[RiskAssessment, Verdict | None]:
        """The patterns' assessment, and their verdict when it settles the matter."""
        found = assess(text)
        if not found.checked:
            return found, UNCHECKED
        if found.at_risk:
            return found, Verdict(
                Tier.CRISIS,
                categories=found.categories,
                detected_by="pattern",
                rules=found.rules,
                mentions_risk=True,
            )
        return found, None

    def meaning(self, text: str, found: RiskAssessment) -> Verdict:
        """The semantic layer's verdict on what the patterns left open."""
        if self.semantic is not None:
            try:
                semantic = self.semantic(text, found)
            except Exception:
                logger.exception("The safety net's semantic layer failed; patterns only")
                semantic = None
            if semantic is not None:
                return semantic
        return after_patterns(found)


def after_patterns(found: RiskAssessment) -> Verdict:
    """The verdict when only the patterns have spoken, and they saw no clear risk."""
    return Verdict(
        Tier.NONE,
        rules=found.rules,
        figure_of_speech=found.figure_of_speech,
        mentions_risk=found.mentions_risk,
    )


_lock = threading.Lock()
_shared: Screen | None = None
_lexicon_loaded = False
_executor: ThreadPoolExecutor | None = None
_semantic_executor: ThreadPoolExecutor | None = None


def shared() -> Screen:
    """The screen every check in this process uses (patterns alone until :func:`install`)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Screen()
        return _shared


def install(screen: Screen) -> None:
    """Use ``screen`` for every check in this process (at start-up, or in tests)."""
    global _shared
    with _lock:
        _shared = screen


def _pools() -> tuple[ThreadPoolExecutor, ThreadPoolExecutor]:
    global _executor, _semantic_executor
    with _lock:
        if _executor is None or _semantic_executor is None:
            # Pools of their own: the patterns (milliseconds) never wait behind the
            # semantic layer's encoding of long messages, nor behind other work.
            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="safety")
            _semantic_executor = ThreadPoolExecutor(
                max_workers=2, thread_name_prefix="safety-meaning"
            )
        return _executor, _semantic_executor


async def screen(text: str, deadline: float = DEADLINE_SECONDS) -> Verdict:
    """Check ``text`` off the event loop, within ``deadline`` seconds in all.

    The patterns must finish in time: if they do not, the message is possible risk
    (:data:`UNCHECKED`). The semantic layer gets what is left of the deadline; if it does
    not finish, a message using a word of danger or distress in earnest is possible risk,
    and any other has the patterns' verdict (no risk), with a warning in the log.

    Args:
        text: The message as the young person sent it.
        deadline: Seconds to wait for the verdict.

    Returns:
        The verdict.
    """
    global _lexicon_loaded
    current = shared()
    patterns_pool, meaning_pool = _pools()
    loop = asyncio.get_running_loop()
    if not _lexicon_loaded:
        # The patterns' lexicon is read once, on first use (about a second, done while a
        # server warms up): it is not the message's check, so not held to its deadline.
        await loop.run_in_executor(patterns_pool, lexicon)
        _lexicon_loaded = True
    started = loop.time()
    try:
        found, settled = await asyncio.wait_for(
            asyncio.shield(loop.run_in_executor(patterns_pool, current.patterns, text)),
            timeout=deadline,
        )
    except asyncio.TimeoutError:
        logger.error(
            "The safety patterns took over %.1f s; the message is treated as possible risk",
            deadline,
        )
        return UNCHECKED
    if settled is not None or current.semantic is None:
        return settled if settled is not None else after_patterns(found)
    left = max(deadline - (loop.time() - started), 0.05)
    try:
        return await asyncio.wait_for(
            asyncio.shield(loop.run_in_executor(meaning_pool, current.meaning, text, found)),
            timeout=left,
        )
    except asyncio.TimeoutError:
        logger.warning("The safety net's semantic layer did not finish in time")
        if found.mentions_risk:
            return dataclasses.replace(UNCHECKED, rules=("ctx.unchecked_meaning",))
        return after_patterns(found)


# Verdicts the channels reached, kept briefly for Rasa's NLU (the SafetyNet component),
# so one message gets one verdict. Keyed by the words; each is taken once. The same words
# sent in several conversations at once ("more", "thanks") keep a verdict each, so the
# NLU of each finds one instead of checking the message again. Keyed without the outer
# spaces, which Rasa strips before its NLU sees the words (an SMS often ends in a newline).
_REMEMBER_SECONDS = 60.0
_REMEMBER_LIMIT = 512
_REMEMBER_EACH = 16
_remembered: collections.OrderedDict[str, tuple[float, list[Verdict]]] = collections.OrderedDict()


def remember(text: str, verdict: Verdict) -> None:
    """Keep the verdict a channel reached for ``text``, for :func:`recall`."""
    text = text.strip()
    with _lock:
        kept = _remembered.pop(text, None)
        verdicts = kept[1][-(_REMEMBER_EACH - 1) :] if kept else []
        _remembered[text] = (time.monotonic(), [*verdicts, verdict])
        while len(_remembered) > _REMEMBER_LIMIT:
            _remembered.popitem(last=False)


def recall(text: str) -> Verdict | None:
    """A verdict a channel reached for ``text`` in the last minute (each taken once)."""
    text = text.strip()
    with _lock:
        limit = time.monotonic() - _REMEMBER_SECONDS
        while _remembered and next(iter(_remembered.values()))[0] < limit:
            _remembered.popitem(last=False)
        found = _remembered.get(text)
        if found is None:
            return None
        verdict = found[1].pop(0)
        if not found[1]:
            del _remembered[text]
    return verdict


def check_now(text: str) -> Verdict:
    """The verdict, on this thread (for code that is not async: actions, Rasa's NLU)."""
    return shared().check(text)


def describe(verdict: Verdict) -> dict[str, Any]:
    """The verdict as plain data (for logs and message metadata): no words of the message."""
    return {
        "tier": verdict.tier.value,
        "categories": list(verdict.categories),
        "detected_by": verdict.detected_by,
    }
