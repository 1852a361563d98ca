"""A request for a person, in Rasa's NLU pipeline: the intent becomes ``ask_for_pa``.

Runs last, after the safety net (:mod:`bot.rasa_plugins.safety_net`), and leaves the
``crisis`` intent alone, so a crisis always wins, with one exception: when the channel has
already answered a risk the semantic layer alone saw (its crisis reply or its check-in,
``SEMANTIC_REPLY_KEY``; no pattern's clear statement of risk), a request for a person in
it ("rang leaving care 3 times today, nobody answered") is also handed to one.

When the recogniser (:mod:`bot.person_request.recogniser`, no Rasa import: the reviewed
patterns, then the meaning-based layer over the example bank) says the
message asks to speak to someone, complains about a PA, says the PA is away or not
answering, or asks whether anyone is there, any other intent (an entitlement question, a
greeting, ``nlu_fallback``...) becomes ``ask_for_pa`` and the young person is handed to a
person.

The meaning-based layer reads the sentence vector the featurizer already made for the
message (:data:`bot.answering.SENTENCE_VECTOR_KEY`), so nothing more is encoded; the bank
is loaded when the component is created, not on the first message.

Why after the safety net and not before it: the model often calls "left loads of
voicemails and nobody calls back" a crisis, and the safety net rightly overrules that
(no risk in it) to the next intent or ``nlu_fallback``. Before the safety net, this
component had to leave the model's ``crisis`` alone for the safety net to check, and so
such a request got "I don't know"; after it, the safety net's own verdict is final and the
request reaches a person. The safety net's decisions are exactly what they were.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.answering import SENTENCE_VECTOR_KEY
from bot.person_request.recogniser import PARSE_KEY, asks_for_person, warm_up
from bot.rasa_plugins.safety_net import CRISIS_INTENT, SEMANTIC_REPLY_KEY

PERSON_INTENT = "ask_for_pa"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequest(GraphComponent, IntentClassifier):  # type: ignore[misc]
    """Makes the intent ``ask_for_pa`` when a message asks for a person."""

    @classmethod
    def required_components(cls) -> list[type]:
        """An intent classifier must run before this one."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component has no settings: the patterns and the bank are reviewed data."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonRequest:
        """Create the component (it has nothing to train) and load the patterns and bank."""
        warm_up()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``ask_for_pa`` on each message that asks for a person."""
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._check(message, str(text))
        return messages

    @staticmethod
    def _check(message: Message, text: str) -> None:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) == CRISIS_INTENT and not message.get(SEMANTIC_REPLY_KEY):
            # The safety net's decision on a crisis is never overruled; only after the
            # channel's reply to a risk the semantic layer alone saw is a request for a
            # person also handed to one.
            return
        finding = asks_for_person(text, vector=message.get(SENTENCE_VECTOR_KEY))
        if not finding.asks:
            return
        person = {INTENT_NAME_KEY: PERSON_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if isinstance(r, dict)]
        others = [r for r in ranking if r.get(INTENT_NAME_KEY) != PERSON_INTENT]
        message.set(INTENT, person, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [person, *others], add_to_output=True)
        message.set(PARSE_KEY, finding.rule, add_to_output=True)
