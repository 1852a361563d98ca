"""Working days in England and office hours (bot.cases.calendar)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cases.calendar import (
    OfficeCalendar,
    add_working_days,
    bank_holidays,
    is_bank_holiday,
    is_office_hours,
    is_working_day,
    next_working_day,
)
from bot.settings import Settings, SettingsError

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (dt.date(2026, 12, 25), True),  # Christmas Day, a Friday
        (dt.date(2026, 12, 26), True),  # Boxing Day, a Saturday...
        (dt.date(2026, 12, 28), True),  # ...so Monday 28th is the substitute
        (dt.date(2026, 12, 29), False),
        (dt.date(2027, 1, 1), True),
        (dt.date(2027, 3, 26), True),  # Good Friday
        (dt.date(2027, 3, 29), True),  # Easter Monday
        (dt.date(2027, 3, 30), False),
        (dt.date(2027, 5, 3), True),  # early May bank holiday
        (dt.date(2027, 5, 31), True),  # spring bank holiday
        (dt.date(2027, 8, 30), True),  # summer bank holiday (England's, not Scotland's)
        (dt.date(2027, 8, 2), False),  # Scotland's summer bank holiday is not England's
        (dt.date(2027, 3, 17), False),  # St Patrick's Day is Northern Ireland's only
    ],
)
def test_englands_bank_holidays(day: dt.date, holiday: bool) -> None:
    assert is_bank_holiday(day) is holiday


def test_bank_holidays_of_a_year_are_the_eight_of_england() -> None:
    assert len(bank_holidays(2027)) >= 8


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 12, 24), True),  # Thursday
        (dt.date(2026, 12, 25), False),  # bank holiday
        (dt.date(2026, 12, 27), False),  # Sunday
        (dt.date(2026, 12, 28), False),  # substitute day
        (dt.date(2026, 12, 29), True),
        (dt.date(2027, 5, 1), False),  # Saturday
        (dt.date(2027, 5, 3), False),
        (dt.date(2027, 5, 4), True),
    ],
)
def test_working_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 24), dt.date(2026, 12, 29)),  # over Christmas and the substitute
        (dt.date(2027, 3, 25), dt.date(2027, 3, 30)),  # over Easter
        (dt.date(2027, 4, 30), dt.date(2027, 5, 4)),  # over the early May bank holiday
        (dt.date(2027, 5, 5), dt.date(2027, 5, 6)),
    ],
)
def test_next_working_day(day: dt.date, expected: dt.date) -> None:
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # In office hours: same time on the n-th working day after.
        (london(2027, 5, 5, 10, 30), 1, london(2027, 5, 6, 10, 30)),
        (london(2027, 5, 5, 10, 30), 5, london(2027, 5, 12, 10, 30)),
        (london(2027, 5, 7, 16, 59), 1, london(2027, 5, 10, 16, 59)),  # Friday -> Monday
        # Opening is in hours; closing is not.
        (london(2027, 5, 5, 9, 0), 1, london(2027, 5, 6, 9, 0)),
        (london(2027, 5, 5, 17, 0), 1, london(2027, 5, 7, 9, 0)),
        # Before opening on a working day: the clock starts at that day's opening.
        (london(2027, 5, 5, 7, 45), 1, london(2027, 5, 6, 9, 0)),
        # Evening, weekend: the clock starts at the next working day's opening.
        (london(2027, 5, 5, 22, 0), 1, london(2027, 5, 7, 9, 0)),
        (london(2027, 5, 8, 11, 0), 1, london(2027, 5, 11, 9, 0)),  # Saturday
        # Christmas 2026: 25 Friday, Boxing Day substitute Monday 28.
        (london(2026, 12, 24, 10, 0), 1, london(2026, 12, 29, 10, 0)),
        (london(2026, 12, 24, 18, 0), 1, london(2026, 12, 30, 9, 0)),
        (london(2026, 12, 25, 12, 0), 1, london(2026, 12, 30, 9, 0)),  # on the holiday
        (london(2026, 12, 24, 10, 0), 5, london(2027, 1, 5, 10, 0)),  # and New Year's Day
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        (london(2027, 3, 25, 12, 0), 1, london(2027, 3, 30, 12, 0)),
        (london(2027, 3, 26, 12, 0), 1, london(2027, 3, 31, 9, 0)),
        (london(2027, 3, 25, 12, 0), 5, london(2027, 4, 5, 12, 0)),
        # Early May bank holiday, 3 May 2027.
        (london(2027, 4, 30, 16, 59), 1, london(2027, 5, 4, 16, 59)),
        (london(2027, 5, 3, 10, 0), 1, london(2027, 5, 5, 9, 0)),
        # Zero days: when the clock starts.
        (london(2027, 5, 5, 10, 30), 0, london(2027, 5, 5, 10, 30)),
        (london(2027, 3, 28, 3, 0), 0, london(2027, 3, 30, 9, 0)),
        # Across the clocks going back (31 Oct 2027): same local time, one hour more.
        (london(2027, 10, 29, 10, 0), 1, london(2027, 11, 1, 10, 0)),
    ],
)
def test_add_working_days(start: dt.datetime, days: int, expected: dt.datetime) -> None:
    result = add_working_days(start, days)
    assert result == expected
    assert result.tzinfo is not None
    assert result.utcoffset() == expected.utcoffset()


def test_a_time_in_utc_is_read_in_london_time() -> None:
    # 08:30 UTC in July is 09:30 in London: in hours.
    start = dt.datetime(2027, 7, 7, 8, 30, tzinfo=dt.timezone.utc)
    assert is_office_hours(start)
    assert add_working_days(start, 1) == london(2027, 7, 8, 9, 30)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        add_working_days(dt.datetime(2027, 5, 5, 10, 0), 1)
    with pytest.raises(ValueError, match="time zone"):
        is_office_hours(dt.datetime(2027, 5, 5, 10, 0))


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(london(2027, 5, 5, 10, 0), -1)


@pytest.mark.parametrize(
    ("moment", "in_hours"),
    [
        (london(2027, 5, 5, 8, 59), False),
        (london(2027, 5, 5, 9, 0), True),
        (london(2027, 5, 5, 16, 59, 59), True),
        (london(2027, 5, 5, 17, 0), False),
        (london(2027, 5, 8, 12, 0), False),  # Saturday
        (london(2027, 5, 3, 12, 0), False),  # bank holiday
        (london(2026, 12, 28, 12, 0), False),  # substitute bank holiday
    ],
)
def test_is_office_hours(moment: dt.datetime, in_hours: bool) -> None:
    assert is_office_hours(moment) is in_hours


def test_office_hours_come_from_settings() -> None:
    settings = Settings.from_env({"OFFICE_HOURS": "08:30-16:00"})
    calendar = OfficeCalendar.from_settings(settings)
    assert calendar.opens == dt.time(8, 30)
    assert calendar.closes == dt.time(16, 0)
    assert calendar.is_office_hours(london(2027, 5, 5, 8, 30))
    assert not calendar.is_office_hours(london(2027, 5, 5, 16, 0))
    assert calendar.add_working_days(london(2027, 5, 5, 18, 0), 1) == london(2027, 5, 7, 8, 30)


def test_default_settings_are_nine_to_five_in_london() -> None:
    calendar = OfficeCalendar.from_settings(Settings.from_env({}))
    assert calendar == OfficeCalendar()
    assert calendar.timezone == "Europe/London"


@pytest.mark.parametrize("raw", ["9-5", "17:00-09:00", "09:00", "nine-five", "09:00-09:00"])
def test_bad_office_hours_are_reported(raw: str) -> None:
    with pytest.raises(SettingsError, match="OFFICE_HOURS"):
        Settings.from_env({"OFFICE_HOURS": raw})


def test_service_levels_come_from_settings() -> None:
    settings = Settings.from_env(
        {"CASE_ACKNOWLEDGE_WORKING_DAYS": "2", "CASE_ANSWER_WORKING_DAYS": "10"}
    )
    assert settings.case_acknowledge_working_days == 2
    assert settings.case_answer_working_days == 10
    with pytest.raises(SettingsError, match="CASE_ANSWER_WORKING_DAYS"):
        Settings.from_env({"CASE_ANSWER_WORKING_DAYS": "0"})


def test_a_calendar_must_open_before_it_closes() -> None:
    with pytest.raises(ValueError, match="open before"):
        dataclasses.replace(OfficeCalendar(), opens=dt.time(18, 0))


# Any moment from 2020 to 2035, in UTC (so every London local time, both sides of DST).
moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=dt.timezone.utc)
)
working_days = st.integers(min_value=0, max_value=30)


@settings(max_examples=300, deadline=None)
@given(start=moments, days=working_days)
def test_a_due_time_is_never_on_a_weekend_or_bank_holiday(start: dt.datetime, days: int) -> None:
    due = add_working_days(start, days)
    assert due.weekday() < 5
    assert not is_bank_holiday(due.date())
    assert is_office_hours(due)


@settings(max_examples=300, deadline=None)
@given(start=moments, days=st.integers(min_value=1, max_value=30))
def test_working_days_later_is_strictly_later(start: dt.datetime, days: int) -> None:
    assert add_working_days(start, days) > start
    assert add_working_days(start, days).date() > start.astimezone(LONDON).date()


@settings(max_examples=300, deadline=None)
@given(start=moments, days=working_days)
def test_more_working_days_is_later(start: dt.datetime, days: int) -> None:
    assert add_working_days(start, days) < add_working_days(start, days + 1)
    assert add_working_days(start, 0) >= start


@settings(max_examples=200, deadline=None)
@given(start=moments, first=working_days, second=working_days)
def test_adding_in_two_steps_is_the_same_as_at_once(
    start: dt.datetime, first: int, second: int
) -> None:
    once = add_working_days(start, first + second)
    assert add_working_days(add_working_days(start, first), second) == once


@settings(max_examples=200, deadline=None)
@given(start=moments)
def test_a_later_message_is_never_due_earlier(start: dt.datetime) -> None:
    later = start + dt.timedelta(hours=7)
    assert add_working_days(later, 1) >= add_working_days(start, 1)


def test_next_opening_is_now_in_hours_else_the_next_opening() -> None:
    calendar = OfficeCalendar()
    assert calendar.next_opening(london(2027, 5, 5, 10, 0)) == london(2027, 5, 5, 10, 0)
    assert calendar.next_opening(london(2027, 5, 7, 17, 30)) == london(2027, 5, 10, 9, 0)
    assert calendar.next_opening(london(2026, 12, 24, 17, 0)) == london(2026, 12, 29, 9, 0)


def test_an_extra_bank_holiday_the_package_does_not_know_is_not_a_working_day() -> None:
    # A one-off bank holiday announced after the Rasa runtime's holidays 0.86 was made:
    # Monday 7 June 2027 is invented here, and neither environment's package has it.
    one_off = dt.date(2027, 6, 7)
    assert is_working_day(one_off)
    settings = Settings.from_env({"EXTRA_BANK_HOLIDAYS": " 2027-06-07 ,2028-06-05"})
    assert settings.extra_bank_holidays == (one_off, dt.date(2028, 6, 5))
    calendar = OfficeCalendar.from_settings(settings)
    assert not calendar.is_working_day(one_off)
    assert not calendar.is_office_hours(london(2027, 6, 7, 10, 0))
    # A message on Friday 4 June at 10:00 is due a working day later: Tuesday, not Monday.
    assert calendar.add_working_days(london(2027, 6, 4, 10, 0), 1) == london(2027, 6, 8, 10, 0)
    assert calendar.next_opening(london(2027, 6, 4, 17, 30)) == london(2027, 6, 8, 9, 0)
    assert OfficeCalendar.from_settings(Settings.from_env({})).add_working_days(
        london(2027, 6, 4, 10, 0), 1
    ) == london(2027, 6, 7, 10, 0)


@pytest.mark.parametrize("raw", ["2027-13-01", "7 June 2027", "2027-06-07,,tomorrow"])
def test_extra_bank_holidays_that_are_not_dates_are_refused_by_name(raw: str) -> None:
    with pytest.raises(SettingsError, match="EXTRA_BANK_HOLIDAYS") as refused:
        Settings.from_env({"EXTRA_BANK_HOLIDAYS": raw})
    assert "2027-06-07" in str(refused.value)  # says what a date looks like
