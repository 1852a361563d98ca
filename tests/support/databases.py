"""Module fixtures that run once on an SQLite file, then on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DATABASE_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""The two databases every service must run on (PostgreSQL's are marked ``postgres``)."""

BOTH_DATABASES: dict[str, Any] = {"scope": "module", "params": DATABASE_KINDS}
"""``@pytest.fixture(**BOTH_DATABASES)``: a module's services on SQLite, then PostgreSQL."""


def module_database(request: pytest.FixtureRequest, workdir: Path) -> str:
    """The database for a fixture made with :data:`BOTH_DATABASES`: a SQLite file in
    ``workdir``, or a new database on the test session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{workdir / 'test.db'}"
    return str(request.getfixturevalue("postgres_server").create_database())
