"""Every published entry's first answer fits in one text of at most two SMS segments.

Built as the running service builds it: the answer action (rasa-sdk's
CollectingDispatcher, the real knowledge base), the responses filled from domain.yml by
Rasa's own code (``RemoteAction._utter_responses``), collected as the SMS channel
collects them, then written for SMS by the channel's own function
(:func:`bot.channels.sms.formatting.sms_turn`) and counted by
:func:`bot.channels.sms.formatting.segments`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher

from actions.entitlement_actions import ActionAnswerEntitlement
from actions.services import Services, set_services
from bot.channels.sms.formatting import segments, sms_turn
from bot.content import load_content_files
from tests.support.trackers import tracker_for

# Slow: the knowledge base is built from the real content with the real sentence encoder.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
MAX_SEGMENTS = 2


@pytest.fixture
def services(engine, settings, encoder):
    load_content_files(engine, settings)
    services = Services.create(settings, encoder=lambda: encoder)
    set_services(services)
    yield services
    set_services(None)
    services.engine.dispose()


async def sms_answer(entitlement_id: str, nlg: TemplatedNaturalLanguageGenerator) -> list[str]:
    """The SMS bodies an anonymous texter gets when asking about one entry."""
    tracker = tracker_for(
        f'/ask_entitlement{{"entitlement_id": "{entitlement_id}"}}',
        entities=[{"entity": "entitlement_id", "value": entitlement_id}],
        channel="sms",
        sender="sms-length-check",
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerEntitlement().run(dispatcher, tracker, {})
    collector = CollectingOutputChannel()
    rasa_tracker = DialogueStateTracker("sms-length-check", [])
    for uttered in await RemoteAction._utter_responses(
        [dict(m) for m in dispatcher.messages], collector, nlg, rasa_tracker
    ):
        await collector.send_response("sms-length-check", uttered.message())
    bodies, _options = sms_turn(collector.messages)
    return bodies


async def test_every_published_answer_is_one_text_of_at_most_two_segments(services):
    nlg = TemplatedNaturalLanguageGenerator(Domain.load(str(ROOT / "domain.yml")).responses)
    kb = services.knowledge.current()
    over: dict[str, str] = {}
    for entitlement_id, entry in sorted(kb.entries.items()):
        bodies = await sms_answer(entitlement_id, nlg)
        assert bodies and bodies[0].startswith(f"{entry.title}: "), entitlement_id
        counts = [segments(body) for body in bodies]
        if len(bodies) > 1 or counts[0] > MAX_SEGMENTS:
            over[entitlement_id] = f"{len(bodies)} text(s), {counts} segments"
    assert not over, f"SMS answers over {MAX_SEGMENTS} segments: {over}"
