"""One mapping of a care leaver's record (bot/store/care_leavers.py), for identity and packs.

Real SQLite and PostgreSQL (the ``engine`` fixture), with the demo people.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.packs import service as packs
from bot.people import identity
from bot.people.demo import seed_demo
from bot.store.care_leavers import CareLeaver, care_leaver_from_row, select_on_record
from bot.store.tables.people import care_leavers

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


def _with_mobile(engine) -> sa.engine.Row:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(care_leavers.c.id, care_leavers.c.mobile)
            .where(care_leavers.c.mobile.isnot(None), care_leavers.c.adviser_id.isnot(None))
            .order_by(care_leavers.c.id)
        ).first()


def test_identity_and_packs_see_the_same_care_leaver(people):
    engine = people
    on_file = _with_mobile(engine)
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == on_file.id)
            .values(circumstances="in_education,parent")
        )
    by_mobile = identity.care_leaver_by_mobile(engine, on_file.mobile)
    recipient = packs.recipient(engine, on_file.id)
    assert by_mobile is not None and recipient is not None
    assert isinstance(by_mobile, CareLeaver) and identity.CareLeaver is CareLeaver
    assert recipient.person == by_mobile
    assert by_mobile.circumstances == frozenset({"in_education", "parent"})
    assert by_mobile.adviser_name  # the PA's name, through the outer join
    with engine.connect() as conn:
        row = conn.execute(select_on_record().where(care_leavers.c.id == on_file.id)).one()
    assert care_leaver_from_row(row) == by_mobile


def test_an_erased_record_is_nobodys_in_both(people):
    engine = people
    on_file = _with_mobile(engine)
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == on_file.id)
            .values(erased_at=dt.datetime(2026, 1, 5, 9, 0))
        )
    assert identity.care_leaver_by_mobile(engine, on_file.mobile) is None
    assert packs.recipient(engine, on_file.id) is None
    assert on_file.id not in {r.person.id for r in packs.recipients(engine)}
