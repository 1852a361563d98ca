"""The safety net's place in Rasa's NLU pipeline: its verdict first, then the model.

Runs last among the intent classifiers. The channel has already checked the message
(:mod:`bot.channels.safety_first`) and answered any risk; its verdict is used here
(:func:`bot.safety.screen.recall`), or the message is checked now. If the safety net
sees a crisis, the intent becomes ``crisis`` whatever the model said: no training data
can switch that off, with one exception: when the semantic layer alone saw the crisis
in a message the model is sure asks a question the bot answers, the intent stays, so
the answer follows the crisis reply the channel sent. If only the model says
``crisis``, it is kept when the model is sure, the message uses some word of danger or
distress, and it is not a figure of speech ("this form is killing me"); otherwise the
next intent is used. The patterns stop the model from calling a crisis on words it
merely confuses ("overdraft" is not "overdose").

Whatever follows a crisis follows only a crisis reply the channel has already sent (its
verdict is recalled, not reached here): a message the patterns read as nowhere safe to
sleep tonight, and nothing worse, also gets the knowledge base's entry for it
(:data:`bot.safety.categories.ANSWERED_BY_ENTRY`); and a message the channel answered for
a risk the semantic layer alone saw (its crisis reply or its check-in) is marked
(:data:`SEMANTIC_REPLY_KEY`) so that a request for a person in it still reaches one
(:mod:`bot.rasa_plugins.person_request`).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.safety.categories import ANSWERED_BY_ENTRY, ENTRY_EXTRACTOR
from bot.safety.screen import Tier, Verdict, check_now, recall

CRISIS_INTENT = "crisis"
ENTITLEMENT_INTENT = "ask_entitlement"
ENTITLEMENT_ENTITY = "entitlement_id"
# Set (not output) on a message the channel has answered for a risk the semantic layer
# alone saw (a crisis reply or a check-in): a request for a person in it is still handed
# to one.
SEMANTIC_REPLY_KEY = "safety_semantic_reply"
# Questions the bot answers: after a crisis the semantic layer alone saw, still answered.
ANSWERABLE = frozenset(
    {
        "ask_entitlement",
        "ask_what_can_i_get",
        "pathway_plan_query",
        "ask_case_status",
        "ask_for_pa",
        "ask_how_to_get",
        "ask_who_can_get",
        "ask_more",
        "ask_sources",
    }
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):  # type: ignore[misc]
    """Makes the ``crisis`` intent certain when patterns see risk, and checks the model's."""

    @classmethod
    def required_components(cls) -> list[type]:
        """An intent classifier must run before this one."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's settings.

        ``model_threshold``: how sure the model must be, alone, to call a crisis.
        ``fallback_threshold``: when a crisis call is overruled, the next intent must be
        at least this sure (as for Rasa's FallbackClassifier), or it becomes nlu_fallback.
        """
        return {"model_threshold": 0.8, "fallback_threshold": 0.6}

    def __init__(self, config: dict[str, Any]) -> None:
        self.model_threshold = float(config.get("model_threshold", 0.8))
        self.fallback_threshold = float(config.get("fallback_threshold", 0.6))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        """Create the component (it has nothing to train)."""
        return cls(config)

    def _answer_too(self, verdict: Verdict, intent: dict[str, Any], replied: bool) -> bool:
        """True when the young person also gets the answer to their question.

        Only for a crisis the semantic layer alone saw (no pattern's clear statement),
        in a message the model is sure asks for something the bot can answer, and only
        when the channel has sent the crisis reply (``replied``): it has gone first, and
        the question is not left unanswered.
        """
        return (
            replied
            and verdict.detected_by == "semantic"
            and intent.get(INTENT_NAME_KEY) in ANSWERABLE
            and float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self.model_threshold
        )

    @staticmethod
    def _entry_too(verdict: Verdict, replied: bool) -> str | None:
        """The entry that also answers a crisis the patterns saw, if its kind has one.

        Only after the channel's crisis reply, and only when every kind of risk found has
        the same entry (nowhere safe tonight alone: never with a risk to life).
        """
        if not replied or verdict.detected_by != "pattern" or not verdict.categories:
            return None
        entries = {ANSWERED_BY_ENTRY.get(kind) for kind in verdict.categories}
        if len(entries) != 1 or None in entries:
            return None
        return entries.pop()

    @staticmethod
    def _answer_entry(message: Message, entry: str, ranking: list[dict[str, Any]]) -> None:
        """Make the message ask for ``entry``, as a button naming it would."""
        asked = {INTENT_NAME_KEY: ENTITLEMENT_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        others = [
            r for r in ranking if r.get(INTENT_NAME_KEY) not in (ENTITLEMENT_INTENT, CRISIS_INTENT)
        ]
        message.set(INTENT, asked, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [asked, *others], add_to_output=True)
        entities = [e for e in message.get(ENTITIES) or [] if isinstance(e, dict)]
        found = {
            "entity": ENTITLEMENT_ENTITY,
            "value": entry,
            "start": 0,
            "end": 0,
            "extractor": ENTRY_EXTRACTOR,
        }
        message.set(ENTITIES, [*entities, found], add_to_output=True)

    def process(self, messages: list[Message]) -> list[Message]:
        """Set or check the ``crisis`` intent of each message."""
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._check(message, str(text))
        return messages

    def _check(self, message: Message, text: str) -> None:
        recalled = recall(text)
        replied = recalled is not None and recalled.tier is Tier.CRISIS
        verdict = recalled or check_now(text)
        if recalled is not None and recalled.needs_alert and recalled.detected_by == "semantic":
            message.set(SEMANTIC_REPLY_KEY, True)
        intent = message.get(INTENT) or {}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if isinstance(r, dict)]
        if verdict.tier is Tier.CRISIS:
            entry = self._entry_too(verdict, replied)
            if entry is not None:
                self._answer_entry(message, entry, ranking)
                return
            if not self._answer_too(verdict, intent, replied):
                crisis = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                others = [r for r in ranking if r.get(INTENT_NAME_KEY) != CRISIS_INTENT]
                message.set(INTENT, crisis, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [crisis, *others], add_to_output=True)
            return
        if intent.get(INTENT_NAME_KEY) != CRISIS_INTENT:
            return
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if (
            confidence >= self.model_threshold
            and verdict.mentions_risk
            and not verdict.figure_of_speech
        ):
            return
        others = [
            r
            for r in ranking
            if r.get(INTENT_NAME_KEY) not in (CRISIS_INTENT, DEFAULT_NLU_FALLBACK_INTENT_NAME)
        ]
        replacement = others[0] if others else {}
        if float(replacement.get(PREDICTED_CONFIDENCE_KEY) or 0.0) < self.fallback_threshold:
            replacement = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: self.fallback_threshold,
            }
            others = [replacement, *others]
        message.set(INTENT, dict(replacement), add_to_output=True)
        message.set(INTENT_RANKING_KEY, others, add_to_output=True)
