"""The store's UtcDateTime column type, on SQLite and PostgreSQL (real databases)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from bot.store.types import NaiveDateTimeError, UtcDateTime

pytestmark = pytest.mark.timeout(120)

UTC = dt.timezone.utc
LONDON = ZoneInfo("Europe/London")

_typed = sa.MetaData()
moments = sa.Table(
    "test_utc_moments",
    _typed,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=True),
)
strict_moments = sa.Table(
    "test_utc_moments",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(strict=True), nullable=True),
)
# The same table seen through a plain DateTime: what the database really holds.
raw_moments = sa.Table(
    "test_utc_moments",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=True),
)


@pytest.fixture
def table(engine):
    _typed.create_all(engine)
    yield moments
    _typed.drop_all(engine)


def test_an_aware_time_goes_in_as_naive_utc_and_comes_out_aware_utc(engine, table):
    summer_evening = dt.datetime(2026, 7, 1, 19, 30, tzinfo=LONDON)  # 18:30 UTC (BST)
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, at=summer_evening))
    with engine.connect() as conn:
        stored = conn.execute(sa.select(raw_moments.c.at)).scalar_one()
        read = conn.execute(sa.select(table.c.at)).scalar_one()
    assert stored == dt.datetime(2026, 7, 1, 18, 30)
    assert stored.tzinfo is None
    assert read == summer_evening
    assert read.tzinfo is UTC
    assert read == dt.datetime(2026, 7, 1, 18, 30, tzinfo=UTC)


def test_a_naive_time_is_taken_as_utc_as_the_tables_always_did(engine, table):
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, at=dt.datetime(2026, 1, 5, 9, 0)))
    with engine.connect() as conn:
        stored = conn.execute(sa.select(raw_moments.c.at)).scalar_one()
        read = conn.execute(sa.select(table.c.at)).scalar_one()
    assert stored == dt.datetime(2026, 1, 5, 9, 0)
    assert read == dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_rows_written_as_naive_utc_before_the_type_read_back_aware(engine, table):
    with engine.begin() as conn:
        conn.execute(raw_moments.insert().values(id=1, at=dt.datetime(2025, 12, 31, 23, 59, 59)))
        conn.execute(raw_moments.insert().values(id=2, at=None))
    with engine.connect() as conn:
        read = conn.execute(sa.select(table.c.at).order_by(table.c.id)).scalars().all()
    assert read == [dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), None]


def test_comparisons_with_an_aware_time_compare_the_moment_not_the_wall_clock(engine, table):
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, at=dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)))
    # 12:30 in London in July is 11:30 UTC: before the stored noon UTC.
    london_half_twelve = dt.datetime(2026, 7, 1, 12, 30, tzinfo=LONDON)
    with engine.connect() as conn:
        later = conn.execute(sa.select(table.c.id).where(table.c.at > london_half_twelve)).all()
        latest = conn.execute(sa.select(sa.func.max(table.c.at))).scalar_one()
    assert later == [(1,)]
    assert latest == dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_strict_refuses_a_naive_time_with_a_clear_error_and_writes_nothing(engine, table):
    with pytest.raises(sa.exc.StatementError) as raised, engine.begin() as conn:
        conn.execute(strict_moments.insert().values(id=1, at=dt.datetime(2026, 1, 5, 9, 0)))
    assert isinstance(raised.value.orig, NaiveDateTimeError)
    assert "time zone is needed" in str(raised.value.orig)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


@pytest.mark.parametrize("value", [dt.date(2026, 1, 5), "2026-01-05 09:00:00", 1767603600])
def test_something_other_than_a_datetime_is_refused(engine, table, value):
    with pytest.raises(sa.exc.StatementError) as raised, engine.begin() as conn:
        conn.execute(table.insert().values(id=1, at=value))
    assert isinstance(raised.value.orig, TypeError)
    assert "a datetime is needed" in str(raised.value.orig)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_the_ddl_is_the_plain_datetimes(dialect):
    assert str(CreateTable(moments).compile(dialect=dialect)) == str(
        CreateTable(raw_moments).compile(dialect=dialect)
    )


def test_every_time_column_of_the_project_is_a_utc_datetime():
    """One way to keep a moment: a plain DateTime would hand naive times back again."""
    import bot.store.tables  # noqa: F401  (registers every table)
    from bot.store.metadata import metadata

    plain = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.DateTime) and not isinstance(column.type, UtcDateTime)
    ]
    assert plain == []
