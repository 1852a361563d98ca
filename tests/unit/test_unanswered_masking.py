"""Questions the bot could not answer are masked before they are stored (issue 15, item 2).

Content staff read them (docs/quality.md: they see no personal details), and the top
ones are in every district's weekly report. Canaries (invented names, drama numbers,
an email, a postcode, an address, dates) go through the real action on a real
database; none may reach the table, the content editors' queue or the weekly report.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.entitlement_actions import ActionAnswerEntitlement
from actions.services import Services, set_services
from bot import linear_re, questions
from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.people import identity
from bot.people.demo import seed_demo
from bot.privacy.masking import UNCHECKED, mask
from bot.records import conversation_key, record_unanswered
from bot.reports.weekly import figures_for
from bot.reports.weeks import Week
from bot.store.tables.people import care_leavers, conversation_identities, staff
from bot.store.tables.records import unanswered_questions
from bot.store.tables.reports import weekly_reports
from tests.support.trackers import tracker_for

pytestmark = pytest.mark.timeout(300)

QUESTION = "will they pay for my hair extensions"
CANARY_NAME = "Zephyrine Quillfeather"
ON_RECORD = "Demo Taylor"
CANARIES = (
    "Zephyrine",
    "Quillfeather",
    "Marigold",
    "Fenwick",
    "Taylor",
    "900123",
    "900456",
    "7700",
    "canary.person",
    "example.org",
    "QQ1",
    "2ZZ",
    "Larkspur",
    "15/10/2007",
    "2007-10-15",
    "3rd March",
    "1985",
)
ANONYMOUS = (
    f"my name is {CANARY_NAME}, {QUESTION}? text me on +447700900456 "
    "or canary.person@example.org, I live at 14 Larkspur Gardens QQ1 2ZZ"
)
ANONYMOUS_TOO = f"{QUESTION}, my social worker Marigold Fenwick-Hale said ask, born 3rd March 1985"
LINKED = f"hi its {ON_RECORD} here, {QUESTION}, born 15/10/2007 (2007-10-15) call 07700 900123"


@pytest.fixture
def services(engine, settings, encoder):
    load_content_files(engine, settings)
    seed_demo(engine, settings)
    services = Services.create(settings, encoder=lambda: encoder)
    set_services(services)
    yield services
    set_services(None)
    services.engine.dispose()


def taylor(engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(care_leavers.c.id).where(care_leavers.c.external_ref == "DEMO-CL-05")
            ).scalar_one()
        )


async def ask(text: str, sender: str) -> list[str]:
    dispatcher = CollectingDispatcher()
    await ActionAnswerEntitlement().run(dispatcher, tracker_for(text, sender=sender), {})
    return [m["response"] for m in dispatcher.messages]


def leaked(texts: list[str]) -> list[str]:
    return [c for c in CANARIES for t in texts if c.lower() in t.lower()]


async def test_no_canary_reaches_the_table_the_queue_or_the_weekly_report(services, settings):
    engine = services.engine
    identity.link(engine, "sms-canary", taylor(engine), "sms")
    for text, sender in (
        (ANONYMOUS, "rest-anonymous"),
        (ANONYMOUS_TOO, "rest-anonymous-too"),
        (LINKED, "sms-canary"),
    ):
        assert await ask(text, sender) == ["utter_dont_know"], text

    with engine.connect() as conn:
        stored = [r.text for r in conn.execute(sa.select(unanswered_questions))]
        queued = [q.text for g in questions.queue(conn) for q in g.questions]
    assert len(stored) == 3 and len(queued) == 3
    assert leaked(stored) == [] and leaked(queued) == []
    # What content staff need is still there.
    assert all(QUESTION in text for text in stored)
    assert any("[name]" in t and "[phone]" in t and "[email]" in t for t in stored)
    assert any("[address]" in t and "[postcode]" in t for t in stored)
    assert any("[date]" in t for t in stored)

    week = Week.containing(dt.datetime.now(ZoneInfo(settings.timezone)).date())
    _final, figures = figures_for(engine, settings, week)
    reported = [text for scope in figures.values() for text, _count in scope.top_unanswered]
    assert len(reported) >= 3 and any("[name]" in t for t in reported)
    assert leaked(reported) == []
    north = [text for text, _ in figures["North"].top_unanswered]
    assert len(north) == 1 and "[name]" in north[0]  # Taylor's district, Taylor masked


def test_the_words_are_masked_whoever_stores_them(engine):
    record_unanswered(
        engine,
        text=f"{ON_RECORD} at canary.person@example.org",
        channel="web",
        conversation_id="web-x",
        best_guess=None,
        best_score=None,
        names=[ON_RECORD],
    )
    with engine.connect() as conn:
        [text] = conn.execute(sa.select(unanswered_questions.c.text)).scalars()
    assert text == "[name] at [email]"


def test_a_text_that_cannot_be_checked_in_time_is_not_kept(monkeypatch):
    text = "x07700900123"  # the phone pattern's lookbehind drops this match
    assert mask(text) == "x[number]"
    monkeypatch.setattr(linear_re, "MAX_RETRIES", 0)  # no budget for dropped matches
    assert mask(text) == UNCHECKED


def test_questions_and_reports_kept_before_are_masked_by_the_migration(database_url):
    """Upgrading masks what earlier versions stored as typed (and the reports' top questions)."""
    upgrade(database_url, "0014")
    engine = create_db_engine(database_url)
    try:
        now = dt.datetime(2026, 11, 30, 12, 0)
        with engine.begin() as conn:
            staff_id = conn.execute(
                staff.insert().values(
                    external_ref="ST-1", name="Pat Example-Adviser", role="personal_adviser",
                    district="North", created_at=now, updated_at=now,
                )
            ).inserted_primary_key[0]  # fmt: skip
            person = conn.execute(
                care_leavers.insert().values(
                    external_ref="CL-1", preferred_name=ON_RECORD, status="relevant",
                    district="North", adviser_id=staff_id, date_of_birth=dt.date(2007, 10, 15),
                    circumstances="", created_at=now, updated_at=now,
                )
            ).inserted_primary_key[0]  # fmt: skip
            conn.execute(
                conversation_identities.insert().values(
                    conversation_id="sms-old", care_leaver_id=person, method="sms", verified_at=now
                )
            )
            for text, key in ((LINKED, "sms-old"), (ANONYMOUS, "rest-old")):
                conn.execute(
                    unanswered_questions.insert().values(
                        asked_at=now, text=text, channel="sms",
                        conversation_key=conversation_key(key), status="new", district=None,
                    )
                )  # fmt: skip
            figures = {
                "council": {"top_unanswered": [[" ".join(LINKED.lower().split()), 2]]},
                "North": {"top_unanswered": [["call 07700 900123", 1], ["my tattoo", 1]]},
            }
            conn.execute(
                weekly_reports.insert().values(
                    week_start=dt.date(2026, 11, 23), produced_at=now, figures=json.dumps(figures)
                )
            )
        upgrade(database_url)
        with engine.connect() as conn:
            texts = list(conn.execute(sa.select(unanswered_questions.c.text)).scalars())
            kept = json.loads(conn.execute(sa.select(weekly_reports.c.figures)).scalar_one())
    finally:
        engine.dispose()
    assert leaked(texts) == [] and all(QUESTION in t for t in texts)
    assert "[name]" in texts[0]  # Taylor's name, from the record their conversation is linked to
    council = kept["council"]["top_unanswered"]
    assert len(council) == 1 and council[0][1] == 2 and "[name]" in council[0][0]
    assert kept["North"]["top_unanswered"] == [["call [phone]", 1], ["my tattoo", 1]]
    assert leaked([t for scope in kept.values() for t, _ in scope["top_unanswered"]]) == []
