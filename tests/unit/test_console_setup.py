"""The console's settings, how ``make run`` starts it, and the ``create-user`` and
``set-password`` commands (run as a person would, in a subprocess; the password on
standard input, never on the command line)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.console.policy import Policy
from bot.launcher import console_spec, scheduler_spec, service_environment, service_specs
from bot.people.demo import seed_demo
from bot.settings import PROJECT_ROOT, Settings, SettingsError
from bot.store.tables.console import audit_log, staff_accounts

ADMIN_EMAIL = "chris.example-manager@example.org"  # a demo staff record


def test_console_settings_come_from_the_environment():
    settings = Settings.from_env(
        {
            "CONSOLE_PORT": "9090",
            "CONSOLE_HOST": "0.0.0.0",
            "CONSOLE_BASE_URL": "https://console.council.example/",
            "CONSOLE_IDLE_MINUTES": "15",
            "CONSOLE_SESSION_HOURS": "4",
            "CONSOLE_SECRET": "s3cret",
        }
    )
    assert settings.console_port == 9090
    assert settings.console_url() == "https://console.council.example"
    assert settings.console_key() == b"s3cret"
    policy = Policy.from_settings(settings)
    assert policy.idle == dt.timedelta(minutes=15)
    assert policy.lifetime == dt.timedelta(hours=4)
    spec = console_spec(settings)
    assert spec.argv[1:] == ("-m", "bot.console")
    assert spec.ready_url == "http://127.0.0.1:9090/health"
    env = service_environment(settings, base={})
    assert env["CONSOLE_PORT"] == "9090" and env["CONSOLE_SECRET"] == "s3cret"
    assert Settings.from_env(env).console_url() == settings.console_url()


def test_console_defaults_are_local_and_30_minutes_and_8_hours(tmp_path):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path)})
    assert (settings.console_host, settings.console_port) == ("127.0.0.1", 8080)
    assert settings.console_url() == "http://localhost:8080"
    assert settings.console_key() == settings.console_key()  # made once, kept in var/
    assert (tmp_path / "secrets" / "console_key").exists()
    policy = Policy.from_settings(settings)
    assert (policy.idle, policy.lifetime) == (dt.timedelta(minutes=30), dt.timedelta(hours=8))


@pytest.mark.parametrize("name", ["CONSOLE_IDLE_MINUTES", "CONSOLE_SESSION_HOURS"])
def test_bad_console_lifetimes_are_refused(name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: "soon"})
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: "0"})


def test_the_console_and_scheduler_start_from_the_staff_environment(monkeypatch):
    # make run sets STAFF_PYTHON to .venv-staff's Python; the Rasa side stays on this one.
    settings = Settings.from_env({})
    monkeypatch.setenv("STAFF_PYTHON", "/opt/staff/bin/python")
    assert console_spec(settings).argv[0] == "/opt/staff/bin/python"
    assert scheduler_spec().argv == ("/opt/staff/bin/python", "-m", "bot.jobs")
    assert console_spec(settings, "/other/python").argv[0] == "/other/python"
    monkeypatch.delenv("STAFF_PYTHON")
    assert console_spec(settings).argv[0] == sys.executable
    assert scheduler_spec().argv[0] == sys.executable


def test_the_tests_own_servers_do_not_start_a_console():
    # Only `make run` (bot.launcher.main) adds it, so the e2e fixtures' ports never clash.
    names = [spec.name for spec in service_specs(Settings(), Path("model.tar.gz"))]
    assert names == ["actions", "rasa"]


def run_cli(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "VAR_DIR": str(settings.var_dir),
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )


def test_create_user_and_set_password_from_the_command_line(engine, settings):
    seed_demo(engine, settings)
    secret = "first admin password"
    made = run_cli(
        settings,
        "create-user",
        ADMIN_EMAIL.upper(),
        "--roles",
        "admin,team_manager",
        "--password-stdin",
        stdin=secret + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert "Made a console account for Chris Example-Manager" in made.stdout
    again = run_cli(
        settings, "create-user", ADMIN_EMAIL, "--roles", "admin", "--password-stdin", stdin="x\n"
    )
    assert again.returncode == 1 and "already has an account" in again.stderr
    nobody = run_cli(
        settings, "create-user", "nobody@example.org", "--roles", "admin", "--password-stdin"
    )
    assert nobody.returncode == 1 and "No staff record" in nobody.stderr
    bad_role = run_cli(
        settings,
        "create-user",
        "pat.example-adviser@example.org",
        "--roles",
        "root",
        "--password-stdin",
    )
    assert bad_role.returncode == 1 and "'root' is not a role" in bad_role.stderr
    weak = run_cli(settings, "set-password", ADMIN_EMAIL, "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and "at least 12" in weak.stderr
    reset = run_cli(
        settings, "set-password", ADMIN_EMAIL, "--password-stdin", stdin="a new long password\n"
    )
    assert reset.returncode == 0, reset.stderr
    with engine.connect() as conn:
        account = conn.execute(sa.select(staff_accounts)).one()
        actions = conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars()
        assert list(actions) == ["account.create", "password.set", "password.set"]
    assert account.roles == "admin,team_manager" and account.email == ADMIN_EMAIL
    assert account.password_hash.startswith("$argon2id$")
    for output in (made, again, nobody, bad_role, weak, reset):
        assert secret not in output.stdout + output.stderr
        assert "a new long password" not in output.stdout + output.stderr


def test_the_password_is_never_an_argument():
    from bot.__main__ import _parser

    with pytest.raises(SystemExit):
        _parser().parse_args(["set-password", ADMIN_EMAIL, "--password", "x"])


def test_the_app_factory_opens_nothing_and_has_one_blueprint_per_area(tmp_path):
    from bot.console.app import create_app

    app = create_app(dataclasses.replace(Settings(), var_dir=tmp_path))
    assert set(app.blueprints) == {
        "auth",
        "home",
        "outbox",
        "audit",
        "staff",
        "cases",
        "content",
        "questions",
        "content_files",
        "reports",
        "packs",
        "quality",
        "safety",
    }
    assert app.ctx.console.engine is None  # opened when the server starts
    assert create_app(dataclasses.replace(Settings(), var_dir=tmp_path)).name != app.name
