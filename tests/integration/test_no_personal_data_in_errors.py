"""A database error's message (which gets logged) holds no personal data, on both databases.

PostgreSQL quotes the failing row or key in a ``DETAIL`` line, and SQLAlchemy adds the
statement's values; :func:`bot.db.engine.create_db_engine` removes both.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

import pytest
import sqlalchemy as sa

from bot.store.tables.people import care_leavers

NAME = "Zephyrine Canaryerror"
NUMBER = "+447700900977"


def person(**values):
    now = dt.datetime(2027, 1, 1)
    row = {
        "external_ref": "ERR-1",
        "preferred_name": NAME,
        "date_of_birth": dt.date(2006, 5, 1),
        "mobile": NUMBER,
        "status": "eligible",
        "district": "North",
        "circumstances": "",
        "created_at": now,
        "updated_at": now,
    }
    row.update(values)
    return care_leavers.insert().values(**row)


def failure(engine, statement) -> sa.exc.DBAPIError:
    with pytest.raises(sa.exc.IntegrityError) as caught, engine.begin() as conn:
        conn.execute(statement)
    return caught.value


@pytest.mark.parametrize("what", ["not-null", "unique"])
def test_a_failed_write_names_the_problem_and_not_the_values(engine, caplog, what):
    if what == "unique":
        with engine.begin() as conn:
            conn.execute(person())
        error = failure(engine, person(external_ref="ERR-2", preferred_name="Someone Else"))
    else:
        error = failure(engine, person(external_ref=None))
    logging.getLogger("test").exception("a write failed", exc_info=error)
    told = (
        "\n".join(
            [str(error), str(error.orig), *traceback.format_exception(type(error), error, None)]
        )
        + caplog.text
    )
    assert NAME not in told and "Zephyrine" not in told
    assert NUMBER not in told and "7700900977" not in told
    assert ("external_ref" in str(error)) if what == "not-null" else ("mobile" in str(error))
