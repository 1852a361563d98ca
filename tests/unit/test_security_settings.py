"""Security settings: production's secrets, the action server's address and secret,
Rasa's API token, the REST channel's token, and what the launcher makes of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from actions.guard import SECRET_HEADER, secret_matches
from bot.channels.rest import access_problem
from bot.launcher import service_environment, service_specs
from bot.rasa_plugins import sentence_features
from bot.rasa_server import rasa_arguments
from bot.settings import PRODUCTION_SECRETS, TWILIO_SETTINGS, Settings, SettingsError

SECRET = "0123456789abcdef" * 4
PRODUCTION = {
    "APP_ENV": "production",
    "CONVERSATION_ID_SECRET": "c" + SECRET,
    "WEB_CHAT_SECRET": "w" + SECRET,
    "CONSOLE_SECRET": "k" + SECRET,
    "ACTION_SERVER_SECRET": "a" + SECRET,
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "t" + SECRET,
    "TWILIO_FROM_NUMBER": "+447700900000",
    "PUBLIC_BASE_URL": "https://sms.example.org",
    "CONSOLE_BASE_URL": "https://console.example.org",
}


def test_development_is_the_default_and_needs_no_secrets():
    settings = Settings.from_env({})
    assert settings.app_env == "development" and not settings.production
    assert settings.action_host == "127.0.0.1"
    assert settings.action_server_secret is None
    assert settings.rasa_api_token is None and settings.rest_channel_token is None


def test_production_with_every_secret_starts():
    settings = Settings.from_env(PRODUCTION)
    assert settings.production
    assert settings.production_problems() == []


@pytest.mark.parametrize(("variable", "_attribute"), PRODUCTION_SECRETS)
def test_production_without_a_secret_refuses_naming_the_variable_not_a_value(variable, _attribute):
    environ = {k: v for k, v in PRODUCTION.items() if k != variable}
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    message = str(refused.value)
    assert f"{variable} is not set" in message
    assert not any(value in message for value in PRODUCTION.values() if value != "production")


@pytest.mark.parametrize(("variable", "_attribute"), TWILIO_SETTINGS)
def test_production_without_twilio_refuses_rather_than_keep_texts_in_an_outbox(
    variable, _attribute
):
    """Demo mode keeps every text (urgent safety alerts too) on this machine."""
    environ = {k: v for k, v in PRODUCTION.items() if k != variable}
    assert Settings.from_env({**environ, "APP_ENV": "development"}).demo_mode
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert f"{variable} is not set (no text could leave this machine)" in str(refused.value)
    assert PRODUCTION["TWILIO_AUTH_TOKEN"] not in str(refused.value)


def test_production_needs_a_sender_a_messaging_service_or_a_number():
    without = {k: v for k, v in PRODUCTION.items() if k != "TWILIO_FROM_NUMBER"}
    assert Settings.from_env({**without, "APP_ENV": "development"}).demo_mode
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(without)
    assert "TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER is not set" in str(refused.value)
    service = Settings.from_env({**without, "TWILIO_MESSAGING_SERVICE_SID": "MG" + "ab" * 16})
    assert service.twilio_messaging_service_sid == "MG" + "ab" * 16
    assert service.production_problems() == [] and not service.demo_mode
    launched = service_environment(service)
    assert launched["TWILIO_MESSAGING_SERVICE_SID"] == "MG" + "ab" * 16


@pytest.mark.parametrize("sid", ["MG123", "AC" + "ab" * 16, "MG" + "zz" * 16, "MG" + "ab" * 17])
def test_a_messaging_service_sid_that_is_not_one_is_refused_by_name(sid):
    with pytest.raises(SettingsError, match="TWILIO_MESSAGING_SERVICE_SID must be"):
        Settings.from_env({"TWILIO_MESSAGING_SERVICE_SID": sid})


@pytest.mark.parametrize("address", [None, "http://sms.example.org", "sms.example.org"])
def test_production_needs_the_public_https_address_twilio_signs(address):
    environ = {k: v for k, v in PRODUCTION.items() if k != "PUBLIC_BASE_URL"}
    if address is not None:
        environ["PUBLIC_BASE_URL"] = address
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL must be the service's public"):
        Settings.from_env(environ)
    environ["PUBLIC_BASE_URL"] = "HTTPS://sms.example.org"
    assert Settings.from_env(environ).production_problems() == []


@pytest.mark.parametrize(
    "address", [None, "", "http://console.example.org", "console.example.org", "https://"]
)
def test_production_needs_the_console_on_https_naming_the_variable(address):
    """Without https the console's cookies are not Secure and no HSTS is sent."""
    environ = {k: v for k, v in PRODUCTION.items() if k != "CONSOLE_BASE_URL"}
    if address is not None:
        environ["CONSOLE_BASE_URL"] = address
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert "CONSOLE_BASE_URL must be the console's https:// address" in str(refused.value)
    environ["CONSOLE_BASE_URL"] = "HTTPS://console.example.org/"
    assert Settings.from_env(environ).production_problems() == []
    assert Settings.from_env({"CONSOLE_BASE_URL": "http://localhost:8080"}).production is False


