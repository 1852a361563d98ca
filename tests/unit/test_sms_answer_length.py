"""Every published entry's first answer fits in one text of at most two SMS segments.

For someone not on record, and for a young person on record (checked: with whether it
applies to them, in the shortest wording that says it where the longer one does not fit;
a number on record not checked yet: with whether it applies and the date-of-birth
question, in the same text). Built as the running service builds it: the answer action (rasa-sdk's
CollectingDispatcher, the real knowledge base), the responses filled from domain.yml by
Rasa's own code (``RemoteAction._utter_responses``), collected as the SMS channel
collects them, then written for SMS by the channel's own function
(:func:`bot.channels.sms.formatting.sms_turn`) and counted by
:func:`bot.channels.sms.formatting.segments`.
"""

from __future__ import annotations

import datetime as dt
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
from bot.answering import first_answer
from bot.channels.sms.formatting import segments, sms_turn, to_gsm7
from bot.clock import utcnow
from bot.content import load_content_files
from bot.people import identity, sms_check
from bot.people.sms_check import ASK_FOR_DETAILS, Outcome
from bot.personal import personal_reply
from bot.store.tables.people import care_leavers
from entitlements.eligibility import today_in_london
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


async def answer_messages(
    entitlement_id: str,
    nlg: TemplatedNaturalLanguageGenerator,
    sender: str = "sms-length-check",
    channel: str = "sms",
) -> list[dict]:
    """The messages the channel collects when ``sender`` asks about one entry."""
    tracker = tracker_for(
        f'/ask_entitlement{{"entitlement_id": "{entitlement_id}"}}',
        entities=[{"entity": "entitlement_id", "value": entitlement_id}],
        channel=channel,
        sender=sender,
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswerEntitlement().run(dispatcher, tracker, {})
    collector = CollectingOutputChannel()
    rasa_tracker = DialogueStateTracker(sender, [])
    for uttered in await RemoteAction._utter_responses(
        [dict(m) for m in dispatcher.messages], collector, nlg, rasa_tracker
    ):
        await collector.send_response(sender, uttered.message())
    return collector.messages


async def sms_answer(
    entitlement_id: str, nlg: TemplatedNaturalLanguageGenerator, sender: str = "sms-length-check"
) -> list[str]:
    """The SMS bodies ``sender`` gets when asking about one entry (anonymous by default)."""
    bodies, _options = sms_turn(await answer_messages(entitlement_id, nlg, sender))
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


# ---- a young person on record -----------------------------------------------------------------

# Fake people (invented names, Ofcom drama numbers), aged as the tests run so the verdicts
# cover the statuses and ages the answers differ by.
ON_RECORD = (
    # sender, name, mobile, status, age, circumstances
    ("sms-record-17", "Wrenna Testfield", "+447700900211", "eligible", 17, ""),
    ("sms-record-19", "Wrenna Testfield", "+447700900212", "former_relevant", 19,
     "in_higher_education"),
    ("sms-record-23", "Wrenna Testfield", "+447700900213", "qualifying", 23, "parent,uasc"),
)  # fmt: skip
SHORTEST = {  # what the answer must say at least, by the verdict: no name, age or status
    "applies": "This applies to you{until}{note}.",
    "not_applies": "This one doesn't apply to you{start}.{instead}",
    "depends": "This depends on {missing}. Your PA can check it with you.",
}


def born(age: int) -> dt.date:
    """A date of birth that makes someone ``age`` today (in London), not on their birthday."""
    today = today_in_london(utcnow())
    return today.replace(year=today.year - age, day=1) - dt.timedelta(days=40)


@pytest.fixture
def on_record(services):
    """The fake people, each texting from their own number: checked, and one not yet."""
    now = utcnow()
    with services.engine.begin() as conn:
        for sender, name, mobile, status, age, circumstances in ON_RECORD:
            conn.execute(
                care_leavers.insert().values(
                    external_ref=sender,
                    preferred_name=name,
                    date_of_birth=born(age),
                    mobile=mobile,
                    status=status,
                    district="North",
                    circumstances=circumstances,
                    created_at=now,
                    updated_at=now,
                )
            )
    for sender, _name, mobile, *_ in ON_RECORD:
        person = identity.link_sms_sender(services.engine, sender, mobile)
        assert person is not None
        sms_check.ask(services.engine, sender, person.id, "", now)
        given = f"{person.date_of_birth:%d/%m/%Y}"
        assert sms_check.answer(services.engine, sender, given, now).outcome is Outcome.CHECKED
    # Not checked: the same record texting from a conversation never asked its birthday.
    identity.link_sms_sender(services.engine, "sms-record-unchecked", ON_RECORD[1][2])
    return services


async def test_a_checked_young_persons_answer_is_one_text_within_two_segments_where_it_fits(
    on_record,
):
    nlg = TemplatedNaturalLanguageGenerator(Domain.load(str(ROOT / "domain.yml")).responses)
    kb = on_record.knowledge.current()
    figures: dict[int, int] = {}
    wrong: dict[str, str] = {}
    today = today_in_london(utcnow())
    for sender, name, mobile, *_ in ON_RECORD:
        person = identity.care_leaver_by_mobile(on_record.engine, mobile)
        assert person is not None
        for entitlement_id, entry in sorted(kb.entries.items()):
            bodies = await sms_answer(entitlement_id, nlg, sender)
            count = segments(bodies[0])
            figures[count] = figures.get(count, 0) + 1
            verdict = personal_reply(kb, entry, person, today)
            shortest = SHORTEST[verdict.kind].format(**verdict.variables)
            # Over two segments only where even the shortest wording does not fit.
            floor = segments(to_gsm7(f"{first_answer(entry)}\n{shortest}"))
            if len(bodies) != 1 or not bodies[0].startswith(f"{entry.title}: "):
                wrong[f"{sender} {entitlement_id}"] = f"{len(bodies)} texts"
            elif name not in bodies[0] and "\nThis " not in bodies[0]:
                wrong[f"{sender} {entitlement_id}"] = "no word on whether it applies"
            elif count > max(MAX_SEGMENTS, floor):
                wrong[f"{sender} {entitlement_id}"] = f"{count} segments, {floor} possible"
    print(f"segments per answer (checked, {len(ON_RECORD)} people): {sorted(figures.items())}")
    assert not wrong, wrong


async def test_an_unchecked_numbers_answer_and_the_birthday_question_are_one_text(on_record):
    nlg = TemplatedNaturalLanguageGenerator(Domain.load(str(ROOT / "domain.yml")).responses)
    kb = on_record.knowledge.current()
    figures: dict[int, int] = {}
    wrong: dict[str, str] = {}
    for entitlement_id, entry in sorted(kb.entries.items()):
        bodies = await sms_answer(entitlement_id, nlg, "sms-record-unchecked")
        count = segments(bodies[0])
        figures[count] = figures.get(count, 0) + 1
        text = " ".join(bodies)
        if (
            len(bodies) != 1
            or not text.startswith(f"{entry.title}: ")
            or not ("\nThis " in text or "\nWhether " in text)
            or ASK_FOR_DETAILS not in text
            or "Wrenna" in text
        ):
            wrong[entitlement_id] = f"{len(bodies)} texts: {text[-200:]!r}"
    print(f"segments per answer (not checked): {sorted(figures.items())}")
    assert not wrong, wrong


async def test_a_web_chat_answer_for_someone_on_record_is_one_message(on_record):
    """Linked with a code: the answer says whether it applies, then "Did that help?" once."""
    nlg = TemplatedNaturalLanguageGenerator(Domain.load(str(ROOT / "domain.yml")).responses)
    person = identity.care_leaver_by_mobile(on_record.engine, ON_RECORD[1][2])
    assert person is not None
    identity.link(on_record.engine, "web-record-check", person.id, "web_code")
    messages = await answer_messages(
        "setting-up-home-allowance", nlg, "web-record-check", channel="web"
    )
    texts = [m.get("text") for m in messages]
    assert len(messages) == 2, texts
    answer, helpful = messages
    assert answer["text"].startswith("Setting up home allowance: ")
    assert "Wrenna Testfield, you're 19 and a former relevant care leaver" in answer["text"]
    assert [b["payload"] for b in answer["buttons"]] == [
        "/ask_who_can_get",
        "/ask_how_to_get",
        "/ask_more",
    ]
    assert helpful["text"] == "Did that help?"
