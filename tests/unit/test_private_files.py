"""var/ and every file in it are the service account's alone, from the moment they exist.

The SQLite database holds every young person's data and var/secrets the keys: each is
made with its mode (a folder 0700, a file 0600), never made readable and restricted
after. The tests run with a umask of 0 (the most permissive), so a file made with the
default mode would be world-readable, and watch that nothing is chmod-ed into shape.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.secrets import local_secret
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.timeout(120)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask of 0: anything made without an explicit mode is readable by everyone."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def chmods(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every chmod the code under test makes (a file made open and restricted after)."""
    made: list[str] = []
    real_chmod, real_fchmod = os.chmod, os.fchmod

    def chmod(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(str(path))
        return real_chmod(path, mode, *args, **kwargs)

    def fchmod(fd, mode):  # type: ignore[no-untyped-def]
        made.append(f"fd {fd}")
        return real_fchmod(fd, mode)

    monkeypatch.setattr(os, "chmod", chmod)
    monkeypatch.setattr(os, "fchmod", fchmod)
    return made


def test_a_development_secret_is_made_private_in_a_private_folder(tmp_path, open_umask, chmods):
    var = tmp_path / "var"
    value = local_secret(var, "web_chat_key")
    assert len(value) == 64
    assert mode(var) == 0o700
    assert mode(var / "secrets") == 0o700
    assert mode(var / "secrets" / "web_chat_key") == 0o600
    assert chmods == []  # made with its mode: never readable, then restricted
    assert local_secret(var, "web_chat_key") == value
    assert sorted(p.name for p in (var / "secrets").iterdir()) == ["web_chat_key"]


def test_the_sqlite_database_and_its_journal_files_are_private_from_the_start(
    tmp_path, open_umask, chmods
):
    var = tmp_path / "var"
    url = f"sqlite:///{var / 'careleavers.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:  # WAL: -wal and -shm exist while it is open
            conn.execute(sa.text("SELECT count(*) FROM care_leavers")).scalar()
            files = sorted(var.iterdir())
            assert {p.name for p in files} >= {
                "careleavers.db",
                "careleavers.db-wal",
                "careleavers.db-shm",
            }
            for path in files:
                assert mode(path) == 0o600, path.name
    finally:
        engine.dispose()
    assert mode(var) == 0o700
    assert chmods == []


def test_a_database_made_readable_by_an_earlier_version_is_restricted(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    os.chmod(var, 0o755)
    database = var / "careleavers.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    os.chmod(database, 0o644)
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar()
    finally:
        engine.dispose()
    assert mode(database) == 0o600


def test_setup_from_nothing_leaves_nothing_readable_by_others(tmp_path):
    """``python -m bot setup`` as ``make run`` runs it, in a shell with a umask of 0."""
    var = tmp_path / "var"
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'careleavers.db'}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("APP_ENV", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "setup"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        preexec_fn=lambda: os.umask(0),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = [var, *var.rglob("*")]
    assert any(p.name == "careleavers.db" for p in found)
    for path in found:
        assert not mode(path) & 0o077, f"{path.relative_to(tmp_path)} is {oct(mode(path))}"


def test_setup_restricts_what_an_earlier_version_left_readable(tmp_path):
    var = tmp_path / "var"
    (var / "secrets").mkdir(parents=True)
    for folder in (var, var / "secrets"):
        os.chmod(folder, 0o755)
    secret = var / "secrets" / "console_key"
    secret.write_text("0" * 64)
    os.chmod(secret, 0o644)
    database = var / "careleavers.db"
    upgrade(f"sqlite:///{database}")
    os.chmod(database, 0o644)
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("APP_ENV", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (mode(var), mode(var / "secrets")) == (0o700, 0o700)
    assert (mode(secret), mode(database)) == (0o600, 0o600)
