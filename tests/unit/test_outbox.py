"""The console's outbox: each reader's district only, and never a link code or a pack link.

On a real database (SQLite and PostgreSQL), with the demo people; the pages are tested
in ``tests/e2e/test_console.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.console import outbox
from bot.packs.service import new_token, pack_link
from bot.packs.service import sms_body as pack_sms
from bot.people import identity
from bot.people.demo import seed_demo
from bot.people.linking import new_code
from bot.people.linking import sms_body as code_sms
from bot.settings import Settings
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import care_leavers

pytestmark = pytest.mark.timeout(120)

NOW = dt.datetime(2026, 12, 1, 12, 0)


@dataclasses.dataclass(frozen=True)
class Reader:
    district: str
    roles: frozenset[str]


def reader(district: str, *roles: str) -> Reader:
    return Reader(district, frozenset(roles))


def put(engine, key: str, number: str, body: str, conversation_id: str = "") -> None:
    with engine.begin() as conn:
        conn.execute(
            sms_outbound.insert().values(
                dedupe_key=key,
                conversation_id=conversation_id or f"sms-{key}",
                to_number=number,
                body=body,
                status="outbox",
                created_at=NOW,
                updated_at=NOW,
            )
        )


def seen(engine, who: Reader) -> dict[str, str]:
    with engine.connect() as conn:
        shown = outbox.page(conn, who, 1, 100)
        assert outbox.count(conn, who) == len(shown)
    return {m.to_number + " " + m.body: m.body for m in shown}


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    with engine.connect() as conn:
        return {
            row.external_ref: row.id
            for row in conn.execute(sa.select(care_leavers.c.id, care_leavers.c.external_ref))
        }


def test_a_team_manager_reads_their_own_districts_texts_and_an_admin_everyones(engine, people):
    put(engine, "taylor", "+447700900105", "for Taylor (North)")
    put(engine, "riley", "+447700900102", "for Riley (East)")
    put(engine, "lee", "+447700900002", "for Lee, a PA in East")
    put(engine, "stranger", "+447700900999", "for a number not on record")
    # A number not on record, in a conversation linked to Riley's record (East).
    identity.link(engine, "web-riley", people["DEMO-CL-02"], "web_code")
    put(engine, "web", "+447700900998", "in Riley's web chat", conversation_id="web-riley")

    east = seen(engine, reader("East", "team_manager"))
    assert sorted(east.values()) == [
        "for Lee, a PA in East",
        "for Riley (East)",
        "in Riley's web chat",
    ]
    north = seen(engine, reader("North", "team_manager"))
    assert list(north.values()) == ["for Taylor (North)"]
    everyone = seen(engine, reader("North", "admin"))
    assert len(everyone) == 5
    # Roles that may not read the outbox see nothing, whatever reaches this function.
    assert seen(engine, reader("East", "personal_adviser", "duty_worker")) == {}


def test_an_erased_young_persons_texts_leave_their_districts_view(engine, people):
    put(engine, "taylor", "+447700900105", "for Taylor (North)")
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == people["DEMO-CL-05"])
            .values(mobile=None, erased_at=NOW)
        )
    assert seen(engine, reader("North", "team_manager")) == {}


def test_link_codes_and_pack_links_are_masked_for_every_reader(engine, people):
    settings_ = Settings()
    code, token = "482913", new_token()
    put(engine, "link-code:7", "+447700900105", code_sms(code))
    put(engine, "pack:3", "+447700900105", pack_sms(pack_link(settings_, token)))
    put(engine, "reply:SM1:1", "+447700900105", f"Staff wrote: open /pack/{token} again")
    for who in (reader("North", "team_manager"), reader("East", "admin")):
        shown = list(seen(engine, who).values())
        assert len(shown) == 3
        assert not any(code in text or token in text for text in shown)
        assert (
            f"Your care leavers' chat code is {outbox.LINK_CODE}."
            in shown[0] + shown[1] + (shown[2])
        )
        assert any(outbox.PACK_LINK in text for text in shown)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**6 - 1))
def test_no_code_the_service_can_send_is_shown(number):
    code = f"{number:06d}"
    assert code not in outbox.shown_body("link-code:1", code_sms(code))
    assert code not in outbox.shown_body("reply:x", code_sms(code))  # by its wording alone
    assert outbox.LINK_CODE in outbox.shown_body("anything", code_sms(new_code()))


@pytest.mark.parametrize(
    "base", ["https://sms.example.org", "http://localhost:5005", "https://a.example/b"]
)
def test_no_pack_link_the_service_can_send_is_shown(base):
    token = new_token()
    body = pack_sms(pack_link(dataclasses.replace(Settings(), public_base_url=base), token))
    for key in ("pack:1", "reply:x"):
        shown = outbox.shown_body(key, body)
        assert token not in shown and "/pack/" not in shown
        assert shown.startswith("Your leaving care pack:") and outbox.PACK_LINK in shown
