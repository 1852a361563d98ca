"""What the bot says about entitlements: the business rules behind the answer actions.

No Rasa import: the actions in ``actions/`` turn the :class:`Reply` objects made
here into messages (each names a response in ``domain.yml``, which holds the
bot's fixed wording, and fills it with content from the knowledge base).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from typing import Any

from bot import linear_re
from entitlements.knowledge_base import KnowledgeBase
from entitlements.model import Entitlement
from entitlements.search import Decision, Match, Thresholds

MAX_SOURCES_SHOWN = 2
SENTENCE_VECTOR_KEY = "sentence_vector"
"""Where the NLU pipeline puts a message's sentence vector in its parse data, so that the
action server can search with it instead of encoding the message again."""
SWITCH_TOPIC_SCORE = 0.5
"""A follow-up names a new entitlement only if it matches this well ("how do I get the
Junior ISA"); measured in docs/matching.md."""

UNSURE_THRESHOLDS = Thresholds(answer=0.55, confident=0.55, second_minimum=0.55)
"""When the model is unsure what kind of message it is, only a strong match is answered:
an out-of-scope message must never get an entitlement (measured in docs/matching.md)."""

GUESS_RESPONSES: dict[str, str] = {
    "greet": "utter_greet",
    "thank": "utter_you_are_welcome",
    "goodbye": "utter_goodbye",
    "help": "utter_help",
    "bot_challenge": "utter_iamabot",
    "affirm": "utter_what_else",
    "deny": "utter_what_else",
    "out_of_scope": "utter_out_of_scope",
}
"""What the rules in data/rules/chitchat.yml answer to each intent, for a message the model
was unsure of and the knowledge base does not clearly match (a test keeps the two equal)."""

_BACK_REFERENCE = r"(?i)\b(it|that|this|them|those|these|one)\b"  # on RE2, compiled once on use


class FollowUp(str, enum.Enum):
    """What the young person asks next about the entitlement just answered."""

    MORE = "more"
    HOW_TO_GET = "how_to_get"
    WHO_CAN_GET = "who_can_get"
    SOURCES = "sources"


@dataclasses.dataclass(frozen=True)
class Reply:
    """One message to send: a domain response, its variables and any extra buttons.

    ``text`` is a message in words of its own, for the few replies the service makes
    outside the domain's responses (the identity check's, :mod:`bot.people.sms_check`);
    when it is set, ``response`` is not used.
    """

    response: str
    variables: dict[str, str] = dataclasses.field(default_factory=dict)
    buttons: tuple[dict[str, str], ...] = ()
    text: str | None = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The replies to send, the entry the conversation is now about, and what to record."""

    replies: tuple[Reply, ...]
    entitlement_id: str | None = None
    unanswered: bool = False
    decision: Decision | None = None

    @property
    def best_match(self) -> Match | None:
        """The closest entry the search found, answered or not."""
        return self.decision.matches[0] if self.decision and self.decision.matches else None


def first_answer(entry: Entitlement) -> str:
    """The first reply about an entry: its exact title, then its summary (at most 320 chars)."""
    return f"{entry.title}: {entry.summary}"


def follow_up_text(entry: Entitlement, kind: FollowUp) -> dict[str, str]:
    """The variables for the follow-up response of ``kind`` about ``entry``."""
    if kind is FollowUp.MORE:
        text = entry.details
        if entry.varies_locally and entry.local_note:
            text = f"{text} What can differ between councils: {entry.local_note}"
    elif kind is FollowUp.HOW_TO_GET:
        text = entry.how_to_get
    elif kind is FollowUp.WHO_CAN_GET:
        text = entry.eligibility.explanation
    else:
        text = entry.legal_basis
    variables = {"title": entry.title, "body": text}
    if kind is FollowUp.SOURCES:
        variables["sources"] = " ".join(entry.sources[:MAX_SOURCES_SHOWN])
        variables["reviewed"] = f"{entry.last_reviewed.day} {entry.last_reviewed:%B %Y}"
    return variables


def choice_payload(entitlement_id: str) -> str:
    """The payload of the button that chooses one entry (the NLU reads it without guessing)."""
    return f'/ask_entitlement{{"entitlement_id": "{entitlement_id}"}}'


def choice_buttons(kb: KnowledgeBase, ids: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    """Buttons to choose between entries (payloads the NLU reads without guessing)."""
    buttons = []
    for entitlement_id in ids:
        entry = kb.entries[entitlement_id]
        buttons.append({"title": entry.title, "payload": choice_payload(entitlement_id)})
    return tuple(buttons)


def answer_entry(entry: Entitlement) -> Outcome:
    """The first reply about one entry."""
    return Outcome(
        replies=(Reply("utter_entitlement_answer", {"answer": first_answer(entry)}),),
        entitlement_id=entry.id,
    )


def answer_question(
    kb: KnowledgeBase,
    text: str,
    thresholds: Thresholds | None = None,
    vector: Sequence[float] | None = None,
) -> Outcome:
    """Answer a question about entitlements from the knowledge base.

    Args:
        kb: The published knowledge base.
        text: The young person's message.
        thresholds: Search thresholds (the defaults are measured in docs/matching.md).
        vector: The message's sentence vector, if the NLU pipeline passed it on.

    Returns:
        One entry's answer, a choice between two, or "I don't know" (to be recorded
        as an unanswered question for staff).

    """
    decision = kb.decide(text, thresholds, vector)
    if decision.kind == "answer":
        outcome = answer_entry(kb.entries[decision.entitlement_ids[0]])
        return dataclasses.replace(outcome, decision=decision)
    if decision.kind == "choose":
        first, second = (kb.entries[i] for i in decision.entitlement_ids)
        reply = Reply(
            "utter_choose_entitlement",
            {"first": first.title, "second": second.title},
            choice_buttons(kb, decision.entitlement_ids),
        )
        return Outcome(replies=(reply,), decision=decision)
    return Outcome(replies=(Reply("utter_dont_know"),), unanswered=True, decision=decision)


def answer_unsure(
    kb: KnowledgeBase,
    text: str,
    best_guess: str | None,
    vector: Sequence[float] | None = None,
) -> Outcome:
    """Answer a message the model could not classify with confidence.

    If the model's best guess was still a question about entitlements, the usual
    thresholds apply; otherwise only a strong match in the knowledge base is answered
    (short messages such as "UC" or "asylum" often land here). Failing that, the
    reply is the one for the model's best guess (a greeting, thanks, out of scope),
    or "I don't know" for a question.
    """
    asked = best_guess is not None and best_guess.startswith("ask_")
    outcome = answer_question(kb, text, None if asked else UNSURE_THRESHOLDS, vector)
    if not outcome.unanswered:
        return outcome
    response = GUESS_RESPONSES.get(best_guess or "")
    if response:
        # Out of scope only as a guess: staff should still see what was asked.
        return Outcome(
            replies=(Reply(response),),
            unanswered=best_guess == "out_of_scope",
            decision=outcome.decision,
        )
    return outcome


def answer_follow_up(
    kb: KnowledgeBase,
    kind: FollowUp,
    text: str,
    current_id: str | None,
    thresholds: Thresholds | None = None,
    vector: Sequence[float] | None = None,
) -> Outcome:
    """Answer "more", "how do I get it", "who can get it" or "where does it say that".

    The entry is the one the message names, if it clearly names one ("how do I get
    the uni bursary"); otherwise the one the conversation is about. A message that
    points back ("do I ask my PA for it") stays with the conversation's entry.
    """
    current = kb.get(current_id)
    entry = None
    if current is None or not linear_re.compile(_BACK_REFERENCE).search(text):
        decision = kb.decide(text, thresholds, vector)
        if decision.kind == "answer" and (
            current is None or decision.matches[0].score >= SWITCH_TOPIC_SCORE
        ):
            entry = kb.entries[decision.entitlement_ids[0]]
    entry = entry or current
    if entry is None:
        return Outcome(replies=(Reply("utter_ask_which_entitlement"),))
    response = {
        FollowUp.MORE: "utter_entitlement_more",
        FollowUp.HOW_TO_GET: "utter_entitlement_how_to_get",
        FollowUp.WHO_CAN_GET: "utter_entitlement_who_can_get",
        FollowUp.SOURCES: "utter_entitlement_sources",
    }[kind]
    return Outcome(replies=(Reply(response, follow_up_text(entry, kind)),), entitlement_id=entry.id)


def outcome_summary(outcome: Outcome) -> dict[str, Any]:
    """A loggable description of an outcome: ids and scores only, never message text."""
    decision = outcome.decision
    return {
        "kind": decision.kind if decision else "follow_up",
        "entitlement_id": outcome.entitlement_id,
        "top": [(m.entitlement_id, m.score) for m in decision.matches[:3]] if decision else [],
    }