@pytest.mark.parametrize("variable", [name for name, _ in PRODUCTION_SECRETS])
def test_production_refuses_a_short_secret_without_showing_it(variable):
    short = "dev-secret-123"
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**PRODUCTION, variable: short})
    assert f"{variable} is shorter than 32 characters" in str(refused.value)
    assert short not in str(refused.value)


@pytest.mark.parametrize("variable", ["RASA_API_TOKEN", "REST_CHANNEL_TOKEN"])
def test_production_refuses_a_short_token(variable):
    with pytest.raises(SettingsError, match=f"{variable} is shorter"):
        Settings.from_env({**PRODUCTION, variable: "letmein"})
    assert Settings.from_env({variable: "letmein"}).production is False  # development: fine


def test_app_env_and_action_host_are_checked():
    with pytest.raises(SettingsError, match="APP_ENV must be development or production"):
        Settings.from_env({"APP_ENV": "staging"})
    for wildcard in ("0.0.0.0", "::", "*"):
        with pytest.raises(SettingsError, match="ACTION_HOST must be one address"):
            Settings.from_env({"ACTION_HOST": wildcard})
    assert Settings.from_env({"ACTION_HOST": "10.1.2.3"}).action_server_url() == (
        "http://10.1.2.3:5055"
    )
    assert Settings.from_env({"ACTION_HOST": "fd00::5"}).action_server_url() == (
        "http://[fd00::5]:5055"
    )


def test_the_secret_is_compared_exactly():
    assert secret_matches(SECRET, SECRET)
    assert not secret_matches(SECRET[:-1], SECRET)
    assert not secret_matches(SECRET + "x", SECRET)
    assert not secret_matches("", SECRET)
    assert not secret_matches(None, SECRET)
    assert not secret_matches("", "")
    assert sentence_features.SECRET_HEADER == SECRET_HEADER  # /embed sends the same header


def test_rest_channel_access():
    development = Settings()
    production = dataclasses.replace(development, app_env="production")
    assert access_problem(development, None) is None  # development and tests: unchanged
    assert access_problem(production, None) == 404  # production, no token: off
    assert access_problem(production, f"Bearer {SECRET}") == 404
    for settings in (
        dataclasses.replace(development, rest_channel_token=SECRET),
        dataclasses.replace(production, rest_channel_token=SECRET),
    ):
        assert access_problem(settings, f"Bearer {SECRET}") is None
        assert access_problem(settings, f"bearer {SECRET}") is None
        assert access_problem(settings, None) == 401
        assert access_problem(settings, "") == 401
        assert access_problem(settings, SECRET) == 401
        assert access_problem(settings, f"Basic {SECRET}") == 401
        assert access_problem(settings, f"Bearer {SECRET[:-1]}") == 401
        assert access_problem(settings, "Bearer ") == 401


def test_the_launcher_makes_an_action_secret_per_run_in_development():
    settings = Settings()
    first = service_environment(settings, base={})["ACTION_SERVER_SECRET"]
    second = service_environment(settings, base={})["ACTION_SERVER_SECRET"]
    assert len(first) == 64 and first != second
    given = dataclasses.replace(settings, action_server_secret=SECRET)
    assert service_environment(given, base={})["ACTION_SERVER_SECRET"] == SECRET
    env = service_environment(settings, base={"RASA_API_TOKEN": "x", "REST_CHANNEL_TOKEN": "y"})
    assert "RASA_API_TOKEN" not in env and "REST_CHANNEL_TOKEN" not in env


def test_rasas_api_is_off_unless_it_has_a_token():
    model = Path("model.tar.gz")
    rasa = service_specs(Settings(), model)[1]
    assert rasa.argv[1:3] == ("-m", "bot.rasa_server")
    assert "--enable-api" not in rasa.argv and "--auth-token" not in rasa.argv
    with_api = service_specs(dataclasses.replace(Settings(), rasa_api_token=SECRET), model)[1]
    assert with_api.argv[1:3] == ("-m", "bot.rasa_server")
    assert "--enable-api" in with_api.argv
    assert SECRET not in " ".join(with_api.argv)  # never on a command line


def test_the_api_token_is_added_inside_the_process():
    assert rasa_arguments(["run", "--port", "1"], None) == ["run", "--port", "1"]
    assert rasa_arguments(["run", "--enable-api"], SECRET) == [
        "run",
        "--enable-api",
        "--auth-token",
        SECRET,
    ]
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        rasa_arguments(["run", "--enable-api"], None)


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "bot.launcher"],
        ["-m", "actions.server"],
        ["-m", "bot.console"],
        ["-m", "bot.jobs"],
    ],
)
def test_production_services_refuse_to_start_without_their_secrets(argv, tmp_path):
    import os
    import subprocess
    import sys

    from bot.settings import PROJECT_ROOT

    env = {
        **os.environ,
        **PRODUCTION,
        "VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(PROJECT_ROOT),
        "WEB_CHAT_SECRET": "",
        "CONSOLE_SECRET": "short",
    }
    done = subprocess.run(
        [sys.executable, *argv],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "WEB_CHAT_SECRET is not set" in said
    assert "CONSOLE_SECRET is shorter than 32 characters" in said
    assert PRODUCTION["CONVERSATION_ID_SECRET"] not in said
    assert "short" not in said.replace("shorter", "")
    assert not (tmp_path / "secrets").exists()  # nothing made up in production
