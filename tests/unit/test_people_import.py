"""Importing staff and care leavers from CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.__main__ import main
from bot.people.demo import CARE_LEAVERS_FILE, STAFF_FILE, DemoDataError, seed_demo
from bot.people.import_checks import age_on, parse_uk_mobile
from bot.people.importer import (
    CARE_LEAVER_COLUMNS,
    STAFF_COLUMNS,
    import_care_leavers,
    import_staff,
)
from bot.settings import get_settings
from bot.store.tables.people import care_leavers, staff

TODAY = dt.date(2026, 11, 25)

STAFF_HEADER = ",".join(STAFF_COLUMNS)
STAFF_CSV = f"""{STAFF_HEADER}
S1,Pat Example-Adviser,Personal Adviser,north,07700 900001,pat@example.org
S2,Chris Example-Manager,TEAM-MANAGER,East,+44 (0)7700 900002,
S3,Max Example-Duty,duty_worker,Central,,
"""

CL_HEADER = ",".join(CARE_LEAVER_COLUMNS)


def cl_row(**overrides: str) -> str:
    """One care leaver record, good unless overridden."""
    values = {
        "person_id": "P1",
        "preferred_name": "Demo Jordan",
        "date_of_birth": "2008-03-05",
        "mobile": "07700 900101",
        "legal_status": "former relevant",
        "district": "North",
        "pa_staff_id": "S1",
        "pathway_plan_last_review": "01/09/2026",
        "pathway_plan_next_review": "2027-03-01",
        "in_higher_education": "Y",
        "apprenticeship": "n",
        "parent": "",
        "uasc": "yes",
        "staying_put": "0",
        "out_of_area": "false",
    }
    values.update(overrides)
    return ",".join(values[c] for c in CARE_LEAVER_COLUMNS)


def cl_csv(*rows: str) -> str:
    return "\n".join([CL_HEADER, *rows]) + "\n"


GOOD_CL_CSV = cl_csv(
    cl_row(),
    cl_row(
        person_id="P2",
        preferred_name="Demo Riley",
        date_of_birth="19/10/2009",
        mobile="+447700900102",
        legal_status="Eligible",
        district="east",
        pa_staff_id="",
        pathway_plan_last_review="",
        pathway_plan_next_review="",
        in_higher_education="",
        uasc="",
        parent="TRUE",
        staying_put="1",
    ),
)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def person(engine, ref: str):
    with engine.connect() as conn:
        return conn.execute(sa.select(care_leavers).where(care_leavers.c.external_ref == ref)).one()


def import_cl(engine, settings, source, **kwargs):
    return import_care_leavers(engine, source, settings=settings, today=TODAY, **kwargs)


@pytest.fixture
def with_staff(engine, settings):
    report = import_staff(engine, STAFF_CSV, settings=settings)
    assert report.ok, report.errors
    return engine


def problems(report) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.problem) for e in report.errors]


# --- good files ---------------------------------------------------------------------------


def test_a_good_staff_file_imports(engine, settings):
    report = import_staff(engine, STAFF_CSV, settings=settings)
    assert (report.inserted, report.updated, report.skipped_bad, report.errors) == (3, 0, 0, ())
    assert report.written
    with engine.connect() as conn:
        rows = {r.external_ref: r for r in conn.execute(sa.select(staff))}
    assert rows["S1"].role == "personal_adviser"
    assert rows["S1"].district == "North"
    assert rows["S1"].mobile == "+447700900001"
    assert rows["S1"].email == "pat@example.org"
    assert rows["S1"].active is True
    assert rows["S2"].role == "team_manager"
    assert rows["S2"].mobile == "+447700900002"
    assert rows["S2"].email is None
    assert rows["S3"].mobile is None


def test_a_good_care_leavers_file_imports(with_staff, settings):
    engine = with_staff
    report = import_cl(engine, settings, GOOD_CL_CSV)
    assert report.ok, report.errors
    assert (report.rows, report.inserted, report.updated) == (2, 2, 0)
    jordan = person(engine, "P1")
    assert jordan.preferred_name == "Demo Jordan"
    assert jordan.date_of_birth == dt.date(2008, 3, 5)
    assert jordan.mobile == "+447700900101"
    assert jordan.status == "former_relevant"
    assert jordan.district == "North"
    assert jordan.pathway_last_review == dt.date(2026, 9, 1)
    assert jordan.pathway_next_review == dt.date(2027, 3, 1)
    assert jordan.circumstances == "in_higher_education,uasc"
    with engine.connect() as conn:
        adviser = conn.execute(
            sa.select(staff.c.external_ref).where(staff.c.id == jordan.adviser_id)
        )
        assert adviser.scalar_one() == "S1"
    riley = person(engine, "P2")
    assert riley.date_of_birth == dt.date(2009, 10, 19)
    assert riley.status == "eligible"
    assert riley.district == "East"
    assert riley.adviser_id is None
    assert riley.pathway_last_review is None
    assert riley.circumstances == "parent,staying_put"


def test_a_path_given_as_a_string_or_a_path_is_read(with_staff, settings, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_CL_CSV, encoding="utf-8")
    assert import_cl(with_staff, settings, path).inserted == 2
    assert import_cl(with_staff, settings, str(path)).unchanged == 2


def test_reimporting_updates_and_does_not_duplicate(with_staff, settings):
    engine = with_staff
    import_cl(engine, settings, GOOD_CL_CSV)
    again = import_cl(engine, settings, GOOD_CL_CSV)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = cl_csv(cl_row(preferred_name="Demo Jo", mobile="07700 900109", uasc="N"))
    report = import_cl(engine, settings, changed)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert count(engine, care_leavers) == 2
    jordan = person(engine, "P1")
    assert (jordan.preferred_name, jordan.mobile) == ("Demo Jo", "+447700900109")
    assert jordan.circumstances == "in_higher_education"
    assert jordan.updated_at >= jordan.created_at
    staff_again = import_staff(
        engine, STAFF_CSV.replace("Max Example-Duty", "Max Duty"), settings=settings
    )
    assert (staff_again.inserted, staff_again.updated, staff_again.unchanged) == (0, 1, 2)
    assert count(engine, staff) == 3


def test_two_people_can_swap_mobiles_in_one_import(with_staff, settings):
    engine = with_staff
    import_cl(engine, settings, GOOD_CL_CSV)
    swapped = cl_csv(
        cl_row(mobile="07700 900102"),
        cl_row(person_id="P2", preferred_name="Demo Riley", mobile="07700 900101"),
    )
    report = import_cl(engine, settings, swapped)
    assert report.ok, report.errors
    assert person(engine, "P1").mobile == "+447700900102"
    assert person(engine, "P2").mobile == "+447700900101"


def test_circumstances_without_a_column_are_kept_on_update(with_staff, settings):
    engine = with_staff
    import_cl(engine, settings, GOOD_CL_CSV)
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.external_ref == "P1")
            .values(circumstances="in_care_at_18,in_higher_education,uasc")
        )
    report = import_cl(engine, settings, cl_csv(cl_row(in_higher_education="N", parent="Y")))
    assert report.updated == 1
    assert person(engine, "P1").circumstances == "in_care_at_18,parent,uasc"


def test_blank_lines_are_skipped_and_rows_are_numbered_as_in_a_spreadsheet(with_staff, settings):
    text = cl_csv(
        cl_row(preferred_name='"Demo\nJordan"'),  # one record on two lines
        "",
        ",,,,,,,,,,,,,,",
        cl_row(person_id="P2", mobile="07700 900102", district="Nowhere"),
    )
    report = import_cl(with_staff, settings, text)
    assert problems(report) == [
        (5, "district", "district is not one of: North, East, Central"),
    ]
    assert report.rows == 2


def test_dates_of_birth_at_the_age_limits(with_staff, settings):
    text = cl_csv(
        cl_row(date_of_birth="2012-11-25"),  # 14 today
        cl_row(person_id="P2", mobile="", date_of_birth="1995-11-26"),  # 30 until tomorrow
    )
    assert import_cl(with_staff, settings, text).ok
    assert age_on(dt.date(1995, 11, 26), TODAY) == 30


@pytest.mark.parametrize(
    "raw",
    [
        "07700 900123",
        "07700900123",
        "+447700900123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "447700900123",
        "7700900123",
        "(07700) 900-123",
    ],
)
def test_mobiles_in_any_common_format_are_stored_in_e164(raw):
    assert parse_uk_mobile(raw) == ("+447700900123", None)


def test_a_real_uk_mobile_range_is_accepted():
    assert parse_uk_mobile("07400 123456") == ("+447400123456", None)


# --- bad values ---------------------------------------------------------------------------

CARE_LEAVER_PROBLEMS = [
    ("person_id", "", "person_id is required"),
    ("person_id", "X" * 65, "person_id is longer than 64 characters"),
    ("preferred_name", "", "preferred_name is required"),
    ("preferred_name", "A" * 81, "preferred_name is longer than 80 characters"),
    ("date_of_birth", "", "date_of_birth is required (YYYY-MM-DD or DD/MM/YYYY)"),
    ("date_of_birth", "March 2008", "date_of_birth is not a date written YYYY-MM-DD or DD/MM/YYYY"),
    ("date_of_birth", "05-03-08", "date_of_birth is not a date written YYYY-MM-DD or DD/MM/YYYY"),
    ("date_of_birth", "31/02/2008", "date_of_birth is not a real date (check the day and month)"),
    ("date_of_birth", "2027-01-01", "date_of_birth is in the future"),
    (
        "date_of_birth",
        "2012-11-26",
        "date_of_birth gives an age outside 14 to 30 "
        "(check the year, and that it is written day/month/year)",
    ),
    (
        "date_of_birth",
        "1995-11-25",
        "date_of_birth gives an age outside 14 to 30 "
        "(check the year, and that it is written day/month/year)",
    ),
    ("mobile", "07700", "mobile is not a valid UK mobile number"),
    ("mobile", "hello", "mobile is not a valid UK mobile number"),
    ("mobile", "07700 123", "mobile is not a valid UK mobile number"),
    ("mobile", "020 7946 0000", "mobile is a landline number, not a mobile"),
    ("mobile", "0800 123 4567", "mobile is not a mobile number (UK mobiles start 07 or +44 7)"),
    ("mobile", "+33 6 12 34 56 78", "mobile is not a UK number (UK mobiles start 07 or +44 7)"),
    (
        "legal_status",
        "looked after",
        "legal_status is not one of: eligible, relevant, former_relevant, qualifying",
    ),
    (
        "legal_status",
        "",
        "legal_status is required; it is one of: eligible, relevant, former_relevant, qualifying",
    ),
    ("district", "South", "district is not one of: North, East, Central"),
    ("district", "", "district is required; it is one of: North, East, Central"),
    (
        "pa_staff_id",
        "S99",
        "pa_staff_id is not the staff_id of anyone in the staff records "
        "(import the staff file first)",
    ),
    ("pathway_plan_last_review", "2026-12-01", "pathway_plan_last_review is in the future"),
    (
        "pathway_plan_last_review",
        "01/13/2026",
        "pathway_plan_last_review is not a real date (check the day and month)",
    ),
    (
        "pathway_plan_next_review",
        "2026-09-01",
        "pathway_plan_next_review must be after pathway_plan_last_review",
    ),
    (
        "pathway_plan_next_review",
        "soon",
        "pathway_plan_next_review is not a date written YYYY-MM-DD or DD/MM/YYYY",
    ),
    ("parent", "maybe", "parent must be Y or N (or yes/no, true/false, 1/0; blank is N)"),
    ("staying_put", "2", "staying_put must be Y or N (or yes/no, true/false, 1/0; blank is N)"),
]


@pytest.mark.parametrize(("column", "value", "problem"), CARE_LEAVER_PROBLEMS)
def test_each_bad_care_leaver_value_is_reported_where_it_is(
    with_staff, settings, column, value, problem
):
    second = {"person_id": "P2", "mobile": "07700 900102", column: value}
    text = cl_csv(cl_row(), cl_row(**second))
    report = import_cl(with_staff, settings, text)
    assert problems(report) == [(3, column, problem)]
    assert str(report.errors[0]) == f"row 3, {column}: {problem}"
    assert not report.written
    assert (report.rows, report.skipped_bad, report.inserted) == (2, 1, 0)
    assert count(with_staff, care_leavers) == 0


STAFF_PROBLEMS = [
    ("staff_id", "", "staff_id is required"),
    ("name", "", "name is required"),
    ("name", "N" * 121, "name is longer than 120 characters"),
    (
        "role",
        "social worker",
        "role is not one of: personal_adviser, team_manager, duty_worker, content_editor, "
        "content_approver, safeguarding_approver, admin",
    ),
    ("district", "West", "district is not one of: North, East, Central"),
    ("mobile", "020 7946 0000", "mobile is a landline number, not a mobile"),
    ("mobile", "12345", "mobile is not a valid UK mobile number"),
    ("email", "pat.example.org", "email is not a valid email address"),
    ("email", "pat@example", "email is not a valid email address"),
    ("email", "pat @example.org", "email is not a valid email address"),
]


@pytest.mark.parametrize(("column", "value", "problem"), STAFF_PROBLEMS)
def test_each_bad_staff_value_is_reported_where_it_is(engine, settings, column, value, problem):
    values = dict(
        zip(STAFF_COLUMNS, ["S9", "Sam Example", "admin", "Central", "", ""], strict=True)
    )
    values[column] = value
    text = STAFF_CSV + ",".join(values[c] for c in STAFF_COLUMNS) + "\n"
    report = import_staff(engine, text, settings=settings)
    assert problems(report) == [(5, column, problem)]
    assert count(engine, staff) == 0


@pytest.mark.parametrize(
    ("role", "stored"),
    [
        ("Personal Adviser", "personal_adviser"),
        ("personal advisor", "personal_adviser"),
        ("  CONTENT-APPROVER ", "content_approver"),
        ("Content  Editor", "content_editor"),
        ("Admin", "admin"),
    ],
)
def test_role_spellings_are_accepted(engine, settings, role, stored):
    text = f"{STAFF_HEADER}\nS1,Pat Example,{role},NORTH,,\n"
    assert import_staff(engine, text, settings=settings).ok
    with engine.connect() as conn:
        assert conn.execute(sa.select(staff.c.role, staff.c.district)).one() == (stored, "North")


@pytest.mark.parametrize(
    ("status", "stored"),
    [
        ("eligible", "eligible"),
        ("RELEVANT", "relevant"),
        ("Former Relevant", "former_relevant"),
        ("former-relevant", "former_relevant"),
        ("former_relevant", "former_relevant"),
        ("Qualifying", "qualifying"),
    ],
)
def test_legal_status_spellings_are_accepted(with_staff, settings, status, stored):
    assert import_cl(with_staff, settings, cl_csv(cl_row(legal_status=status))).ok
    assert person(with_staff, "P1").status == stored


def test_all_the_problems_of_a_row_are_reported_in_column_order(with_staff, settings):
    text = cl_csv(
        cl_row(
            preferred_name="",
            date_of_birth="yesterday",
            mobile="020 7946 0000",
            district="Mars",
            parent="x",
        )
    )
    report = import_cl(with_staff, settings, text)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "preferred_name"),
        (2, "date_of_birth"),
        (2, "mobile"),
        (2, "district"),
        (2, "parent"),
    ]


def test_a_bad_file_imports_nothing(with_staff, settings):
    text = cl_csv(
        cl_row(),
        cl_row(person_id="P2", mobile="07700 900102"),
        cl_row(person_id="P3", mobile="07700 900103", district="Nowhere"),
    )
    report = import_cl(with_staff, settings, text)
    assert not report.written
    assert (report.inserted, report.updated, report.skipped_bad, len(report.errors)) == (0, 0, 1, 1)
    assert count(with_staff, care_leavers) == 0
    assert "or use --only-good-rows to import the 2 good rows" in report.summary()


def test_a_bad_file_changes_no_existing_record(with_staff, settings):
    import_cl(with_staff, settings, GOOD_CL_CSV)
    text = cl_csv(cl_row(preferred_name="Changed"), cl_row(person_id="P2", mobile="bad"))
    assert not import_cl(with_staff, settings, text).written
    assert person(with_staff, "P1").preferred_name == "Demo Jordan"


def test_only_good_rows_imports_the_good_ones_and_reports_the_bad(with_staff, settings):
    text = cl_csv(
        cl_row(),
        cl_row(person_id="P2", mobile="07700 900102", date_of_birth="1900-01-01"),
        cl_row(person_id="P3", mobile="07700 900103"),
    )
    report = import_cl(with_staff, settings, text, only_good_rows=True)
    assert report.written
    assert (report.inserted, report.skipped_bad) == (2, 1)
    assert [(e.row, e.column) for e in report.errors] == [(3, "date_of_birth")]
    assert count(with_staff, care_leavers) == 2
    assert "1 row with problems skipped" in report.summary()


def test_only_good_rows_with_every_row_bad_imports_nothing(with_staff, settings):
    report = import_cl(with_staff, settings, cl_csv(cl_row(district="")), only_good_rows=True)
    assert not report.written
    assert count(with_staff, care_leavers) == 0


def test_only_good_rows_does_not_take_a_mobile_kept_by_a_skipped_row(with_staff, settings):
    import_cl(with_staff, settings, GOOD_CL_CSV)
    # P2 would give up 07700 900102 to P1, but P2's row is bad, so P2 keeps it.
    text = cl_csv(
        cl_row(mobile="07700 900102"),
        cl_row(person_id="P2", preferred_name="Demo Riley", mobile="07700 900101", district="?"),
    )
    report = import_cl(with_staff, settings, text, only_good_rows=True)
    assert problems(report) == [
        (2, "mobile", "mobile is already recorded for another person (person_id P2)"),
        (3, "district", "district is not one of: North, East, Central"),
    ]
    assert not report.written
    assert person(with_staff, "P1").mobile == "+447700900101"
    # Once row 3 is corrected, the two can swap.
    assert import_cl(with_staff, settings, text.replace(",?,", ",East,")).ok
    assert person(with_staff, "P1").mobile == "+447700900102"


# --- duplicates and references ------------------------------------------------------------


def test_a_person_id_twice_in_the_file_is_an_error_on_both_rows(with_staff, settings):
    text = cl_csv(cl_row(), cl_row(mobile="07700 900102"), cl_row(person_id="P3", mobile=""))
    report = import_cl(with_staff, settings, text, only_good_rows=True)
    assert problems(report) == [
        (2, "person_id", "person_id is the same as on row 3; each must be unique"),
        (3, "person_id", "person_id is the same as on row 2; each must be unique"),
    ]
    assert report.inserted == 1


def test_a_staff_id_twice_in_the_file_is_an_error(engine, settings):
    report = import_staff(engine, STAFF_CSV + "S1,Pat Again,admin,East,,\n", settings=settings)
    assert [(e.row, e.column) for e in report.errors] == [(2, "staff_id"), (5, "staff_id")]


def test_a_mobile_twice_in_the_file_is_an_error_whatever_its_format(with_staff, settings):
    text = cl_csv(
        cl_row(mobile="07700 900101"),
        cl_row(person_id="P2", mobile="+44 7700 900101"),
        cl_row(person_id="P3", mobile="447700900101"),
    )
    report = import_cl(with_staff, settings, text)
    assert problems(report) == [
        (2, "mobile", "mobile is the same as on rows 3, 4; each must be unique"),
        (3, "mobile", "mobile is the same as on rows 2, 4; each must be unique"),
        (4, "mobile", "mobile is the same as on rows 2, 3; each must be unique"),
    ]


def test_a_mobile_another_person_has_in_the_database_is_an_error(with_staff, settings):
    import_cl(with_staff, settings, GOOD_CL_CSV)
    text = cl_csv(cl_row(person_id="P3", mobile="07700 900102"))
    report = import_cl(with_staff, settings, text)
    assert problems(report) == [
        (2, "mobile", "mobile is already recorded for another person (person_id P2)")
    ]
    # The same person keeping their own number is fine.
    assert import_cl(with_staff, settings, cl_csv(cl_row())).ok


def test_an_unknown_pa_staff_id_is_an_error_and_a_staff_id_imported_earlier_is_not(
    engine, settings
):
    report = import_cl(engine, settings, cl_csv(cl_row(pa_staff_id="S1")))
    assert [(e.row, e.column) for e in report.errors] == [(2, "pa_staff_id")]
    import_staff(engine, STAFF_CSV, settings=settings)
    assert import_cl(engine, settings, cl_csv(cl_row(pa_staff_id="S1"))).ok


# --- the file itself ----------------------------------------------------------------------


def test_missing_and_unknown_columns_are_file_level_errors(with_staff, settings):
    header = CL_HEADER.replace("mobile,", "").replace("uasc", "Favourite Colour")
    report = import_cl(with_staff, settings, header + "\n" + cl_row() + "\n")
    assert sorted(problems(report)) == [
        (
            1,
            "Favourite Colour",
            "unknown column; the columns are " + ", ".join(CARE_LEAVER_COLUMNS),
        ),
        (1, "mobile", "column is missing from the header"),
        (1, "uasc", "column is missing from the header"),
    ]
    assert not report.written
    assert str(report.errors[0]).startswith("row 1, ")
    assert count(with_staff, care_leavers) == 0


def test_a_column_twice_in_the_header_is_an_error(engine, settings):
    report = import_staff(
        engine, STAFF_HEADER + ",email\nS1,Pat,admin,North,,,\n", settings=settings
    )
    assert problems(report) == [(1, "email", "column appears more than once in the header")]


def test_header_names_may_vary_in_case_spaces_and_order(engine, settings):
    text = "Email,Mobile,District,Role,Name,Staff ID\n,,North,admin,Pat Example,S1\n"
    assert import_staff(engine, text, settings=settings).inserted == 1


def test_a_file_without_a_header_does_not_repeat_its_first_record(with_staff, settings):
    report = import_cl(with_staff, settings, cl_row() + "\n")
    assert len(report.errors) == 1
    assert report.errors[0].row == 1
    assert "row 1 must be the header" in report.errors[0].problem
    assert "Demo Jordan" not in str(report.errors[0])


def test_a_byte_order_mark_from_excel_is_accepted(with_staff, settings, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_CL_CSV.replace("\n", "\r\n").encode())
    assert import_cl(with_staff, settings, path).inserted == 2
    assert import_cl(with_staff, settings, "\ufeff" + GOOD_CL_CSV).unchanged == 2


def test_a_file_that_is_not_utf8_is_refused_with_where(with_staff, settings, tmp_path):
    path = tmp_path / "ansi.csv"
    text = cl_csv(cl_row(), cl_row(person_id="P2", mobile="", preferred_name="Zoë"))
    path.write_bytes(text.encode("cp1252"))
    report = import_cl(with_staff, settings, path)
    assert len(report.errors) == 1
    assert report.errors[0].row == 3
    assert "not UTF-8" in report.errors[0].problem
    assert "CSV UTF-8" in report.errors[0].problem
    assert count(with_staff, care_leavers) == 0


@pytest.mark.parametrize("content", [b"", b"\n\n", b"  \r\n"])
def test_an_empty_file_is_refused(engine, settings, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    report = import_staff(engine, path, settings=settings)
    assert problems(report) == [(0, "", "the file is empty")]
    assert str(report.errors[0]) == "file: the file is empty"
    assert not report.written
    assert import_staff(engine, "", settings=settings).errors == report.errors


def test_a_header_without_records_is_refused(engine, settings):
    report = import_staff(engine, STAFF_HEADER + "\n", settings=settings)
    assert problems(report) == [(0, "", "the file has a header but no records under it")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 20, "Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "Excel workbook"),
        ("staff_id,name\n".encode("utf-16"), "UTF-16"),
        (b"staff_id,name\x00\x01\x02", "binary data"),
        (STAFF_HEADER.replace(",", ";").encode() + b"\nS1;Pat;admin;North;;\n", "semicolons"),
        (STAFF_HEADER.replace(",", "\t").encode() + b"\nS1\tPat\tadmin\tNorth\t\t\n", "tabs"),
    ],
)
def test_a_file_that_is_not_csv_is_refused(engine, settings, tmp_path, content, expected):
    path = tmp_path / "staff.csv"
    path.write_bytes(content)
    report = import_staff(engine, path, settings=settings)
    assert len(report.errors) == 1
    assert expected in report.errors[0].problem
    assert count(engine, staff) == 0


def test_broken_quoting_is_refused_with_its_row(engine, settings):
    text = STAFF_CSV + 'S4,"Pat "Quoted" Example,admin,North,,\n'
    report = import_staff(engine, text, settings=settings)
    assert [(e.row, e.column) for e in report.errors] == [(5, "")]
    assert "not valid CSV" in report.errors[0].problem
    assert count(engine, staff) == 0


def test_a_row_with_the_wrong_number_of_values_is_reported(engine, settings):
    text = STAFF_CSV + "S4,Pat,admin,North\nS5,Pat,admin,North,,,extra\nS6,Pat,admin,North,,,\n"
    report = import_staff(engine, text, settings=settings, only_good_rows=True)
    assert [(e.row, e.column) for e in report.errors] == [(5, ""), (6, "")]
    assert "row has 4 values but the header has 6 columns" in report.errors[0].problem
    assert (report.rows, report.inserted, report.skipped_bad) == (6, 4, 2)


def test_a_missing_file_is_reported(engine, settings, tmp_path):
    report = import_staff(engine, tmp_path / "nope.csv", settings=settings)
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "cannot be read" in report.errors[0].problem


# --- privacy ------------------------------------------------------------------------------


def test_messages_never_contain_the_personal_values(with_staff, settings):
    secrets = {
        "person_id": "",
        "preferred_name": "Zebedee Quentin-Xylophone " * 4,
        "date_of_birth": "1931-07-14",
        "mobile": "07700 123",
        "legal_status": "Zebedee",
        "district": "Quentinshire",
        "pa_staff_id": "Xylo-PA-4471",
        "pathway_plan_last_review": "2029-04-17",
        "pathway_plan_next_review": "2028-02-29",
        "parent": "Zebedee",
    }
    rows = [
        cl_row(**secrets),
        cl_row(date_of_birth="31/02/2009", mobile="020 7946 0873"),
        cl_row(mobile="07700 900177", person_id="P2"),
        cl_row(mobile="+44 7700 900177", person_id="P3"),
        cl_row(person_id="P4", mobile="07700 900101", date_of_birth="2031-06-30"),
    ]
    import_cl(with_staff, settings, cl_csv(cl_row(person_id="P5", mobile="07700 900188")))
    rows.append(cl_row(person_id="P6", mobile="07700900188", preferred_name="Ulrika Vantablack"))
    report = import_cl(with_staff, settings, cl_csv(*rows))
    assert len(report.errors) >= 12
    text = "\n".join(str(e) for e in report.errors)
    for value in [
        "Zebedee",
        "Quentin",
        "Xylo",
        "1931",
        "07-14",
        "2029",
        "04-17",
        "2028",
        "31/02",
        "2009",
        "7946",
        "0873",
        "900177",
        "900188",
        "900101",
        "2031",
        "Ulrika",
        "Vantablack",
        "Demo Jordan",
    ]:
        assert value not in text


# --- demo data ----------------------------------------------------------------------------


def test_the_demo_files_import_cleanly(engine, settings):
    staff_report = import_staff(engine, STAFF_FILE, settings=settings)
    assert staff_report.ok, staff_report.errors
    assert staff_report.inserted == 9
    report = import_care_leavers(engine, CARE_LEAVERS_FILE, settings=settings)
    assert report.ok, report.errors
    assert report.inserted == 10
    with engine.connect() as conn:
        people = conn.execute(sa.select(care_leavers)).all()
        roles = conn.execute(sa.select(staff.c.role, staff.c.district)).all()
    assert {p.status for p in people} == {"eligible", "relevant", "former_relevant", "qualifying"}
    codes = {code for p in people for code in p.circumstances.split(",") if code}
    assert codes >= {"in_higher_education", "apprenticeship", "parent", "uasc", "staying_put"}
    for day in (dt.date(2026, 11, 25), dt.date(2027, 10, 1)):
        ages = [age_on(p.date_of_birth, day) for p in people]
        assert min(ages) == 16
        assert max(ages) == 24
    assert all(
        p.mobile.startswith("+447700900") and 100 <= int(p.mobile[-3:]) <= 199 for p in people
    )
    assert all(p.preferred_name.startswith("Demo ") for p in people)
    for district in settings.districts:
        assert ("personal_adviser", district) in roles
        assert ("team_manager", district) in roles
    assert any(role == "duty_worker" for role, _ in roles)


def test_seed_demo_is_idempotent(engine, settings):
    seed_demo(engine, settings)
    with engine.connect() as conn:
        before = conn.execute(sa.select(care_leavers).order_by(care_leavers.c.id)).all()
    seed_demo(engine, settings)
    with engine.connect() as conn:
        after = conn.execute(sa.select(care_leavers).order_by(care_leavers.c.id)).all()
    assert after == before
    assert count(engine, staff) == 9
    assert count(engine, care_leavers) == 10


def test_seed_demo_puts_back_an_edited_demo_record(engine, settings):
    seed_demo(engine, settings)
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.external_ref == "DEMO-CL-01")
            .values(preferred_name="Edited")
        )
    seed_demo(engine, settings)
    assert person(engine, "DEMO-CL-01").preferred_name == "Demo Jordan"


# --- command line -------------------------------------------------------------------------


@pytest.fixture
def cli(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.delenv("DISTRICTS", raising=False)
    get_settings.cache_clear()
    yield main
    get_settings.cache_clear()


def test_the_import_commands(engine, cli, tmp_path, capsys):
    assert cli(["import-staff", str(STAFF_FILE)]) == 0
    assert "Imported staff: 9 added, 0 updated, 0 unchanged." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(cl_csv(cl_row(pa_staff_id="DEMO-ST-01"), cl_row(person_id="P2", mobile="1")))
    assert cli(["import-care-leavers", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "row 3, mobile: mobile is not a valid UK mobile number" in out
    assert "Nothing was imported" in out
    assert count(engine, care_leavers) == 0
    assert cli(["import-care-leavers", str(bad), "--only-good-rows"]) == 0
    out = capsys.readouterr().out
    assert "row 3, mobile: mobile is not a valid UK mobile number" in out
    assert "1 added" in out
    assert count(engine, care_leavers) == 1


def test_the_seed_demo_command(engine, cli, capsys):
    assert cli(["seed-demo"]) == 0
    assert cli(["seed-demo"]) == 0
    assert count(engine, care_leavers) == 10
    assert "Demo staff and care leavers" in capsys.readouterr().out


def test_production_refuses_the_demo_people(engine, settings, cli, capsys, monkeypatch):
    live = dataclasses.replace(settings, app_env="production")
    with pytest.raises(DemoDataError, match="APP_ENV=production: the demo staff"):
        seed_demo(engine, live)
    secret = "s" * 40
    for variable in (
        "CONVERSATION_ID_SECRET",
        "WEB_CHAT_SECRET",
        "CONSOLE_SECRET",
        "ACTION_SERVER_SECRET",
        "TWILIO_AUTH_TOKEN",
    ):
        monkeypatch.setenv(variable, secret)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+447700900000")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://sms.example.org")
    monkeypatch.setenv("CONSOLE_BASE_URL", "https://console.example.org")
    monkeypatch.setenv("APP_ENV", "production")
    assert cli(["seed-demo"]) == 1
    assert "APP_ENV=production: the demo staff" in capsys.readouterr().err
    assert count(engine, care_leavers) == 0 and count(engine, staff) == 0
