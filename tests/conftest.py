"""Fixtures shared by every test suite.

Database tests run twice: on a real SQLite file and on a real PostgreSQL server
(started by :mod:`tests.support.postgres`), each test with its own empty database
migrated by the project's Alembic migrations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from sqlalchemy.engine import Engine

from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT, Settings
from entitlements.loader import ContentSet, load_content, load_topics
from tests.support.databases import DATABASE_KINDS, module_database
from tests.support.fake_twilio import FakeTwilio
from tests.support.postgres import PostgresServer
from tests.support.servers import RunningBot, running_bot
from tests.support.stacks import rasa_reached

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


def _interrupted(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt("SIGTERM")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--without-rasa",
        action="store_true",
        help="run only the test modules whose imports reach no Rasa, rasa-sdk or actions: "
        "the staff service's environment, .venv-staff (tests/support/stacks.py)",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With ``--without-rasa``, leave out the test modules that need Rasa."""
    if not config.getoption("--without-rasa"):
        return None
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return rasa_reached(collection_path) is not None or None
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--without-rasa``, deselect the tests marked ``rasa`` too."""
    if not config.getoption("--without-rasa"):
        return
    kept = [item for item in items if item.get_closest_marker("rasa") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_sessionstart(session: pytest.Session) -> None:
    """Make SIGTERM (a CI time-out, ``kill``) end the run as Ctrl-C does.

    The servers the fixtures start run in sessions of their own, so they outlive a
    killed pytest; ended as by Ctrl-C, pytest still runs the fixtures' teardown, which
    stops them and removes their folders.
    """
    signal.signal(signal.SIGTERM, _interrupted)


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    """A local fake of Twilio's HTTP API, one per module (Twilio is off this machine)."""
    fake = FakeTwilio()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def topics() -> dict[str, str]:
    return load_topics(PROJECT_ROOT / "entitlements" / "topics.yaml")


@pytest.fixture(scope="session")
def content(topics: dict[str, str]) -> ContentSet:
    """The project's real content files, validated."""
    return load_content(PROJECT_ROOT / "entitlements" / "content", topics, today=dt.date.today())


@pytest.fixture(scope="session")
def encoder():
    """The sentence encoder, loaded once (it remembers content phrases between indexes)."""
    from entitlements.embedding import SentenceEncoder

    return SentenceEncoder()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a freshly migrated database."""
    upgrade(database_url)
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings pointing at the test's database and a private var/ folder."""
    return dataclasses.replace(Settings(), var_dir=tmp_path / "var", database_url=database_url)


@pytest.fixture(scope="session", params=DATABASE_KINDS)
def bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """Both servers, really started (demo mode, demo people), once per database kind."""
    workdir = tmp_path_factory.mktemp(f"bot-{request.param}")
    url = module_database(request, workdir)
    with running_bot(url, workdir, demo_people=True) as running:
        yield running
