"""'Did that help?': asked once a conversation in web chat and REST, counted once per answer.

The actions run with rasa-sdk's CollectingDispatcher on a real database (SQLite and
PostgreSQL); trackers hold events as Rasa sends them to the action server.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.entitlement_actions import ActionAnswerEntitlement, ActionEntitlementFollowUp
from actions.feedback_actions import ActionRecordFeedback, asked_before
from actions.services import Services, set_services
from bot.content import load_content_files
from bot.people import identity
from bot.people.demo import seed_demo
from bot.personal import age_settles, depends_on_who
from bot.reports.feedback import asks_for_feedback
from bot.store.tables.people import care_leavers
from bot.store.tables.quality import answer_feedback
from entitlements.knowledge_base import KnowledgeBase
from tests.support.trackers import tracker_for

# Slow (make test runs these, make test-fast does not): each test builds the knowledge base
# from the real content with the real sentence encoder, as test_entitlement_actions.py does.
pytestmark = pytest.mark.slow


@pytest.fixture
def services(engine, settings, encoder):
    load_content_files(engine, settings)
    services = Services.create(settings, encoder=lambda: encoder)
    set_services(services)
    yield services
    set_services(None)


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return [m["response"] for m in dispatcher.messages], events


@pytest.mark.parametrize(
    ("channel", "asked"), [("web", True), ("rest", True), ("twilio", False), ("sms", False)]
)
async def test_an_answer_ends_with_did_that_help_except_by_sms(services, channel, asked):
    responses, _ = await run(
        ActionAnswerEntitlement(),
        tracker_for("how much is the setting up home grant", channel=channel),
    )
    assert responses[0] == "utter_entitlement_answer"
    assert ("utter_ask_helpful" in responses) is asked
    if asked:
        assert responses[-1] == "utter_ask_helpful"
    assert asks_for_feedback(channel) is asked


async def test_did_that_help_is_asked_once_a_conversation(services):
    first = tracker_for("how much is the setting up home grant", channel="web")
    responses, _ = await run(ActionAnswerEntitlement(), first)
    assert responses == ["utter_entitlement_answer", "utter_ask_helpful"]
    # The next question in the same conversation: its events hold the question asked.
    second = tracker_for("can i stay with my foster carers", channel="web")
    second.events[:0] = [
        *first.events,
        {"event": "bot", "text": "Setting up home allowance: ...",
         "metadata": {"utter_action": "utter_entitlement_answer"}},
        {"event": "bot", "text": "Did that help?",
         "metadata": {"utter_action": "utter_ask_helpful"}},
    ]  # fmt: skip
    responses, _ = await run(ActionAnswerEntitlement(), second)
    assert responses == ["utter_entitlement_answer"]
    assert asked_before(second) and not asked_before(first)


async def test_who_can_get_asks_their_age_in_the_same_message_and_no_feedback(services):
    kb: KnowledgeBase = services.knowledge.current()
    entry = next(e for e in kb.entries.values() if depends_on_who(e) and age_settles(e))
    answered, _ = await run(
        ActionAnswerEntitlement(),
        tracker_for(
            f'/ask_entitlement{{"entitlement_id": "{entry.id}"}}',
            entities=[{"entity": "entitlement_id", "value": entry.id}],
            channel="web",
        ),
    )
    assert answered == ["utter_entitlement_answer", "utter_ask_helpful"]  # no age question yet
    tracker = tracker_for(
        "/ask_who_can_get", "ask_who_can_get", slots={"entitlement_id": entry.id}, channel="web"
    )
    responses, events = await run(ActionEntitlementFollowUp(), tracker)
    assert responses == ["utter_entitlement_who_can_get_ask_age"]
    assert SlotSet("age_question", entry.id) in events


async def test_an_unanswered_question_is_not_followed_by_did_that_help(services):
    responses, _ = await run(
        ActionAnswerEntitlement(),
        tracker_for("will they pay for my hair extensions", channel="web"),
    )
    assert responses == ["utter_dont_know"]


def tapped(
    intent: str,
    *,
    sender: str = "web-feedback",
    entitlement: str | None = "staying-put",
    asked: bool = True,
    earlier_taps: int = 0,
    channel: str = "web",
) -> Tracker:
    """A tracker after an answer (and "Did that help?" if ``asked``), then a tap."""
    tap = {
        "text": f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [],
        "entities": [],
    }
    events = [
        {"event": "user", "text": "can i stay with my foster carers", "input_channel": channel},
        {
            "event": "bot",
            "text": "Staying put: ...",
            "metadata": {"utter_action": "utter_entitlement_answer"},
        },
    ]
    if asked:
        events.append(
            {
                "event": "bot",
                "text": "Did that help?",
                "metadata": {"utter_action": "utter_ask_helpful"},
            }
        )
    for _ in range(earlier_taps):
        events += [
            {"event": "user", "text": f"/{intent}", "parse_data": tap, "input_channel": channel},
            {
                "event": "bot",
                "text": "Thanks",
                "metadata": {"utter_action": "utter_feedback_thanks"},
            },
        ]
    events.append(
        {"event": "user", "text": f"/{intent}", "parse_data": tap, "input_channel": channel}
    )
    return Tracker(
        sender_id=sender,
        slots={"entitlement_id": entitlement},
        latest_message=tap,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def feedback_rows(engine):
    with engine.connect() as conn:
        return [
            (r.entitlement_id, r.helpful, r.channel, r.district)
            for r in conn.execute(sa.select(answer_feedback).order_by(answer_feedback.c.id))
        ]


async def test_yes_is_counted_for_the_entitlement_with_no_words(services):
    responses, events = await run(ActionRecordFeedback(), tapped("feedback_helpful"))
    assert responses == ["utter_feedback_thanks"]
    assert events == []
    assert feedback_rows(services.engine) == [("staying-put", True, "web", None)]
    columns = set(answer_feedback.c.keys())
    assert columns == {"id", "given_at", "entitlement_id", "helpful", "channel", "district"}


async def test_no_is_counted_with_the_young_persons_district(services, settings):
    seed_demo(services.engine, settings)
    with services.engine.connect() as conn:
        riley = conn.execute(
            sa.select(care_leavers.c.id).where(care_leavers.c.external_ref == "DEMO-CL-02")
        ).scalar_one()
    identity.link(services.engine, "web-riley", riley, "code")
    responses, _ = await run(
        ActionRecordFeedback(), tapped("feedback_not_helpful", sender="web-riley")
    )
    assert responses == ["utter_feedback_sorry"]
    assert feedback_rows(services.engine) == [("staying-put", False, "web", "East")]


@pytest.mark.parametrize(
    "how",
    [
        {"asked": False},  # typed or sent without the question
        {"earlier_taps": 1},  # a second tap on the same question
        {"entitlement": None},  # no answer in the conversation
    ],
)
async def test_a_tap_counts_once_and_only_after_the_question(services, how):
    responses, _ = await run(ActionRecordFeedback(), tapped("feedback_helpful", **how))
    assert responses == ["utter_feedback_thanks"]
    assert feedback_rows(services.engine) == []
